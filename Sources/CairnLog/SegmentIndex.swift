/// The sparse indexes of one segment: every batch that starts at least `intervalBytes` after the
/// previous indexed batch (and always the first) has an entry giving its base offset, its byte
/// position and its first timestamp.
///
/// Persisted as two files (see docs/on-disk-format.md), both with this 40-byte header:
///
///     0   u32  magic          0x58524E43 ("CNRX", offset index) or 0x54524E43 ("CNRT", time index)
///     4   u16  version        1
///     6   u16  reserved       0
///     8   u64  baseOffset     the segment's base offset
///     16  u64  segmentLength  bytes of the segment the index was built from
///     24  u32  entryCount
///     28  u32  intervalBytes
///     32  u32  reserved       0
///     36  u32  crc            CRC32C over bytes 0..<36 and all entries
///
/// followed by 16-byte entries: `(u64 offset, u64 position)` in `.index`, `(i64 timestamp,
/// u64 offset)` in `.timeindex`. Indexes are a cache: at open they are checked against the
/// segment and rebuilt whenever missing, damaged or in disagreement; never trusted.
struct SegmentIndex: Equatable, Sendable {
    struct Entry: Equatable, Sendable {
        var offset: UInt64
        var position: UInt64
        var timestamp: Int64
    }

    static let headerSize = 40
    static let entrySize = 16
    static let offsetMagic: UInt32 = 0x5852_4E43
    static let timeMagic: UInt32 = 0x5452_4E43
    static let version: UInt16 = 1

    let baseOffset: UInt64
    let intervalBytes: Int
    private(set) var entries: [Entry] = []
    private var lastIndexedPosition: UInt64?

    init(baseOffset: UInt64, intervalBytes: Int) {
        self.baseOffset = baseOffset
        self.intervalBytes = intervalBytes
    }

    /// Notes a batch written at `position`; records an entry when the interval has passed.
    mutating func note(_ header: BatchHeader, at position: UInt64) {
        if let last = lastIndexedPosition, position < last + UInt64(intervalBytes) { return }
        entries.append(Entry(offset: header.baseOffset, position: position, timestamp: header.firstTimestamp))
        lastIndexedPosition = position
    }

    /// The last entry whose offset is <= `offset`.
    func floor(offset: UInt64) -> Entry? {
        var low = 0, high = entries.count
        while low < high {
            let mid = (low + high) / 2
            if entries[mid].offset <= offset { low = mid + 1 } else { high = mid }
        }
        return low == 0 ? nil : entries[low - 1]
    }

    /// The last entry whose timestamp is < `timestamp`: no record before it can be at or after
    /// `timestamp`, since timestamps never decrease.
    func floor(before timestamp: Int64) -> Entry? {
        var low = 0, high = entries.count
        while low < high {
            let mid = (low + high) / 2
            if entries[mid].timestamp < timestamp { low = mid + 1 } else { high = mid }
        }
        return low == 0 ? nil : entries[low - 1]
    }

    // MARK: Files

    /// The two index files' bytes, for a segment of `segmentLength` bytes.
    func encoded(segmentLength: UInt64) -> (offsetIndex: [UInt8], timeIndex: [UInt8]) {
        func file(_ magic: UInt32, _ entry: (Entry) -> (UInt64, UInt64)) -> [UInt8] {
            var out: [UInt8] = []
            out.reserveCapacity(SegmentIndex.headerSize + entries.count * SegmentIndex.entrySize)
            out.appendLE(magic)
            out.appendLE(SegmentIndex.version)
            out.appendLE(UInt16(0))
            out.appendLE(baseOffset)
            out.appendLE(segmentLength)
            out.appendLE(UInt32(entries.count))
            out.appendLE(UInt32(intervalBytes))
            out.appendLE(UInt32(0))
            out.appendLE(UInt32(0))  // crc, filled below
            for e in entries {
                let (a, b) = entry(e)
                out.appendLE(a)
                out.appendLE(b)
            }
            var crc = CRC32C.checksum(Array(out[0..<36]))
            crc = CRC32C.checksum(Array(out[SegmentIndex.headerSize...]), continuing: crc)
            out.withUnsafeMutableBytes { $0.storeLE(crc, at: 36) }
            return out
        }
        return (
            file(SegmentIndex.offsetMagic) { ($0.offset, $0.position) },
            file(SegmentIndex.timeMagic) { (UInt64(bitPattern: $0.timestamp), $0.offset) }
        )
    }

