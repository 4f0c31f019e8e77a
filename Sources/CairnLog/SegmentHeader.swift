/// The 64-byte header at the start of every segment file.
///
///     0   u32  magic       0x534E5243 ("CRNS")
///     4   u16  version     1
///     6   u16  reserved    0
///     8   u64  baseOffset  offset of the segment's first record (also its file name)
///     16  [32] previousLink  chain link of the last batch before this segment (genesis for the first)
///     48  [12] reserved    0
///     60  u32  crc         CRC32C over bytes 0..<60
struct SegmentHeader: Equatable, Sendable {
    static let size = 64
    static let magic: UInt32 = 0x534E_5243
    static let version: UInt16 = 1

    var baseOffset: UInt64
    var previousLink: ChainLink

    func encoded() -> [UInt8] {
        var out = [UInt8](repeating: 0, count: SegmentHeader.size)
        out.withUnsafeMutableBytes { raw in
            raw.storeLE(SegmentHeader.magic, at: 0)
            raw.storeLE(SegmentHeader.version, at: 4)
            raw.storeLE(baseOffset, at: 8)
            previousLink.bytes.withUnsafeBytes { raw.baseAddress!.advanced(by: 16).copyMemory(from: $0.baseAddress!, byteCount: 32) }
            raw.storeLE(CRC32C.checksum(UnsafeRawBufferPointer(rebasing: raw[0..<60])), at: 60)
        }
        return out
    }

    /// Decodes a header; the error names what was wrong.
    static func decode(_ bytes: [UInt8]) -> Result<SegmentHeader, FormatProblem> {
        guard bytes.count >= size else { return .failure("segment header truncated (\(bytes.count) of \(size) bytes)") }
        return bytes.withUnsafeBytes { raw in
            let magic = raw.le(UInt32.self, at: 0)
            guard magic == SegmentHeader.magic else { return .failure("bad segment magic 0x\(String(magic, radix: 16))") }
            let version = raw.le(UInt16.self, at: 4)
            guard version == SegmentHeader.version else { return .failure("unsupported segment format version \(version)") }
            let crc = CRC32C.checksum(UnsafeRawBufferPointer(rebasing: raw[0..<60]))
            guard crc == raw.le(UInt32.self, at: 60) else { return .failure("segment header CRC mismatch") }
            return .success(SegmentHeader(
                baseOffset: raw.le(UInt64.self, at: 8),
                previousLink: ChainLink(bytes: Array(UnsafeRawBufferPointer(rebasing: raw[16..<48])))
            ))
        }
    }
}

/// File names of a log directory. Segments are named by their base offset, zero-padded to 20
/// digits, so that names sort in offset order: `00000000000000000000.log` with its indexes
/// `….index` (offset index) and `….timeindex` (time index).
enum SegmentFileName {
    static let digits = 20
    static let segmentSuffix = ".log"
    static let offsetIndexSuffix = ".index"
    static let timeIndexSuffix = ".timeindex"
    /// Files being written before an atomic rename carry this suffix; at open they are leftovers.
    static let temporarySuffix = ".tmp"
    /// Present only while the log is closed cleanly.
    static let cleanShutdownMarker = "clean-shutdown"
    static let lockFile = "lock"

    static func stem(_ baseOffset: UInt64) -> String {
        let number = String(baseOffset)
        return String(repeating: "0", count: digits - number.count) + number
    }

    static func segment(_ baseOffset: UInt64) -> String { stem(baseOffset) + segmentSuffix }
    static func offsetIndex(_ baseOffset: UInt64) -> String { stem(baseOffset) + offsetIndexSuffix }
    static func timeIndex(_ baseOffset: UInt64) -> String { stem(baseOffset) + timeIndexSuffix }

    /// The base offset a segment file name encodes, or nil when `name` is not a segment file name.
    static func baseOffset(ofSegment name: String) -> UInt64? {
        guard name.hasSuffix(segmentSuffix) else { return nil }
        let stem = name.dropLast(segmentSuffix.count)
        guard stem.count == digits, stem.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        return UInt64(stem)
    }
}

/// Why a file's structure was rejected, in words naming what was wrong.
struct FormatProblem: Error, Equatable, CustomStringConvertible, ExpressibleByStringInterpolation {
    let description: String
    init(stringLiteral value: String) { description = value }
    init(stringInterpolation: DefaultStringInterpolation) { description = String(stringInterpolation: stringInterpolation) }
}
