/// Read-only access to a log directory without opening it for writing: no lock, no recovery, no
/// change to any file. For tools (dump, audit) that may run beside the process that owns the log.
public enum LogSnapshot {
    /// A reader over the valid prefix of every segment as it is on disk now. Walks every batch
    /// header once to learn where batches are (and checks the CRCs of the last segment, so that a
    /// torn or damaged tail ends what the reader sees). Records appended after this call are not
    /// seen. Beside a live writer under a relaxed fsync policy, the reader can see records that are
    /// written but not yet durable.
    public static func reader(directory: String, storage: any Storage = PosixStorage()) throws -> LogReader {
        let bases = try storage.listDirectory(directory).compactMap(SegmentFileName.baseOffset(ofSegment:)).sorted()
        guard !bases.isEmpty else {
            throw LogError(.notFound, "no log in \(directory) (no segment files)", path: directory)
        }
        var segments: [SegmentEntry] = []
        for base in bases {
            let path = directory + "/" + SegmentFileName.segment(base)
            let file = try storage.openFile(path, create: false)
            defer { file.close() }
            let header: SegmentHeader
            switch SegmentHeader.decode(try file.read(at: 0, count: SegmentHeader.size)) {
            case .failure(let reason): throw LogError(.corrupted, "\(path): \(reason)", path: path)
            case .success(let decoded): header = decoded
            }
            if let previous = segments.last, previous.endOffset != base {
                throw LogError(.corrupted, "\(path) starts at offset \(base) but the previous segment ends at \(previous.endOffset)", path: path)
            }
            // Sealed segments were synced before their successor existed: headers suffice. The
            // last one may end in a torn or damaged batch, which its CRCs reveal.
            let isLast = base == bases[bases.count - 1]
            let scan = try SegmentScanner(file: file, length: try file.size(), header: header, indexIntervalBytes: 4096).scan(checkCRC: isLast)
            segments.append(SegmentEntry(baseOffset: base, path: path, length: scan.validEnd, endOffset: scan.nextOffset, index: scan.index))
            if scan.stop != .endOfData { break }
        }
        return LogReader(table: SegmentTable(segments), storage: storage)
    }
}
