/// Reads records from a log: by offset, from a timestamp, or in order.
///
/// A reader sees only visible records (acknowledged and, under `.always` and `.interval`, durable).
/// Every batch it reads is checked (header, CRC, record framing) before any record is returned;
/// damage is reported as `LogError.corrupted` naming the file and byte position.
///
/// Not thread-safe: use one reader per thread or task. Readers run concurrently with the writer
/// and with each other. Calls block on file I/O: run them off the cooperative pool (the log's
/// `records(from:)` stream does). A reader keeps its own file handles; `close()` releases them.
public final class LogReader {
    private let table: SegmentTable
    private let storage: any Storage
    private var files: [String: any StorageFile] = [:]
    private let decompressor = ZstdDecompressor()
    private var headerBytes = [UInt8](repeating: 0, count: BatchHeader.size)
    private var stored: [UInt8] = []
    private var body: [UInt8] = []

    init(table: SegmentTable, storage: any Storage) {
        self.table = table
        self.storage = storage
    }

    deinit { close() }

    /// Releases the reader's file handles. The reader may be used again afterwards.
    public func close() {
        for file in files.values { file.close() }
        files.removeAll()
    }

    /// Offset after the last visible record.
    public var endOffset: UInt64 { table.visibleEnd }

    /// Calls `body` with each visible record from `offset` on, in order, until `body` returns false
    /// or the visible end is reached. Returns the offset after the last record passed to `body`.
    /// The view's buffers are valid only during the call.
    ///
    /// Throws `.invalidArgument` for an offset before the log's start, `.corrupted` when a batch
    /// fails a check, `.io` on read errors, `.closed` after the log was closed.
    @discardableResult
    public func scan(from offset: UInt64, _ body: (RecordView) throws -> Bool) throws -> UInt64 {
        var next = offset
        while let plan = try table.plan(offset: next) {
            let file = try handle(plan.path)
            var position = plan.position
            var expectedBase: UInt64? = nil
            while position < plan.length && next < plan.endOffset {
                let header = try readHeader(file, at: position, limit: plan.length)
                let frameEnd = position + UInt64(header.frameLength)
                // Never trust where the index pointed: the first batch must start at or before the
                // wanted offset, and each next one exactly where the previous ended.
                guard expectedBase.map({ header.baseOffset == $0 }) ?? (header.baseOffset <= next) else {
                    throw LogError(.corrupted, "\(plan.path): batch at byte \(position) starts at offset \(header.baseOffset), expected \(expectedBase ?? next)", path: plan.path)
                }
                expectedBase = header.endOffset
                if header.endOffset <= next {
                    position = frameEnd
                    continue
                }
                var keepGoing = true
                try withPayload(file, header: header, at: position) { payload in
                    let problem = try RecordCodec.forEach(in: payload, header: header) { record in
                        guard record.offset >= next else { return true }
                        keepGoing = try body(record)
                        next = record.offset + 1
                        return keepGoing
                    }
                    if let problem {
                        throw LogError(.corrupted, "\(plan.path): batch at byte \(position) (offsets \(header.baseOffset)..<\(header.endOffset)): \(problem)", path: plan.path)
                    }
                }
                if !keepGoing { return next }
                position = frameEnd
            }
            guard next >= plan.endOffset else {
                throw LogError(.corrupted, "\(plan.path) ends at byte \(position) before offset \(plan.endOffset)", path: plan.path)
            }
        }
        return next
    }

    /// Up to `maxRecords` records (and about `maxBytes` of payload) from `offset` on; empty when
    /// nothing is visible there yet.
    public func read(from offset: UInt64, maxRecords: Int = 1000, maxBytes: Int = 16 << 20) throws -> [LogRecord] {
        precondition(maxRecords > 0 && maxBytes > 0, "read limits must be positive")
        var records: [LogRecord] = []
        var bytes = 0
        try scan(from: offset) { view in
            records.append(view.copy())
            bytes += view.payload.count + (view.key?.count ?? 0)
            return records.count < maxRecords && bytes < maxBytes
        }
        return records
    }

