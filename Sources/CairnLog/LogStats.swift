/// Sizes of a log, from its batch headers (no decompression).
public struct LogStats: Sendable {
    public var segments = 0
    public var batches = 0
    public var records: UInt64 = 0
    /// Bytes of segment files on disk.
    public var fileBytes: UInt64 = 0
    /// Bytes of the index files.
    public var indexBytes: UInt64 = 0
    /// Bytes the records take uncompressed (record framing included).
    public var uncompressedBytes: UInt64 = 0
    /// Timestamps of the first and last records.
    public var firstTimestamp: Int64?
    public var lastTimestamp: Int64?

    /// Uncompressed bytes per byte on disk.
    public var compressionRatio: Double { fileBytes == 0 ? 0 : Double(uncompressedBytes) / Double(fileBytes) }

    /// Walks every segment's batch headers. Stops at the first invalid batch of a segment (run
    /// `LogVerifier` to find out why).
    public static func collect(directory: String, storage: any Storage = PosixStorage()) throws -> LogStats {
        var stats = LogStats()
        let names = try storage.listDirectory(directory)
        for name in names where name.hasSuffix(SegmentFileName.offsetIndexSuffix) || name.hasSuffix(SegmentFileName.timeIndexSuffix) {
            let file = try storage.openFile(directory + "/" + name, create: false)
            stats.indexBytes += try file.size()
            file.close()
        }
        for base in names.compactMap(SegmentFileName.baseOffset(ofSegment:)).sorted() {
            let file = try storage.openFile(directory + "/" + SegmentFileName.segment(base), create: false)
            defer { file.close() }
            let size = try file.size()
            stats.segments += 1
            stats.fileBytes += size
            guard case .success(let header) = SegmentHeader.decode(try file.read(at: 0, count: SegmentHeader.size)) else { continue }
            let scan = try SegmentScanner(file: file, length: size, header: header, indexIntervalBytes: 1 << 30).scan(checkCRC: false)
            stats.batches += scan.batchCount
            stats.records += scan.recordCount
            stats.uncompressedBytes += scan.uncompressedBytes
            if stats.firstTimestamp == nil { stats.firstTimestamp = scan.firstTimestamp }
            stats.lastTimestamp = scan.lastTimestamp ?? stats.lastTimestamp
        }
        return stats
    }
}
