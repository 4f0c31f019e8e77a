import CLMDB

/// A snapshot of an environment's sizes, from `mdb_env_info` and `mdb_env_stat`.
public struct StoreInfo: Sendable, Equatable {
    /// The current size of the memory map: the most the data file may grow to before the next
    /// growth (see `StoreConfiguration.mapSizeMaxBytes`).
    public let mapSizeBytes: Int
    /// Bytes of the map in use: pages up to the last one written.
    public let usedBytes: Int
    /// LMDB's page size.
    public let pageBytes: Int
    /// Reader slots in the lock table, and how many are taken.
    public let readersMax: Int
    public let readersUsed: Int
    /// The id of the last committed write transaction.
    public let lastTransactionID: Int
    /// Puts and deletes committed through this environment object since it was opened.
    public let committedWrites: Int
}

extension LMDBEnvironment {
    /// - Throws: `.closed`, or the classified failure of `mdb_env_info`/`mdb_env_stat`.
    func info() throws -> StoreInfo {
        try gate.enter()
        defer { gate.leave() }
        var info = MDB_envinfo()
        var rc = mdb_env_info(env, &info)
        guard rc == 0 else { throw StoreError.lmdb(rc, "mdb_env_info", path: path) }
        var stat = MDB_stat()
        rc = mdb_env_stat(env, &stat)
        guard rc == 0 else { throw StoreError.lmdb(rc, "mdb_env_stat", path: path) }
        let pageBytes = Int(stat.ms_psize)
        return StoreInfo(
            mapSizeBytes: info.me_mapsize,
            usedBytes: (info.me_last_pgno + 1) * pageBytes,
            pageBytes: pageBytes,
            readersMax: Int(info.me_maxreaders),
            readersUsed: Int(info.me_numreaders),
            lastTransactionID: info.me_last_txnid,
            committedWrites: committedWrites.load(ordering: .relaxed)
        )
    }
}
