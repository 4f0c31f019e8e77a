import Dispatch
import Logging
import Synchronization

/// A typed key-value store over one LMDB environment (a directory holding `data.mdb` and
/// `lock.mdb`), for one process: open a path once per process.
///
/// - Reads run on the caller's thread in short, closure-scoped snapshots (`read`), concurrently
///   with each other and with the writer. They do not block except briefly while the map grows.
/// - Writes run one at a time on a dedicated writer thread (`write`, `writeBlocking`), each body
///   from begin to commit inside one synchronous call; no transaction ever spans an `await`.
/// - Durability follows `StoreConfiguration.sync`: under `.always` a `write` returns after fsync.
///
/// Thread-safe: every method may be called from any thread or task. Operating errors throw
/// `StoreError`; misuse (a table of another environment, `writeBlocking` inside a write body or a
/// read) traps. Call `close()` when done; dropping the last reference closes it in the background.
public final class StoreEnvironment: Sendable {
    /// The environment directory.
    public let path: String
    public let configuration: StoreConfiguration
    private let lmdb: LMDBEnvironment
    private let writer: StoreWriter

    /// Opens (creating if needed) the environment at the directory `path`: `MDB_NOTLS`, plus
    /// `MDB_NOSYNC` under `.deferred`; clears reader slots left by dead processes
    /// (`mdb_reader_check`); starts the writer thread.
    ///
    /// - Throws: `.invalidConfiguration` naming a bad setting, `.incompatible` for a file that is
    ///   not LMDB's, or the classified failure of the LMDB call (named in the message).
    public init(path: String, configuration: StoreConfiguration = StoreConfiguration(),
                logger: Logger = Logger(label: "cairn.store")) throws {
        let lmdb = try LMDBEnvironment(path: path, configuration: configuration, logger: logger)
        self.path = path
        self.configuration = configuration
        self.lmdb = lmdb
        self.writer = StoreWriter { lmdb.close() }
    }

    deinit {
        writer.stop { _ in }
    }

    /// Runs `body` with a read snapshot on the calling thread and returns its result.
    ///
    /// Keep it short: an open snapshot pins the pages it sees (the file grows meanwhile) and holds
    /// a reader slot. Nesting `read` calls is allowed. Synchronous and non-blocking in practice
    /// (LMDB readers take no lock), so it may run on the cooperative pool; it waits only while the
    /// map grows, which waits for open reads.
    ///
    /// - Throws: `.closed`, `.readersFull`, or what the body throws.
    public func read<T>(_ body: (borrowing ReadTransaction) throws -> T) throws -> T {
        try lmdb.performRead(body)
    }

    /// Runs `body` in a write transaction on the writer thread; returns after the commit (and,
    /// under `.always`, fsync). Writes are applied in the order they reach the writer.
    ///
    /// The body may run more than once: when the map fills, the transaction is aborted, the map
    /// doubled and the body re-run, so it must not have side effects outside the transaction.
    /// When it throws, nothing it wrote is committed and its error is rethrown unchanged. Not
    /// cancellable once submitted (the commit would be done anyway).
    ///
    /// - Throws: `.mapFull` naming `mapSizeMaxBytes` when the map may not grow enough, `.closed`,
    ///   another `StoreError`, or what the body throws.
    public func write<T: Sendable>(_ body: @escaping @Sendable (borrowing WriteTransaction) throws -> T) async throws -> T {
        let lmdb = self.lmdb
        return try await withCheckedThrowingContinuation { continuation in
            let submitted = writer.submit {
                continuation.resume(with: Result { try lmdb.performWrite(body) })
            }
            if !submitted { continuation.resume(throwing: StoreError.closedError) }
        }
    }

    /// `write` for callers on a plain thread (CLI tools): blocks the calling thread until the
    /// writer thread committed `body`. Do not call it from the cooperative pool.
    ///
    /// - Precondition: not called from a write body or while this thread holds a read
    ///   transaction (growth would wait for that read: a deadlock).
    public func writeBlocking<T: Sendable>(_ body: @escaping @Sendable (borrowing WriteTransaction) throws -> T) throws -> T {
        precondition(!writer.isCurrentThread, "writeBlocking called from inside a write body")
        precondition(ThreadTransactions.depth == 0, "writeBlocking called while this thread holds a read transaction")
        let lmdb = self.lmdb
        let handoff = Handoff<T>()
        let submitted = writer.submit { handoff.finish(Result { try lmdb.performWrite(body) }) }
        guard submitted else { throw StoreError.closedError }
        return try handoff.wait().get()
    }

    /// Opens (creating if needed) the table `name` in its own write transaction.
    public func openTable<K: StoreCodec, V: StoreCodec>(_ name: String, key: K.Type = K.self, value: V.Type = V.self) async throws -> Table<K, V> {
        try await write { try $0.openTable(name) }
    }

    /// Flushes every commit so far to disk (`mdb_env_sync(env, 1)`), after the writes submitted
    /// before it; the way to make `.deferred` writes durable. Runs on the writer thread.
    public func sync() async throws {
        let lmdb = self.lmdb
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            let submitted = writer.submit { continuation.resume(with: Result { try lmdb.sync() }) }
            if !submitted { continuation.resume(throwing: StoreError.closedError) }
        }
    }

    /// `sync()` for callers on a plain thread.
    ///
    /// - Precondition: not called from a write body or while this thread holds a read transaction.
    public func syncBlocking() throws {
        precondition(!writer.isCurrentThread, "syncBlocking called from inside a write body")
        precondition(ThreadTransactions.depth == 0, "syncBlocking called while this thread holds a read transaction")
        let lmdb = self.lmdb
        let handoff = Handoff<Void>()
        guard writer.submit({ handoff.finish(Result { try lmdb.sync() }) }) else { throw StoreError.closedError }
        try handoff.wait().get()
    }

    /// The map's size, the space in use and the reader slots (`mdb_env_info`, `mdb_env_stat`).
    public func info() throws -> StoreInfo {
        try lmdb.info()
    }

    /// Closes the store: refuses new writes, lets the writer finish the queued ones, syncs under
    /// `.deferred`, waits for open reads, then `mdb_env_close`. Idempotent; later calls to any
    /// method throw `.closed`.
    ///
    /// - Throws: the error of the final sync, if it failed.
    public func close() async throws {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            writer.stop { continuation.resume(with: $0.mapError { $0 as any Error }) }
        }
    }

    /// `close()` for callers on a plain thread.
    ///
    /// - Precondition: not called from a write body or while this thread holds a read transaction
    ///   (closing waits for open reads: a deadlock).
    public func closeBlocking() throws {
        precondition(!writer.isCurrentThread, "closeBlocking called from inside a write body")
        precondition(ThreadTransactions.depth == 0, "closeBlocking called while this thread holds a read transaction")
        let handoff = Handoff<Void>()
        writer.stop { handoff.finish($0.mapError { $0 as any Error }) }
        try handoff.wait().get()
    }
}

/// Carries a result from the writer thread to a blocked caller.
private final class Handoff<T: Sendable>: Sendable {
    private let result = Mutex<Result<T, any Error>?>(nil)
    private let done = DispatchSemaphore(value: 0)

    func finish(_ outcome: Result<T, any Error>) {
        result.withLock { $0 = outcome }
        done.signal()
    }

    func wait() -> Result<T, any Error> {
        done.wait()
        return result.withLock { $0! }
    }
}