    /// The record at `offset`, or nil when it is not visible.
    public func record(at offset: UInt64) throws -> LogRecord? {
        try read(from: offset, maxRecords: 1).first.flatMap { $0.offset == offset ? $0 : nil }
    }

    /// The offset of the first visible record whose timestamp is >= `timestamp` (microseconds since
    /// the epoch), or the visible end when there is none.
    public func offset(atOrAfter timestamp: Int64) throws -> UInt64 {
        let start = table.offsetLowerBound(timestamp: timestamp)
        var found: UInt64?
        let end = try scan(from: start) { view in
            if view.timestamp >= timestamp { found = view.offset; return false }
            return true
        }
        return found ?? end
    }

    // MARK: Batches

    private func handle(_ path: String) throws -> any StorageFile {
        if let file = files[path] { return file }
        if files.count >= 16 { close() }
        let file = try storage.openFile(path, create: false)
        files[path] = file
        return file
    }

    private func readHeader(_ file: any StorageFile, at position: UInt64, limit: UInt64) throws -> BatchHeader {
        let got = try headerBytes.withUnsafeMutableBytes { try file.read(at: position, into: $0) }
        guard got == BatchHeader.size else {
            throw LogError(.corrupted, "\(file.path): batch header at byte \(position) is cut short", path: file.path)
        }
        switch headerBytes.withUnsafeBytes({ BatchHeader.decode($0) }) {
        case .failure(let problem):
            throw LogError(.corrupted, "\(file.path): batch header at byte \(position): \(problem)", path: file.path)
        case .success(let header):
            guard position + UInt64(header.frameLength) <= limit else {
                throw LogError(.corrupted, "\(file.path): batch at byte \(position) runs past the segment's end", path: file.path)
            }
            return header
        }
    }

    /// Reads, checks and decompresses a batch's payload; `body` sees the uncompressed records.
    private func withPayload(_ file: any StorageFile, header: BatchHeader, at position: UInt64,
                             _ use: (UnsafeRawBufferPointer) throws -> Void) throws {
        let storedCount = Int(header.storedLength)
        if stored.count < storedCount { stored = [UInt8](repeating: 0, count: storedCount) }
        let got = try stored.withUnsafeMutableBytes {
            try file.read(at: position + UInt64(BatchHeader.size), into: UnsafeMutableRawBufferPointer(rebasing: $0[0..<storedCount]))
        }
        guard got == storedCount else {
            throw LogError(.corrupted, "\(file.path): batch at byte \(position) is cut short", path: file.path)
        }
        let crcOK = headerBytes.withUnsafeBytes { h in
            stored.withUnsafeBytes { BatchHeader.computeCRC(header: h, payload: UnsafeRawBufferPointer(rebasing: $0[0..<storedCount])) == header.crc }
        }
        guard crcOK else {
            throw LogError(.corrupted, "\(file.path): CRC mismatch in batch at byte \(position) (offsets \(header.baseOffset)..<\(header.endOffset))", path: file.path)
        }
        switch header.codec {
        case .none:
            try stored.withUnsafeBytes { try use(UnsafeRawBufferPointer(rebasing: $0[0..<storedCount])) }
        case .zstd:
            let size = Int(header.uncompressedLength)
            if body.count < size { body = [UInt8](repeating: 0, count: size) }
            let ok = stored.withUnsafeBytes { source in
                self.body.withUnsafeMutableBytes { out in
                    decompressor.decompress(UnsafeRawBufferPointer(rebasing: source[0..<storedCount]), into: UnsafeMutableRawBufferPointer(rebasing: out[0..<size]))
                }
            }
            guard ok else {
                throw LogError(.corrupted, "\(file.path): batch at byte \(position) does not decompress to \(size) bytes", path: file.path)
            }
            try body.withUnsafeBytes { try use(UnsafeRawBufferPointer(rebasing: $0[0..<size])) }
        }
    }
}
