/// What `LogVerifier` found.
public struct VerifyReport: Sendable {
    public struct Problem: Sendable, CustomStringConvertible {
        /// The file concerned.
        public let file: String
        /// Byte position in the file, when the problem is at one.
        public let position: UInt64?
        /// What was wrong, naming offsets where known.
        public let message: String

        public var description: String {
            position.map { "\(file) @ byte \($0): \(message)" } ?? "\(file): \(message)"
        }
    }

    public var problems: [Problem] = []
    public var segments = 0
    public var batches = 0
    public var records: UInt64 = 0
    /// Bytes of segment files.
    public var fileBytes: UInt64 = 0
    /// Bytes the records take uncompressed (record framing included).
    public var uncompressedBytes: UInt64 = 0
    /// Offset after the last valid record.
    public var endOffset: UInt64 = 0
    /// The chain link of the last valid batch: with `endOffset`, the head of the hash chain.
    public var headLink = ChainLink.genesis

    public var isIntact: Bool { problems.isEmpty }
}

/// Checks a log directory end to end without changing it: every segment header, every batch's
/// header, CRC, record framing (after decompression) and hash-chain link, the continuity of offsets
/// and timestamps across segments, and every index file against the segment it describes.
///
/// It reports every problem it finds: after a damaged batch it searches for the next valid one and
/// continues from there. Safe to run on a log another process has open; a batch being written at
/// that moment can show up as an incomplete tail.
public enum LogVerifier {
    public static func verify(directory: String, storage: any Storage = PosixStorage()) throws -> VerifyReport {
        var report = VerifyReport()
        let names = try storage.listDirectory(directory)
        let bases = names.compactMap(SegmentFileName.baseOffset(ofSegment:)).sorted()
        let clean = names.contains(SegmentFileName.cleanShutdownMarker)
        for name in names where name.hasSuffix(SegmentFileName.temporarySuffix) {
            report.problems.append(.init(file: name, position: nil, message: "leftover temporary file (removed at next open)"))
        }
        if bases.isEmpty {
            report.problems.append(.init(file: directory, position: nil, message: "no segment files"))
            return report
        }
        let decompressor = ZstdDecompressor()
        var body: [UInt8] = []
        var expectedOffset: UInt64? = nil
        var link = ChainLink.genesis
        var lastTimestamp: Int64? = nil

        for (i, base) in bases.enumerated() {
            let name = SegmentFileName.segment(base)
            let isLast = i == bases.count - 1
            let file = try storage.openFile(directory + "/" + name, create: false)
            defer { file.close() }
            let size = try file.size()
            report.segments += 1
            report.fileBytes += size
            func problem(_ position: UInt64?, _ message: String) {
                report.problems.append(.init(file: name, position: position, message: message))
            }

            switch SegmentHeader.decode(try file.read(at: 0, count: SegmentHeader.size)) {
            case .failure(let reason):
                problem(0, "segment header: \(reason)")
            case .success(let decoded):
                if decoded.baseOffset != base { problem(8, "header says base offset \(decoded.baseOffset), file name says \(base)") }
                if i > 0 && decoded.previousLink != link {
                    problem(16, "hash chain broken between segments: the header's previous link is not the previous segment's last link")
                }
            }
            if let expectedOffset, expectedOffset != base {
                problem(nil, "offsets \(min(expectedOffset, base))..<\(max(expectedOffset, base)) are \(expectedOffset < base ? "missing" : "duplicated") between segments")
            }

            var batches: [UInt64: BatchHeader] = [:]
            let scanner = SegmentScanner(file: file, length: size, header: SegmentHeader(baseOffset: base, previousLink: link), indexIntervalBytes: 4096)
            var start: ScanStart? = i > 0 ? ScanStart(position: UInt64(SegmentHeader.size), offset: base, link: link, timestamp: lastTimestamp) : nil
            var segmentEnd = base
            while true {
                let scan = try scanner.scan(from: start) { batch, position, payload in
                    batches[position] = batch
                    let problemText = checkRecords(batch, payload: payload, decompressor: decompressor, body: &body)
                    if let problemText { problem(position, "offsets \(batch.baseOffset)..<\(batch.endOffset): \(problemText)") }
                }
                report.batches += scan.batchCount
                report.records += scan.recordCount
                report.uncompressedBytes += scan.uncompressedBytes
                if scan.batchCount > 0 || start != nil {
                    segmentEnd = scan.nextOffset
                    link = scan.lastLink
                    lastTimestamp = scan.lastTimestamp ?? lastTimestamp
                }
                guard let position = scan.stop.position else { break }
                let later = try scanner.findValidBatch(after: position)
                if let later {
                    problem(position, "\(scan.stop), offsets from \(scan.nextOffset) affected; a valid batch follows at byte \(later)")
                    let next = try file.read(at: later, count: BatchHeader.size)
                    guard case .success(let resumed) = next.withUnsafeBytes({ BatchHeader.decode($0) }) else { break }
                    start = ScanStart(position: later, offset: resumed.baseOffset, link: nil, timestamp: nil)
                } else {
                    let what = isLast ? "torn or garbage tail (\(size - position) bytes; open truncates it)" : "sealed segment ends in damage (\(size - position) bytes)"
                    problem(position, "\(what): \(scan.stop)")
                    break
                }
            }
            expectedOffset = segmentEnd

            if !isLast || clean {
                verifyIndex(base: base, segmentLength: size, batches: batches, directory: directory, storage: storage) { problem(nil, $0) }
            }
        }
        report.endOffset = expectedOffset ?? 0
        report.headLink = link
        return report
    }