    /// Decodes a pair of index files and checks them against the segment they claim to describe.
    /// Returns nil with a reason when anything disagrees; the caller then rebuilds.
    static func decode(
        offsetIndex: [UInt8], timeIndex: [UInt8], baseOffset: UInt64, segmentLength: UInt64
    ) -> Result<SegmentIndex, FormatProblem> {
        func header(_ bytes: [UInt8], magic: UInt32, name: String) -> Result<(count: Int, interval: Int), FormatProblem> {
            guard bytes.count >= headerSize else { return .failure("\(name) truncated") }
            guard bytes.le(UInt32.self, at: 0) == magic else { return .failure("\(name) has a bad magic") }
            guard bytes.le(UInt16.self, at: 4) == version else { return .failure("\(name) has an unsupported version") }
            var crc = CRC32C.checksum(Array(bytes[0..<36]))
            crc = CRC32C.checksum(Array(bytes[headerSize...]), continuing: crc)
            guard crc == bytes.le(UInt32.self, at: 36) else { return .failure("\(name) CRC mismatch") }
            guard bytes.le(UInt64.self, at: 8) == baseOffset else { return .failure("\(name) is for another segment") }
            let covered = bytes.le(UInt64.self, at: 16)
            guard covered == segmentLength else {
                return .failure("\(name) covers \(covered) bytes but the segment has \(segmentLength)")
            }
            let count = Int(bytes.le(UInt32.self, at: 24))
            guard bytes.count == headerSize + count * entrySize else { return .failure("\(name) length disagrees with its entry count") }
            let interval = Int(bytes.le(UInt32.self, at: 28))
            guard interval > 0 else { return .failure("\(name) has a zero interval") }
            return .success((count, interval))
        }
        let offsets: (count: Int, interval: Int)
        let times: (count: Int, interval: Int)
        switch header(offsetIndex, magic: offsetMagic, name: "offset index") {
        case .failure(let reason): return .failure(reason)
        case .success(let value): offsets = value
        }
        switch header(timeIndex, magic: timeMagic, name: "time index") {
        case .failure(let reason): return .failure(reason)
        case .success(let value): times = value
        }
        guard offsets == times else { return .failure("offset and time indexes disagree") }

        var index = SegmentIndex(baseOffset: baseOffset, intervalBytes: offsets.interval)
        for i in 0..<offsets.count {
            let at = headerSize + i * entrySize
            let entry = Entry(
                offset: offsetIndex.le(UInt64.self, at: at),
                position: offsetIndex.le(UInt64.self, at: at + 8),
                timestamp: Int64(bitPattern: timeIndex.le(UInt64.self, at: at))
            )
            guard timeIndex.le(UInt64.self, at: at + 8) == entry.offset else {
                return .failure("offset and time indexes disagree at entry \(i)")
            }
            if let previous = index.entries.last {
                guard entry.offset > previous.offset, entry.position > previous.position, entry.timestamp >= previous.timestamp else {
                    return .failure("index entry \(i) is out of order")
                }
            } else {
                guard entry.offset == baseOffset, entry.position == UInt64(SegmentHeader.size) else {
                    return .failure("first index entry does not point at the first batch")
                }
            }
            guard segmentLength >= UInt64(BatchHeader.size), entry.position <= segmentLength - UInt64(BatchHeader.size) else {
                return .failure("index entry \(i) points past the end of the segment")
            }
            index.entries.append(entry)
            index.lastIndexedPosition = entry.position
        }
        if segmentLength > UInt64(SegmentHeader.size) && index.entries.isEmpty {
            return .failure("index is empty but the segment holds batches")
        }
        return .success(index)
    }
}
