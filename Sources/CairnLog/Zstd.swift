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

    /// Compresses `source` into `destination` starting at `destinationOffset`, growing it as needed;
    /// returns the compressed length. Throws when zstd reports an error (which, given a large enough
    /// buffer, only happens on allocation failure).
    func compress(_ source: UnsafeRawBufferPointer, into destination: inout [UInt8], at destinationOffset: Int) throws -> Int {
        let bound = ZSTD_compressBound(source.count)
        if destination.count < destinationOffset + bound {
            destination.append(contentsOf: repeatElement(0, count: destinationOffset + bound - destination.count))
        }
        let written = destination.withUnsafeMutableBytes { out in
            ZSTD_compressCCtx(context, out.baseAddress! + destinationOffset, bound, source.baseAddress, source.count, level)
        }
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
