import CZstd

/// A zstd compression context. Not thread-safe: each writer owns one.
final class ZstdCompressor {
    private let context: OpaquePointer
    let level: Int32

    init(level: Int32) {
        guard let context = ZSTD_createCCtx() else { fatalError("ZSTD_createCCtx: out of memory") }
        self.context = context
        self.level = level
    }

    deinit { ZSTD_freeCCtx(context) }

    /// The most bytes compressing `count` bytes can produce.
    static func bound(_ count: Int) -> Int { ZSTD_compressBound(count) }

    /// Compresses `source` into `destination`, which must hold at least `bound(source.count)`
    /// bytes; returns the compressed length. Throws when zstd reports an error (which, given that
    /// room, only happens on allocation failure).
    func compress(_ source: UnsafeRawBufferPointer, into destination: UnsafeMutableRawBufferPointer) throws -> Int {
        precondition(destination.count >= ZSTD_compressBound(source.count), "zstd output buffer below the bound")
        let written = ZSTD_compressCCtx(context, destination.baseAddress, destination.count, source.baseAddress, source.count, level)
        if ZSTD_isError(written) != 0 {
            throw LogError(.io, "zstd compression failed: \(String(cString: ZSTD_getErrorName(written)))")
        }
        return written
    }
}

/// A zstd decompression context. Not thread-safe: each reader owns one.
final class ZstdDecompressor {
    private let context: OpaquePointer

    init() {
        guard let context = ZSTD_createDCtx() else { fatalError("ZSTD_createDCtx: out of memory") }
        self.context = context
    }

    deinit { ZSTD_freeDCtx(context) }

    /// Decompresses `source` into `destination`, which must be exactly the expected size. Returns
    /// false when the frame is malformed or does not decompress to exactly that size.
    func decompress(_ source: UnsafeRawBufferPointer, into destination: UnsafeMutableRawBufferPointer) -> Bool {
        let got = ZSTD_decompressDCtx(context, destination.baseAddress, destination.count, source.baseAddress, source.count)
        return ZSTD_isError(got) == 0 && got == destination.count
    }
}
