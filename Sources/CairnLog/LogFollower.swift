import Dispatch

/// Follows a log directory while another process (or another part of this one) appends to it:
/// an endless, in-order sequence of records from an offset, read from the files as they are on
/// disk. It takes no lock and changes no file, so it runs beside the log's writer.
///
/// What a follower sees (also in docs/tailing.md):
///
/// - Records in offset order, with no gap and no duplicate, from `offset` on. An offset beyond
///   the end is waited for; an offset before the first segment's base offset throws
///   `.invalidArgument`. A directory with no segment yet (the log was not created) is waited for.
///   To resume after a stop, start a new follower at the last offset seen plus one.
/// - Records as soon as they are written, not when they are acknowledged: beside a writer under
///   a relaxed fsync policy (and, for the instant before the sync returns, under `.always`) it can
///   return records that are written but not yet durable. A power loss can take those out of the
///   log again; for the change log, the projector appends the same changes at the same offsets
///   after a crash (docs/projections.md).
/// - A batch still being written (torn, or failing its CRC, at the very end of the last segment)
///   is "not yet": the follower waits and reads it again, and never reports it as damage nor skips
///   it. Segment rolls are followed: the next segment is opened once the current one is sealed.
///
/// Iteration throws `LogError` with `.corrupted` for damage that cannot be a write in progress (a
/// valid batch after a bad one, a sealed segment that ends early, a batch that does not continue
/// the log, a segment that shrank below what was already read), `.invalidArgument` for an offset
/// before the log's start, `.io` on read errors, and `CancellationError` when the task is
/// cancelled. After a throw the iterator is finished.
///
/// New data is found by polling the active segment's size and the directory's listing, every
/// `pollIntervalMsMin` milliseconds at first and up to `pollIntervalMsMax` when nothing arrives.
/// File I/O runs on Dispatch's global queue, never on the cooperative pool; the waits between
/// polls are `Task.sleep`. Memory is bounded: records are read in chunks of at most
/// `chunkRecordsMax` records and about `chunkBytesMax` bytes, plus one batch.
public struct LogFollower: AsyncSequence, Sendable {
    public typealias Element = LogRecord

    /// How a follower polls and how much it reads at once.
    public struct Configuration: Sendable, Equatable {
        /// The wait after a poll that found nothing, at first (1...60000).
        public var pollIntervalMsMin = 10
        /// The longest wait between polls while nothing arrives; the wait doubles up to it.
        public var pollIntervalMsMax = 100
        /// Records returned by one read (>= 1).
        public var chunkRecordsMax = 1000
        /// Payload bytes after which a read stops (>= 1); a chunk holds at least one record.
        public var chunkBytesMax = 4 << 20

        public init() {}
    }

    public let directory: String
    /// The first offset the follower returns.
    public let offset: UInt64
    public let configuration: Configuration
    private let storage: any Storage

    /// A follower of the log in `directory` from `offset`. Opens nothing until iterated. Traps when
    /// the configuration's values are out of range (a programmer error).
    public init(directory: String, from offset: UInt64 = 0, configuration: Configuration = Configuration(),
                storage: any Storage = PosixStorage()) {
        precondition(configuration.pollIntervalMsMin >= 1 && configuration.pollIntervalMsMin <= configuration.pollIntervalMsMax
                     && configuration.pollIntervalMsMax <= 60_000, "poll intervals must satisfy 1 <= min <= max <= 60000 ms")
        precondition(configuration.chunkRecordsMax >= 1 && configuration.chunkBytesMax >= 1, "chunk limits must be positive")
        self.directory = directory
        self.offset = offset
        self.configuration = configuration
        self.storage = storage
    }

    public func makeAsyncIterator() -> Iterator {
        Iterator(cursor: FollowCursor(directory: directory, storage: storage, next: offset, configuration: configuration),
                 configuration: configuration, nextOffset: offset)
    }

