import CLMDB
import Glibc
import Logging
import Synchronization

/// The open `MDB_env` and the gate that orders resizing and closing against transactions.
///
/// `@unchecked Sendable`, and the only such type in the module. Why it is safe:
/// - LMDB's environment handle is thread-safe: `mdb_txn_begin`, `mdb_env_info`, `mdb_env_stat` and
///   `mdb_env_sync` may be called from any thread at once. With `MDB_NOTLS` a read transaction is
///   tied to its `MDB_txn` object instead of the thread, so a read may begin on one thread and its
///   caller continue on another between transactions (what Swift tasks do).
/// - The calls that are not thread-safe are confined: write transactions, `mdb_dbi_open` and
///   `mdb_env_set_mapsize` run only on the `StoreWriter` thread; `set_mapsize` and
///   `mdb_env_close` run only inside `gate.exclusive`/`gate.close`, with no transaction open.
/// - `env` is never used after `mdb_env_close`: every use happens between `gate.enter()` (which
///   throws `.closed` once closed) and `gate.leave()`, or on the writer thread before it closes.
/// - The remaining stored properties are immutable, or the gate (a pthread mutex and condition).
final class LMDBEnvironment: @unchecked Sendable {
    let env: OpaquePointer
    let path: String
    let configuration: StoreConfiguration
    let gate = TransactionGate()
    /// Puts and deletes of committed write transactions (`StoreInfo.committedWrites`).
    let committedWrites = Atomic<Int>(0)
    let logger: Logger
    /// Tells this environment's tables from another's.
    let id: UInt64
    /// The largest key LMDB accepts (`mdb_env_get_maxkeysize`).
    let keyBytesMax: Int

    private static let nextID = Atomic<UInt64>(1)

    /// Creates the directory if missing, opens the environment and clears stale reader slots.
    ///
    /// - Throws: `StoreError` naming the failing call and the path.
    init(path: String, configuration: StoreConfiguration, logger: Logger) throws {
        try configuration.validate()
        if mkdir(path, 0o755) != 0 && errno != EEXIST {
            throw StoreError.lmdb(errno, "mkdir", path: path)
        }
        var handle: OpaquePointer?
        let rc = mdb_env_create(&handle)
        guard rc == 0, let env = handle else { throw StoreError.lmdb(rc, "mdb_env_create", path: path) }
        func check(_ rc: Int32, _ call: String) throws {
            guard rc == 0 else {
                mdb_env_close(env)
                throw StoreError.lmdb(rc, call, path: path)
            }
        }
        try check(mdb_env_set_mapsize(env, configuration.mapSizeBytes), "mdb_env_set_mapsize")
        try check(mdb_env_set_maxreaders(env, UInt32(configuration.readersMax)), "mdb_env_set_maxreaders")
        try check(mdb_env_set_maxdbs(env, MDB_dbi(configuration.tablesMax)), "mdb_env_set_maxdbs")
        // Flag macros import as Int32; the functions take UInt32. MDB_NOSUBDIR stays off: the
        // environment is a directory holding data.mdb and lock.mdb.
        var flags = UInt32(MDB_NOTLS)
        if configuration.sync == .deferred { flags |= UInt32(MDB_NOSYNC) }
        try check(mdb_env_open(env, path, flags, 0o644), "mdb_env_open")
        // Keep the size the map last grew to when it is larger than the configured one: adopt the
        // size recorded in the file (size 0), then raise it to the configured size if needed. No
        // transaction exists yet, so resizing is legal.
        try check(mdb_env_set_mapsize(env, 0), "mdb_env_set_mapsize")
        var info = MDB_envinfo()
        try check(mdb_env_info(env, &info), "mdb_env_info")
        if info.me_mapsize < configuration.mapSizeBytes {
            try check(mdb_env_set_mapsize(env, configuration.mapSizeBytes), "mdb_env_set_mapsize")
        }
        var dead: Int32 = 0
        try check(mdb_reader_check(env, &dead), "mdb_reader_check")

        self.env = env
        self.path = path
        self.configuration = configuration
        self.logger = logger
        self.id = Self.nextID.wrappingAdd(1, ordering: .relaxed).oldValue
        self.keyBytesMax = Int(mdb_env_get_maxkeysize(env))
        if dead > 0 {
            logger.notice("cleared stale reader slots", metadata: ["path": "\(path)", "slots": "\(dead)"])
        }
    }

    /// The current size of the map. Caller holds a transaction or runs on the writer thread.
    var mapSizeBytes: Int {
        var info = MDB_envinfo()
        _ = mdb_env_info(env, &info)
        return info.me_mapsize
    }

    /// Begins a transaction inside the gate; pair with `end(_:)`.
    func begin(readOnly: Bool) throws -> OpaquePointer {
        try gate.enter()
        var txn: OpaquePointer?
        let rc = mdb_txn_begin(env, nil, readOnly ? UInt32(MDB_RDONLY) : 0, &txn)
        guard rc == 0, let txn else {
            gate.leave()
            throw StoreError.lmdb(rc, readOnly ? "mdb_txn_begin (read)" : "mdb_txn_begin (write)", path: path)
        }
        return txn
    }

    /// Leaves the gate after the transaction from `begin` was committed or aborted.
    func end() {
        gate.leave()
    }

    /// Doubles the map after `MDB_MAP_FULL`, up to `mapSizeMaxBytes`. Writer thread only, with no
    /// write transaction open; waits for open read transactions to end.
    ///
    /// - Throws: `StoreError.mapFull` naming `mapSizeMaxBytes` when the map is at the maximum.
    func growMap() throws {
        try gate.exclusive {
            let current = mapSizeBytes
            let max = configuration.mapSizeMaxBytes
            guard let next = StoreConfiguration.grownMapSize(from: current, max: max, pageBytes: StoreConfiguration.pageBytes) else {
                throw StoreError(.mapFull, "the store at \(path) is full at a map of \(current) bytes and "
                    + "StoreConfiguration.mapSizeMaxBytes (\(max)) allows no more; raise mapSizeMaxBytes or free space",
                    lmdbCode: MDB_MAP_FULL)
            }
            let rc = mdb_env_set_mapsize(env, next)
            guard rc == 0 else { throw StoreError.lmdb(rc, "mdb_env_set_mapsize(\(next))", path: path) }
            logger.info("grew the LMDB map", metadata: ["path": "\(path)", "fromBytes": "\(current)", "toBytes": "\(next)"])
        }
    }

    /// Adopts a map size another process set (`MDB_MAP_RESIZED`). Writer thread only.
    func adoptMapSize() throws {
        try gate.exclusive {
            let rc = mdb_env_set_mapsize(env, 0)
            guard rc == 0 else { throw StoreError.lmdb(rc, "mdb_env_set_mapsize(0)", path: path) }
        }
    }

    /// Flushes the data file (`mdb_env_sync(env, 1)`), even under `MDB_NOSYNC`.
    func sync() throws {
        try gate.enter()
        defer { gate.leave() }
        let rc = mdb_env_sync(env, 1)
        guard rc == 0 else { throw StoreError.lmdb(rc, "mdb_env_sync", path: path) }
    }

    /// Syncs when commits were deferred, waits for open reads, and closes the environment.
    /// Writer thread only, after the last write. Returns the outcome of the final sync.
    func close() -> Result<Void, StoreError> {
        var outcome: Result<Void, StoreError> = .success(())
        if configuration.sync == .deferred {
            do {
                try sync()
            } catch {
                outcome = .failure(error as? StoreError ?? StoreError(.io, "final sync failed: \(error)"))
            }
        }
        _ = gate.close { mdb_env_close(env) }
        return outcome
    }
}
