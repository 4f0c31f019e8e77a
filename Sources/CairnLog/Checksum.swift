import CCRC32C
import COpenSSL

/// CRC32C (Castagnoli), the checksum on every batch, segment header and index file.
enum CRC32C {
    /// The checksum of `bytes`, continuing from `crc` (0 to start).
    @inline(__always)
    static func checksum(_ bytes: UnsafeRawBufferPointer, continuing crc: UInt32 = 0) -> UInt32 {
        guard let base = bytes.baseAddress, bytes.count > 0 else { return crc }
        return cairn_crc32c(crc, base, bytes.count)
    }

    static func checksum(_ bytes: [UInt8], continuing crc: UInt32 = 0) -> UInt32 {
        bytes.withUnsafeBytes { checksum($0, continuing: crc) }
    }

    /// Whether the SSE4.2 instruction is in use.
    static var isHardwareAccelerated: Bool { cairn_crc32c_hardware() != 0 }
}

/// A link of the log's hash chain: SHA-256 over the previous link and the batch's content.
///
/// Every batch stores its link, computed as
/// `SHA-256(previous link ‖ batch header bytes 0..<48 ‖ stored payload)`; the first batch of the
/// log chains from `ChainLink.genesis` (32 zero bytes). Changing any byte of any batch changes its
/// link and therefore every later one.
public struct ChainLink: Hashable, Sendable, CustomStringConvertible {
    public static let byteCount = 32
    /// The bytes of the digest.
    public let bytes: [UInt8]

    public init(bytes: [UInt8]) {
        precondition(bytes.count == ChainLink.byteCount, "a chain link is 32 bytes")
        self.bytes = bytes
    }

    /// The link before the first batch of a log.
    public static let genesis = ChainLink(bytes: [UInt8](repeating: 0, count: byteCount))

    /// Parses 64 hexadecimal digits; nil when malformed.
    public init?(hex: String) {
        let digits = Array(hex.utf8)
        guard digits.count == 64 else { return nil }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(32)
        for i in stride(from: 0, to: 64, by: 2) {
            guard let high = Self.nibble(digits[i]), let low = Self.nibble(digits[i + 1]) else { return nil }
            bytes.append(high << 4 | low)
        }
        self.bytes = bytes
    }

    /// The next link: SHA-256 over this link, the header prefix and the stored payload.
    func next(header: UnsafeRawBufferPointer, payload: UnsafeRawBufferPointer) -> ChainLink {
        var digest = [UInt8](repeating: 0, count: 32)
        let ctx = EVP_MD_CTX_new()!
        defer { EVP_MD_CTX_free(ctx) }
        var ok = EVP_DigestInit_ex(ctx, EVP_sha256(), nil) == 1
        ok = ok && bytes.withUnsafeBytes { EVP_DigestUpdate(ctx, $0.baseAddress, 32) } == 1
        ok = ok && EVP_DigestUpdate(ctx, header.baseAddress, header.count) == 1
        if payload.count > 0 {
            ok = ok && EVP_DigestUpdate(ctx, payload.baseAddress, payload.count) == 1
        }
        ok = ok && digest.withUnsafeMutableBytes {
            EVP_DigestFinal_ex(ctx, $0.baseAddress!.assumingMemoryBound(to: UInt8.self), nil)
        } == 1
        // libcrypto's SHA-256 fails only on allocation failure or a broken installation.
        precondition(ok, "SHA-256 through libcrypto failed")
        return ChainLink(bytes: digest)
    }

    public var hex: String {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(64)
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0xF)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    public var description: String { hex }

    private static func nibble(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return c - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return c - UInt8(ascii: "A") + 10
        default: return nil
        }
    }
}