    /// Reads for one task at a time: each `next()` or `nextChunk()` finishes its read before it
    /// returns, and the iterator is not to be used from two tasks at once.
    public struct Iterator: AsyncIteratorProtocol {
        private let cursor: FollowCursor
        private let configuration: Configuration
        private var buffered: [LogRecord] = []
        private var index = 0
        private var finished = false
        /// The offset of the next record this iterator returns.
        public private(set) var nextOffset: UInt64

        init(cursor: FollowCursor, configuration: Configuration, nextOffset: UInt64) {
            self.cursor = cursor
            self.configuration = configuration
            self.nextOffset = nextOffset
        }

        /// The next record, waiting for it as long as it takes. The sequence has no end: nil comes
        /// only after a call has thrown.
        public mutating func next() async throws -> LogRecord? {
            if index == buffered.count {
                buffered = try await nextChunk()
                index = 0
                if buffered.isEmpty { return nil }
            }
            let record = buffered[index]
            index += 1
            nextOffset = record.offset + 1
            return record
        }

        /// The next records in order, at least one, up to the chunk limits (the rest of a chunk
        /// `next()` has started, if any). Waits as long as it takes. Empty only once finished.
        public mutating func nextChunk() async throws -> [LogRecord] {
            if index < buffered.count {
                defer { buffered = []; index = 0 }
                nextOffset = buffered[buffered.count - 1].offset + 1
                return Array(buffered[index...])
            }
            guard !finished else { return [] }
            do {
                var waitMs = configuration.pollIntervalMsMin
                while true {
                    try Task.checkCancellation()
                    let records = try await cursor.poll()
                    if let last = records.last {
                        nextOffset = last.offset + 1
                        return records
                    }
                    try await Task.sleep(for: .milliseconds(waitMs))
                    waitMs = Swift.min(waitMs * 2, configuration.pollIntervalMsMax)
                }
            } catch {
                finished = true
                cursor.close()
                throw error
            }
        }
    }
}

// MARK: The cursor

/// The follower's position and open segment. Every method does blocking file I/O; `poll()` runs it
/// on a Dispatch queue.
final class FollowCursor: @unchecked Sendable {
    // Safe by use: an iterator is used from one task and awaits each poll before starting the next
    // (or closing), so the mutable state below is never touched by two threads at once, and each
    // continuation's resumption orders one poll's effects before the next.

    /// Segment changes (open, advance, relocate) in one poll; a bound so a poll always returns.
    static let stepsMax = 64
    /// Spacing of the in-memory index the reader uses to find the first wanted batch.
    static let indexIntervalBytes = 4096

    private struct Segment {
        let base: UInt64
        let file: any StorageFile
        let header: SegmentHeader
        /// The segment as far as it has been checked, for `reader`.
        let table: SegmentTable
        let reader: LogReader
        /// Where the next scan starts: after the last valid batch seen.
        var start: ScanStart
        /// The last stop found damaged-looking in the last segment, the file size then and the
        /// position of a valid batch after it, so the search is not repeated until the file grows.
        var badStop: (position: UInt64, size: UInt64, validAfter: UInt64?)?

        func close() {
            reader.close()
            file.close()
        }
    }

    private let directory: String
    private let storage: any Storage
    private let configuration: LogFollower.Configuration
    /// The offset of the next record to return.
    private var next: UInt64
    private var segment: Segment?

    init(directory: String, storage: any Storage, next: UInt64, configuration: LogFollower.Configuration) {
        self.directory = directory
        self.storage = storage
        self.next = next
        self.configuration = configuration
    }

    deinit { segment?.close() }

