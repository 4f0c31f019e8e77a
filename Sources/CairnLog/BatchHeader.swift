/// The fixed 88-byte header in front of every batch in a segment file.
///
/// Byte layout (all integers little-endian; see docs/on-disk-format.md):
///
///     0   u32  magic              0x424E5243 ("CRNB")
///     4   u16  version            1
///     6   u8   codec              0 = none, 1 = zstd
///     7   u8   flags              0
///     8   u64  baseOffset         offset of the first record
///     16  u32  recordCount        >= 1
///     20  u32  storedLength       payload bytes that follow the header
///     24  u32  uncompressedLength payload bytes after decompression
///     28  u32  reserved           0
///     32  i64  firstTimestamp     microseconds since the Unix epoch
///     40  i64  lastTimestamp      >= firstTimestamp
///     48  [32] link               SHA-256(previous link ‖ bytes 0..<48 ‖ stored payload)
///     80  u32  reserved           0
///     84  u32  crc                CRC32C over bytes 0..<84 and the stored payload
///     88       stored payload
struct BatchHeader: Equatable, Sendable {
    static let size = 88
    static let magic: UInt32 = 0x424E_5243
    static let version: UInt16 = 1
    /// Bytes 0..<48, the part of the header covered by the hash chain.
    static let linkedPrefix = 48
    /// Bytes 0..<84, the part of the header covered by the CRC.
    static let checkedPrefix = 84
    /// No batch may hold more than this, stored or uncompressed: a bound for readers, so a damaged
    /// length can never make them allocate without limit.
    static let payloadBytesLimit = 256 << 20

    enum Codec: UInt8, Sendable {
        case none = 0
        case zstd = 1
    }

    var codec: Codec
    var baseOffset: UInt64
    var recordCount: UInt32
    var storedLength: UInt32
    var uncompressedLength: UInt32
    var firstTimestamp: Int64
    var lastTimestamp: Int64
    var link: ChainLink
    var crc: UInt32

    /// The offset after the batch's last record.
    var endOffset: UInt64 { baseOffset + UInt64(recordCount) }
    /// The batch's size in the segment file, header included.
    var frameLength: Int { BatchHeader.size + Int(storedLength) }

    /// Writes the header into the first 88 bytes of `out`.
    func encode(into out: UnsafeMutableRawBufferPointer) {
        precondition(out.count >= BatchHeader.size)
        out.storeLE(BatchHeader.magic, at: 0)
        out.storeLE(BatchHeader.version, at: 4)
        out.storeLE(codec.rawValue, at: 6)
        out.storeLE(UInt8(0), at: 7)
        out.storeLE(baseOffset, at: 8)
        out.storeLE(recordCount, at: 16)
        out.storeLE(storedLength, at: 20)
        out.storeLE(uncompressedLength, at: 24)
        out.storeLE(UInt32(0), at: 28)
        out.storeLE(firstTimestamp, at: 32)
        out.storeLE(lastTimestamp, at: 40)
        link.bytes.withUnsafeBytes { out.baseAddress!.advanced(by: 48).copyMemory(from: $0.baseAddress!, byteCount: 32) }
        out.storeLE(UInt32(0), at: 80)
        out.storeLE(crc, at: 84)
    }

    /// Why a header could not be decoded. Each case is something a torn write or stray bytes can
    /// produce; what it means depends on what follows it (see `RecoveryDecision`).
    enum Problem: Error, Equatable, Sendable, CustomStringConvertible {
        case badMagic(UInt32)
        case unsupportedVersion(UInt16)
        case unknownCodec(UInt8)
        case invalidField(String)

        var description: String {
            switch self {
            case .badMagic(let magic): return "bad batch magic 0x\(String(magic, radix: 16))"
            case .unsupportedVersion(let version): return "unsupported batch format version \(version)"
            case .unknownCodec(let codec): return "unknown codec \(codec)"
            case .invalidField(let what): return what
            }
        }
    }

    /// Decodes and checks the header's own fields (not the CRC, which also covers the payload).
    static func decode(_ bytes: UnsafeRawBufferPointer) -> Result<BatchHeader, Problem> {
        precondition(bytes.count >= size)
        let magic = bytes.le(UInt32.self, at: 0)
        guard magic == BatchHeader.magic else { return .failure(.badMagic(magic)) }
        let version = bytes.le(UInt16.self, at: 4)
        guard version == BatchHeader.version else { return .failure(.unsupportedVersion(version)) }
        let rawCodec = bytes.le(UInt8.self, at: 6)
        guard let codec = Codec(rawValue: rawCodec) else { return .failure(.unknownCodec(rawCodec)) }
        guard bytes.le(UInt8.self, at: 7) == 0, bytes.le(UInt32.self, at: 28) == 0, bytes.le(UInt32.self, at: 80) == 0 else {
            return .failure(.invalidField("nonzero reserved field"))
        }
        let header = BatchHeader(
            codec: codec,
            baseOffset: bytes.le(UInt64.self, at: 8),
            recordCount: bytes.le(UInt32.self, at: 16),
            storedLength: bytes.le(UInt32.self, at: 20),
            uncompressedLength: bytes.le(UInt32.self, at: 24),
            firstTimestamp: bytes.le(Int64.self, at: 32),
            lastTimestamp: bytes.le(Int64.self, at: 40),
            link: ChainLink(bytes: Array(UnsafeRawBufferPointer(rebasing: bytes[48..<80]))),
            crc: bytes.le(UInt32.self, at: 84)
        )
        guard header.recordCount > 0 else { return .failure(.invalidField("record count 0")) }
        guard Int(header.storedLength) <= payloadBytesLimit, Int(header.uncompressedLength) <= payloadBytesLimit else {
            return .failure(.invalidField("payload length over the \(payloadBytesLimit)-byte limit"))
        }
        guard header.codec != .none || header.storedLength == header.uncompressedLength else {
            return .failure(.invalidField("uncompressed batch with differing lengths"))
        }
        guard header.lastTimestamp >= header.firstTimestamp else {
            return .failure(.invalidField("last timestamp before first timestamp"))
        }
        guard UInt64.max - header.baseOffset >= UInt64(header.recordCount) else {
            return .failure(.invalidField("offset range overflows"))
        }
        return .success(header)
    }

    /// The CRC32C the header should carry, given its first 84 bytes and the stored payload.
    static func computeCRC(header: UnsafeRawBufferPointer, payload: UnsafeRawBufferPointer) -> UInt32 {
        let crc = CRC32C.checksum(UnsafeRawBufferPointer(rebasing: header[0..<checkedPrefix]))
        return CRC32C.checksum(payload, continuing: crc)
    }
}
