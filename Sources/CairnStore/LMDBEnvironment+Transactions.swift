import CLMDB

extension LMDBEnvironment {
    /// Times the writer adopts another process's map size before giving up (`MDB_MAP_RESIZED`).
    static let adoptMapSizeAttemptsMax = 3

    /// Runs `body` in one write transaction, begin to commit, on the calling thread (the writer).
    ///
    /// On `MDB_MAP_FULL`, from any write in the body (caught by the body or not) or from the
    /// commit: abort, double the map (waiting for open reads, see `TransactionGate`) and run the
    /// body again on a fresh transaction. The loop ends because each growth strictly enlarges the
    /// map and `growMap` throws `.mapFull` at `mapSizeMaxBytes`. When the body throws, the
    /// transaction is aborted and the error rethrown unchanged: nothing it wrote is committed.
    func performWrite<T>(_ body: (borrowing WriteTransaction) throws -> T) throws -> T {
        var adoptions = 0
        while true {
            let txn: OpaquePointer
            do {
                txn = try begin(readOnly: false)
            } catch let error as StoreError where error.code == .mapResized && adoptions < Self.adoptMapSizeAttemptsMax {
                adoptions += 1
                try adoptMapSize()
                continue
            }
            let state = WriteState()
            let outcome: Result<T, any Error>
            do {
                let transaction = WriteTransaction(core: core(txn), state: state)
                outcome = .success(try body(transaction))
            } catch {
                outcome = .failure(error)
            }
            if state.mapFull {
                mdb_txn_abort(txn)
                end()
                try growMap()
                continue
            }
            let value: T
            switch outcome {
            case .failure(let error):
                mdb_txn_abort(txn)
                end()
                throw error
            case .success(let result):
                value = result
            }
            // mdb_txn_commit frees the transaction whatever it returns: no abort after it.
            let rc = mdb_txn_commit(txn)
            end()
            if rc == MDB_MAP_FULL {
                try growMap()
                continue
            }
            guard rc == 0 else { throw StoreError.lmdb(rc, "mdb_txn_commit", path: path) }
            committedWrites.add(state.writes, ordering: .relaxed)
            return value
        }
    }

    /// Runs `body` in a read transaction on the calling thread, then aborts it (reads never commit).
    func performRead<T>(_ body: (borrowing ReadTransaction) throws -> T) throws -> T {
        let txn = try begin(readOnly: true)
        defer {
            mdb_txn_abort(txn)
            end()
        }
        return try body(ReadTransaction(core: core(txn)))
    }

    private func core(_ txn: OpaquePointer) -> TransactionCore {
        TransactionCore(txn: txn, environmentID: id, keyBytesMax: keyBytesMax)
    }
}