    /// `pollBlocking()` on a Dispatch queue.
    func poll() async throws -> [LogRecord] {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async {
                continuation.resume(with: Result { try self.pollBlocking() })
            }
        }
    }

    /// Releases the open files (after the last poll has returned).
    func close() {
        segment?.close()
        segment = nil
    }

    /// The next chunk of records from `next` on, or none when nothing new is on disk yet.
    func pollBlocking() throws -> [LogRecord] {
        for _ in 0..<Self.stepsMax {
            if segment == nil {
                guard let opened = try openSegment(containing: next) else { return [] }
                segment = opened
            }
            let records = try segment!.reader.read(from: next, maxRecords: configuration.chunkRecordsMax, maxBytes: configuration.chunkBytesMax)
            if let last = records.last {
                next = last.offset + 1
                return records
            }
            switch try extend() {
            case .progress:
                continue
            case .wait:
                return []
            case .relocate:
                close()
            case .advance(let base):
                let previous = segment!
                guard let opened = try openSegment(base: base, after: previous) else { return [] }
                previous.close()
                segment = opened
            }
        }
        return []
    }

    // MARK: Segments

    /// The bases of the segment files in the directory, sorted; empty when it does not exist.
    private func listBases() throws -> [UInt64] {
        do {
            return try storage.listDirectory(directory).compactMap(SegmentFileName.baseOffset(ofSegment:)).sorted()
        } catch let error as LogError where error.code == .notFound {
            return []
        }
    }

    /// Opens the segment holding `offset` (the last one whose base is at or before it); nil while
    /// the log has no segment. Throws `.invalidArgument` when `offset` is before the first base.
    private func openSegment(containing offset: UInt64) throws -> Segment? {
        let bases = try listBases()
        guard let first = bases.first else { return nil }
        guard offset >= first else {
            throw LogError(.invalidArgument, "offset \(offset) is before the log's first offset \(first) in \(directory): the records before it are no longer kept; start at \(first) or later", path: directory)
        }
        return try openSegment(base: bases.last(where: { $0 <= offset })!, after: nil)
    }

    /// Opens segment `base`; after `previous` (a roll), checks that it continues it. Nil when the
    /// file is gone (it is looked for again at the next poll).
    private func openSegment(base: UInt64, after previous: Segment?) throws -> Segment? {
        let path = directory + "/" + SegmentFileName.segment(base)
        let file: any StorageFile
        do {
            file = try storage.openFile(path, create: false)
        } catch let error as LogError where error.code == .notFound {
            return nil
        }
        do {
            let header: SegmentHeader
            switch SegmentHeader.decode(try file.read(at: 0, count: SegmentHeader.size)) {
            case .failure(let reason): throw LogError(.corrupted, "\(path): \(reason)", path: path)
            case .success(let decoded): header = decoded
            }
            guard header.baseOffset == base else {
                throw LogError(.corrupted, "\(path) says its base offset is \(header.baseOffset)", path: path)
            }
            if let previous, header.previousLink != previous.start.link {
                throw LogError(.corrupted, "\(path) does not chain from the last batch of \(SegmentFileName.segment(previous.base))", path: path)
            }
            let table = SegmentTable([SegmentEntry(baseOffset: base, path: path, length: UInt64(SegmentHeader.size), endOffset: base,
                                                   index: SegmentIndex(baseOffset: base, intervalBytes: Self.indexIntervalBytes))])
            // Timestamps are checked within a segment only: a writer reopened right after a roll
            // does not know the previous segment's last timestamp.
            let start = ScanStart(position: UInt64(SegmentHeader.size), offset: base, link: header.previousLink, timestamp: nil)
            return Segment(base: base, file: file, header: header, table: table, reader: LogReader(table: table, storage: storage), start: start)
        } catch {
            file.close()
            throw error
        }
    }

    private enum Step {
        case progress, wait, relocate
        case advance(UInt64)
    }

    /// Scans the current segment past what was already checked and decides what comes next
    /// (`FollowDecision`; the rows checked here first are in docs/tailing.md).
    private func extend() throws -> Step {
        guard var current = segment else { return .relocate }
        defer { segment = current }
        // The listing comes before the scan: a segment with a successor was complete before the
        // successor appeared, so what the scan then finds is all the segment will ever hold.
        let bases = try listBases()
        guard bases.contains(current.base) else { return .relocate }
        let sealed = bases.last! > current.base
        let size = try current.file.size()
        guard size >= current.start.position else {
            throw LogError(.corrupted, "\(current.file.path) shrank to \(size) bytes, below the \(current.start.position) already read: the writer dropped records from offset \(current.start.offset) or earlier (after a disk error), which this follower may have returned; follow again from an offset the log still holds", path: current.file.path)
        }
        let scanner = SegmentScanner(file: current.file, length: size, header: current.header, indexIntervalBytes: Self.indexIntervalBytes)
        let table = current.table
        // A sealed segment's batches are checked by the reader (CRC included) as it reads them;
        // the last segment's are checked here, so that a batch still being written stays unread.
        let scan = try scanner.scan(checkCRC: !sealed, from: current.start) { header, position, _ in
            table.publish(length: position + UInt64(header.frameLength), endOffset: header.endOffset, notes: [(header, position)])
        }
        let progressed = scan.nextOffset > current.start.offset
        current.start = ScanStart(position: scan.validEnd, offset: scan.nextOffset, link: scan.lastLink, timestamp: scan.lastTimestamp)
        if progressed { return .progress }

        var validAfter: UInt64?
        if !sealed, let position = scan.stop.position {
            if let known = current.badStop, known.position == position, known.size == size {
                validAfter = known.validAfter
            } else {
                validAfter = try scanner.findValidBatch(after: position)
                current.badStop = (position, size, validAfter)
            }
        }
        let successorAtEnd = bases.first(where: { $0 > current.base }) == scan.nextOffset
        switch FollowDecision.decide(stop: scan.stop, sealed: sealed, successorAtEnd: successorAtEnd, validBatchAfter: validAfter) {
        case .wait:
            return .wait
        case .advance:
            return .advance(scan.nextOffset)
        case .fail(let reason):
            // A successor that was removed again (a roll the writer undid after a disk error)
            // makes this segment the last one once more: look again before calling it damage.
            if sealed, !(try listBases().contains(where: { $0 > current.base })) { return .relocate }
            throw LogError(.corrupted, "\(current.file.path) (offsets from \(scan.nextOffset)): \(reason)", path: current.file.path)
        }
    }
}