    /// Decompresses a batch and checks its records' framing; returns a problem or nil.
    static func checkRecords(_ batch: BatchHeader, payload: UnsafeRawBufferPointer, decompressor: ZstdDecompressor, body: inout [UInt8]) -> String? {
        do {
            switch batch.codec {
            case .none:
                return try RecordCodec.forEach(in: payload, header: batch) { _ in true }
            case .zstd:
                let size = Int(batch.uncompressedLength)
                if body.count < size { body = [UInt8](repeating: 0, count: size) }
                let ok = body.withUnsafeMutableBytes { decompressor.decompress(payload, into: UnsafeMutableRawBufferPointer(rebasing: $0[0..<size])) }
                guard ok else { return "payload does not decompress to \(size) bytes" }
                return try body.withUnsafeBytes { try RecordCodec.forEach(in: UnsafeRawBufferPointer(rebasing: $0[0..<size]), header: batch) { _ in true } }
            }
        } catch {
            return "\(error)"
        }
    }

    private static func verifyIndex(base: UInt64, segmentLength: UInt64, batches: [UInt64: BatchHeader], directory: String,
                                    storage: any Storage, problem: (String) -> Void) {
        let offsetPath = directory + "/" + SegmentFileName.offsetIndex(base)
        let timePath = directory + "/" + SegmentFileName.timeIndex(base)
        guard storage.exists(offsetPath), storage.exists(timePath) else {
            problem("index files missing (rebuilt at next open)")
            return
        }
        do {
            func whole(_ path: String) throws -> [UInt8] {
                let file = try storage.openFile(path, create: false)
                defer { file.close() }
                return try file.read(at: 0, count: Int(min(try file.size(), 1 << 30)))
            }
            switch SegmentIndex.decode(offsetIndex: try whole(offsetPath), timeIndex: try whole(timePath), baseOffset: base, segmentLength: segmentLength) {
            case .failure(let reason):
                problem("index: \(reason) (rebuilt at next open)")
            case .success(let index):
                for entry in index.entries {
                    guard let batch = batches[entry.position], batch.baseOffset == entry.offset, batch.firstTimestamp == entry.timestamp else {
                        problem("index entry for offset \(entry.offset) at byte \(entry.position) does not match a batch (rebuilt at next open)")
                        return
                    }
                }
            }
        } catch {
            problem("index unreadable: \(error)")
        }
    }
}
