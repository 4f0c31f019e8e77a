import CLMDB

/// The operations shared by read and write transactions, over a live `MDB_txn`. Internal: the
/// public transaction types forward to it and never let the handle out.
struct TransactionCore {
    let txn: OpaquePointer
    let environmentID: UInt64
    let keyBytesMax: Int

    /// Traps when `table` was opened by another environment: a programmer error.
    func check<K, V>(_ table: Table<K, V>) {
        precondition(table.environmentID == environmentID,
                     "table '\(table.name)' belongs to another StoreEnvironment")
    }

    /// Throws `.keyTooLarge` for an empty key or one beyond LMDB's limit, before LMDB sees it.
    func checkKey(_ key: [UInt8], table: String) throws {
        guard !key.isEmpty else {
            throw StoreError(.keyTooLarge, "a key must not be empty", table: table, lmdbCode: MDB_BAD_VALSIZE)
        }
        guard key.count <= keyBytesMax else {
            throw StoreError(.keyTooLarge, "a key of \(key.count) bytes exceeds LMDB's limit of \(keyBytesMax)",
                             table: table, lmdbCode: MDB_BAD_VALSIZE)
        }
    }

    func get<K, V>(_ table: Table<K, V>, _ key: K) throws -> V? {
        try getRaw(table, key) { try decode(V.self, from: $0, table: table.name) }
    }

    func contains<K, V>(_ table: Table<K, V>, _ key: K) throws -> Bool {
        try getRaw(table, key) { _ in () } != nil
    }

    /// Looks `key` up and hands the stored value, valid during the call only, to `body`.
    private func getRaw<K, V, R>(_ table: Table<K, V>, _ key: K, _ body: (UnsafeRawBufferPointer) throws -> R) throws -> R? {
        check(table)
        let keyBytes = key.encoded
        try checkKey(keyBytes, table: table.name)
        var data = MDB_val()
        let rc = keyBytes.withUnsafeBytes { raw in
            var keyVal = MDB_val(raw)
            return mdb_get(txn, table.dbi, &keyVal, &data)
        }
        if rc == MDB_NOTFOUND { return nil }
        guard rc == 0 else { throw StoreError.lmdb(rc, "mdb_get", table: table.name) }
        return try body(data.buffer)
    }

    /// Entries in the table (`mdb_stat`'s `ms_entries`).
    func count<K, V>(_ table: Table<K, V>) throws -> Int {
        check(table)
        var stat = MDB_stat()
        let rc = mdb_stat(txn, table.dbi, &stat)
        guard rc == 0 else { throw StoreError.lmdb(rc, "mdb_stat", table: table.name) }
        return stat.ms_entries
    }

    /// Visits the entries `range` selects, decoded, in its order, until `visit` returns false.
    func scan<K, V>(_ table: Table<K, V>, _ range: ScanRange<K>, _ visit: (K, V) throws -> Bool) throws {
        try scanRaw(table, range) { key, value in
            try visit(decode(K.self, from: key, table: table.name), decode(V.self, from: value, table: table.name))
        }
    }

    /// Visits raw key and value bytes (valid during the call only) with a cursor.
    private func scanRaw<K, V>(_ table: Table<K, V>, _ range: ScanRange<K>,
                               _ visit: (UnsafeRawBufferPointer, UnsafeRawBufferPointer) throws -> Bool) throws {
        check(table)
        if range.limit == 0 { return }
        var handle: OpaquePointer?
        var rc = mdb_cursor_open(txn, table.dbi, &handle)
        guard rc == 0, let cursor = handle else { throw StoreError.lmdb(rc, "mdb_cursor_open", table: table.name) }
        defer { mdb_cursor_close(cursor) }

        var key = MDB_val()
        var data = MDB_val()
        func seekRange(_ bytes: [UInt8]) -> Int32 {
            bytes.withUnsafeBytes { raw in
                key = MDB_val(raw)
                return mdb_cursor_get(cursor, &key, &data, MDB_SET_RANGE)
            }
        }
        switch range.seek {
        case .edge:
            rc = mdb_cursor_get(cursor, &key, &data, range.isReversed ? MDB_LAST : MDB_FIRST)
        case .atLeast(let bytes):
            rc = seekRange(bytes)
        case .atMost(let bytes):
            rc = seekRange(bytes)
            if rc == 0 {
                // At the first key >= bytes: keep it if equal, else step back (none: empty scan).
                if !key.buffer.elementsEqual(bytes) { rc = mdb_cursor_get(cursor, &key, &data, MDB_PREV) }
            } else if rc == MDB_NOTFOUND {
                rc = mdb_cursor_get(cursor, &key, &data, MDB_LAST)
            }
        case .below(let bytes):
            rc = seekRange(bytes)
            if rc == 0 {
                // At the first key >= bytes: the one before it, if any, is the last key < bytes.
                rc = mdb_cursor_get(cursor, &key, &data, MDB_PREV)
            } else if rc == MDB_NOTFOUND {
                rc = mdb_cursor_get(cursor, &key, &data, MDB_LAST)
            }
        }
        var visited = 0
        let step = range.isReversed ? MDB_PREV : MDB_NEXT
        while rc == 0 {
            let keyBytes = key.buffer
            // Keys with the prefix are contiguous, and the seek starts inside or past them.
            if !range.prefix.isEmpty && !keyBytes.starts(with: range.prefix) { return }
            if try !visit(keyBytes, data.buffer) { return }
            visited += 1
            if let limit = range.limit, visited >= limit { return }
            rc = mdb_cursor_get(cursor, &key, &data, step)
        }
        guard rc == MDB_NOTFOUND else { throw StoreError.lmdb(rc, "mdb_cursor_get", table: table.name) }
    }

    private func decode<T: StoreCodec>(_ type: T.Type, from buffer: UnsafeRawBufferPointer, table: String) throws -> T {
        do {
            return try T.decode(from: buffer)
        } catch let error as StoreError {
            throw error.attributed(to: table)
        }
    }
}

extension MDB_val {
    /// A value pointing at `raw`, for the duration of the call that made `raw`.
    init(_ raw: UnsafeRawBufferPointer) {
        self.init(mv_size: raw.count, mv_data: UnsafeMutableRawPointer(mutating: raw.baseAddress))
    }

    /// The bytes LMDB points at; valid until the transaction ends or, in a write transaction,
    /// until the next write.
    var buffer: UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(start: mv_data, count: mv_size)
    }
}