// MARK: The decision

/// What a follower does when a scan of its segment found nothing new, decided from where the scan
/// stopped. The table (also in docs/tailing.md); "sealed" means a later segment was listed before
/// the scan, and "later valid batch" a complete batch with a valid header and CRC found after
/// the stop position in the last segment:
///
/// | scan stopped at                           | segment | later valid batch | decision            |
/// |-------------------------------------------|---------|-------------------|---------------------|
/// | end of data, a segment starts there       | sealed  | –                 | advance to it       |
/// | end of data, no segment starts there      | sealed  | –                 | fail: a gap         |
/// | end of data                               | last    | –                 | wait                |
/// | incomplete header (under 88 bytes left)   | last    | –                 | wait                |
/// | incomplete payload, invalid header or CRC | last    | no                | wait                |
/// | incomplete payload, invalid header or CRC | last    | yes               | fail: data damaged  |
/// | anything but end of data                  | sealed  | –                 | fail: data damaged  |
/// | valid CRC but wrong offset/time/link      | any     | –                 | fail                |
///
/// The "wait" rows are a batch being written (or a torn tail a crashed writer left, which its
/// recovery will cut): the next poll reads it again. They are `RecoveryDecision`'s "truncate" rows.
enum FollowDecision: Equatable, Sendable {
    case wait
    case advance
    case fail(reason: String)

    static func decide(stop: ScanStop, sealed: Bool, successorAtEnd: Bool, validBatchAfter: UInt64?) -> FollowDecision {
        switch stop {
        case .endOfData:
            if !sealed { return .wait }
            return successorAtEnd ? .advance : .fail(reason: "the sealed segment ends here but no segment starts at this offset")
        case .discontinuity:
            return .fail(reason: "\(stop): a batch with a valid CRC that does not continue the log was edited or misplaced")
        case .truncatedHeader, .truncatedPayload, .badHeader, .badCRC:
            if sealed { return .fail(reason: "\(stop) in a sealed segment") }
            if let later = validBatchAfter {
                return .fail(reason: "\(stop), with a valid batch after it at byte \(later): committed data is damaged")
            }
            return .wait
        }
    }
}
