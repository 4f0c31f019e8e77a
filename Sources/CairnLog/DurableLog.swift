import Dispatch
import Logging
import Synchronization

/// An append-only, segmented, compressed, checksummed log of opaque records, safe across crashes.
///
/// One `DurableLog` owns one directory (an exclusive lock file enforces it across processes) and
/// has exactly one writer thread. Any number of tasks may call `append` concurrently: appends are
/// grouped, written and synced together, and each call returns once its records are acknowledged
/// under the configured `FsyncPolicy`. Readers (`makeReader()`, `records(from:)`) run concurrently
/// with appends and see only visible records.
///
/// The directory holds `<20-digit base offset>.log` segments with their `.index` and `.timeindex`
/// files; the format and the recovery rules are in docs/on-disk-format.md and docs/recovery.md.
public final class DurableLog: Sendable {
    public let directory: String
    public let configuration: LogConfiguration
    /// What recovery did at open, one line per action (truncations, index rebuilds, removed
    /// leftovers); usually empty after a clean shutdown.
    public let recoveryActions: [String]
    /// Whether the previous close was clean.
    public let openedCleanly: Bool

    private let storage: any Storage
    private let queue: AppendQueue
    private let table: SegmentTable
    private let waiters: EndWaiters
    private let lock: any StorageLock
    private let lifecycle = Mutex(Lifecycle())

    private struct Lifecycle {
        var finished = false
        var closeError: LogError?
        var closers: [CheckedContinuation<Void, Never>] = []
    }

    /// Opens (creating if needed) the log in `directory`, running recovery. Blocks on file I/O:
    /// call it from a thread that may block, or use `open(directory:…) async`.
    ///
    /// Throws `.invalidConfiguration`, `.locked` when another process has the log open,
    /// `.corrupted` when committed data is damaged (the message names the segment, byte position
    /// and offsets), `.io`/`.noSpace` on file-system errors.
    public static func openBlocking(
        directory: String,
        configuration: LogConfiguration = LogConfiguration(),
        storage: any Storage = PosixStorage(),
        clock: any LogClock = SystemClock(),
        logger: Logger = Logger(label: "cairn.log")
    ) throws -> DurableLog {
        try configuration.validate()
        try storage.createDirectory(directory)
        let lock = try storage.lockFile(directory + "/" + SegmentFileName.lockFile)
        do {
            let opener = LogOpener(directory: directory, storage: storage, configuration: configuration, logger: logger)
            let opened = try opener.open()
            return DurableLog(directory: directory, configuration: configuration, storage: storage, clock: clock,
                              logger: logger, lock: lock, opener: opener, opened: opened)
        } catch {
            lock.release()
            throw error
        }
    }

    /// `openBlocking` run on a thread outside the cooperative pool.
    public static func open(
        directory: String,
        configuration: LogConfiguration = LogConfiguration(),
        storage: any Storage = PosixStorage(),
        clock: any LogClock = SystemClock(),
        logger: Logger = Logger(label: "cairn.log")
    ) async throws -> DurableLog {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async {
                continuation.resume(with: Result {
                    try openBlocking(directory: directory, configuration: configuration, storage: storage, clock: clock, logger: logger)
                })
            }
        }
    }

    private init(directory: String, configuration: LogConfiguration, storage: any Storage, clock: any LogClock,
                 logger: Logger, lock: any StorageLock, opener: LogOpener, opened: OpenedLog) {
        self.directory = directory
        self.configuration = configuration
        self.recoveryActions = opened.actions
        self.openedCleanly = opened.wasClean
        self.storage = storage
        self.lock = lock
        self.queue = AppendQueue(bytesMax: configuration.queueBytesMax)
        self.table = SegmentTable(opened.segments)
        self.waiters = EndWaiters(end: opened.nextOffset)
        let writer = LogWriter(opened: opened, configuration: configuration, opener: opener, clock: clock, logger: logger,
                               queue: queue, table: table, onPublish: { [waiters] end in waiters.advance(to: end) })
        let sendableWriter = UncheckedTransfer(writer)
        OSThread.spawn(name: "cairn-log-writer") { [self] in
            let error = sendableWriter.value.run()
            finish(error)
        }
    }

    // MARK: Appending

    /// Appends `records` as one contiguous run and returns the offset of the first; the others
    /// follow densely. Returns once the records are acknowledged under the fsync policy (after
    /// fdatasync under `.always`).
    ///
    /// Throws `.invalidArgument` (empty call, too many records, a record over `recordBytesMax`),
    /// `.overloaded` when the queue is full, `.noSpace`/`.io`/`.failed` when the disk failed (no
    /// record of the call was acknowledged), `.closed` after `close()`.
    public func append(_ records: [AppendRecord]) async throws -> UInt64 {
        let bytes = try check(records)
        return try await queue.enqueue(records, bytes: bytes, overload: configuration.overload)
    }

    /// Enqueues `records` without waiting and returns a ticket for the outcome. Successive calls
    /// from one thread or task are written in call order, which lets a single producer keep many
    /// appends in flight and still keep its order. Throws `.overloaded` at once when the queue is
    /// full (whatever the overload policy), and the errors of `append` for invalid input.
    public func submit(_ records: [AppendRecord]) throws -> AppendTicket {
        try queue.submit(records, bytes: try check(records))
    }

    /// Checks an append's limits; returns its queued size.
    private func check(_ records: [AppendRecord]) throws -> Int {
        guard !records.isEmpty else { throw LogError(.invalidArgument, "append needs at least one record") }
        guard records.count <= configuration.appendRecordsMax else {
            throw LogError(.invalidArgument, "append of \(records.count) records exceeds appendRecordsMax \(configuration.appendRecordsMax)")
        }
        var bytes = 0
        for (i, record) in records.enumerated() {
            let size = record.payload.count + (record.key?.count ?? 0)
            guard size <= configuration.recordBytesMax else {
                throw LogError(.invalidArgument, "record \(i) is \(size) bytes, over recordBytesMax \(configuration.recordBytesMax)")
            }
            bytes += record.encodedLength
        }
        guard bytes <= configuration.queueBytesMax else {
            throw LogError(.invalidArgument, "append of \(bytes) bytes exceeds queueBytesMax \(configuration.queueBytesMax); split it")
        }
        return bytes
    }

    /// Appends one record; returns its offset.
    public func append(_ record: AppendRecord) async throws -> UInt64 {
        try await append([record])
    }

    // MARK: Reading

    /// Offset after the last visible record (0 for an empty log).
    public var endOffset: UInt64 { table.visibleEnd }

    /// A reader with its own file handles. See `LogReader`.
    public func makeReader() -> LogReader {
        LogReader(table: table, storage: storage)
    }

    /// Waits until a record beyond `offset` is visible, i.e. until `endOffset > offset`, and returns
    /// the new end. Woken right after each commit. Cancellable; throws `.closed` at close.
    public func waitForEnd(beyond offset: UInt64) async throws -> UInt64 {
        try await waiters.wait(beyond: offset)
    }

    /// Records from `offset` on, in order, waiting for new ones as they are committed (tailing).
    /// Reads run on a Dispatch queue, not the cooperative pool. Ends with `.closed` at close.
    public func records(from offset: UInt64, chunkRecordsMax: Int = 1000) -> LogTail {
        LogTail(log: self, offset: offset, chunkRecordsMax: chunkRecordsMax)
    }

    /// Segment count and sizes, from the in-memory table (no I/O).
    public var segmentCount: Int { table.segmentCount }

    // MARK: Closing

    /// Stops accepting appends, writes everything queued, syncs, writes the active segment's
    /// indexes and a clean-shutdown marker, and releases the directory. Readers must not be used
    /// afterwards. Throws the error that prevented a clean close; the next open then scans the
    /// active segment. Under `.always` every acknowledged record is durable regardless; under the
    /// relaxed policies a failed final sync can lose what was acknowledged since the last sync.
    ///
    /// A log must be closed: its writer thread keeps it (and its files and lock) alive until then.
    public func close() async throws {
        queue.close()
        await withCheckedContinuation { continuation in
            let done = lifecycle.withLock { state -> Bool in
                if state.finished { return true }
                state.closers.append(continuation)
                return false
            }
            if done { continuation.resume() }
        }
        if let error = lifecycle.withLock({ $0.closeError }) { throw error }
    }

    private func finish(_ error: LogError?) {
        table.markClosed()
        waiters.close()
        lock.release()
        let closers = lifecycle.withLock { state -> [CheckedContinuation<Void, Never>] in
            state.finished = true
            state.closeError = error
            defer { state.closers.removeAll() }
            return state.closers
        }
        for closer in closers { closer.resume() }
    }
}

/// Moves a non-Sendable value to another thread that becomes its only user.
struct UncheckedTransfer<Value>: @unchecked Sendable {
    // Safe by use: the sender gives the value up; only the receiving thread touches it afterwards.
    let value: Value
    init(_ value: Value) { self.value = value }
}
