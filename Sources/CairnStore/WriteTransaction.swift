import CLMDB

/// The one write transaction of the store, alive for one run of a `write` body on the writer
/// thread. It sees its own writes. Non-copyable, lent to the body, not `Sendable`: it cannot
/// outlive the body or leave the writer thread.
///
/// All methods throw `StoreError` (see `ReadTransaction`). After a method threw, the transaction
/// may be unusable: let the error propagate so the body ends and the transaction is aborted.
/// `.mapFull` from a method is handled by `write` itself (it grows the map and re-runs the body),
/// whether or not the body catches it.
public struct WriteTransaction: ~Copyable {
    let core: TransactionCore
    let state: WriteState

    init(core: TransactionCore, state: WriteState) {
        self.core = core
        self.state = state
    }

    // MARK: Writes

    /// Opens (creating if needed) the table `name` (`mdb_dbi_open` with `MDB_CREATE`). The handle
    /// is usable by every transaction once this one commits.
    ///
    /// - Throws: `.tablesFull` beyond `StoreConfiguration.tablesMax`, `.invalidArgument` for an
    ///   empty name.
    public func openTable<K: StoreCodec, V: StoreCodec>(_ name: String, key: K.Type = K.self, value: V.Type = V.self) throws -> Table<K, V> {
        guard !name.isEmpty else { throw StoreError(.invalidArgument, "a table name must not be empty") }
        var dbi = MDB_dbi()
        let rc = mdb_dbi_open(core.txn, name, UInt32(MDB_CREATE), &dbi)
        if rc == MDB_DBS_FULL {
            throw StoreError(.tablesFull, "cannot open another table: StoreConfiguration.tablesMax is reached",
                             table: name, lmdbCode: rc)
        }
        try state.check(rc, "mdb_dbi_open", table: name)
        return Table(name: name, dbi: dbi, environmentID: core.environmentID)
    }

    /// Stores `value` under `key`, replacing any value there (`mdb_put`).
    ///
    /// `append: true` passes `MDB_APPEND`, much faster for keys written in ascending order (a bulk
    /// load or a rebuild); it throws `.outOfOrder` when `key` is not greater than the table's last.
    public func put<K, V>(_ table: Table<K, V>, _ key: K, _ value: V, append: Bool = false) throws {
        core.check(table)
        state.key.removeAll(keepingCapacity: true)
        key.encode(into: &state.key)
        try core.checkKey(state.key, table: table.name)
        state.value.removeAll(keepingCapacity: true)
        value.encode(into: &state.value)
        let rc = state.key.withUnsafeBytes { rawKey in
            state.value.withUnsafeBytes { rawValue in
                var keyVal = MDB_val(rawKey)
                var valueVal = MDB_val(rawValue)
                return mdb_put(core.txn, table.dbi, &keyVal, &valueVal, append ? UInt32(MDB_APPEND) : 0)
            }
        }
        if rc == MDB_KEYEXIST {
            throw StoreError(.outOfOrder, "put(append: true) with a key not greater than the table's last key",
                             table: table.name, lmdbCode: rc)
        }
        try state.check(rc, "mdb_put", table: table.name)
        state.writes += 1
        if state.journal != nil { state.journal!.append(WriteJournalEntry(table: table.name, key: state.key, value: state.value)) }
    }

    /// Removes `key`; returns whether it was there (`mdb_del`).
    @discardableResult
    public func delete<K, V>(_ table: Table<K, V>, _ key: K) throws -> Bool {
        core.check(table)
        let keyBytes = key.encoded
        try core.checkKey(keyBytes, table: table.name)
        let rc = keyBytes.withUnsafeBytes { raw in
            var keyVal = MDB_val(raw)
            return mdb_del(core.txn, table.dbi, &keyVal, nil)
        }
        if rc == MDB_NOTFOUND { return false }
        try state.check(rc, "mdb_del", table: table.name)
        state.writes += 1
        if state.journal != nil { state.journal!.append(WriteJournalEntry(table: table.name, key: keyBytes, value: nil)) }
        return true
    }

    // MARK: Journal

    /// Starts recording every successful `put` and `delete` of this transaction (table name, key
    /// and value bytes), in order, until `endJournal()`; discards any journal begun before.
    /// Recording costs nothing while no journal is open.
    public func beginJournal() {
        state.journal = []
    }

    /// Stops recording; returns what was recorded since `beginJournal()` (empty when none was begun).
    public func endJournal() -> [WriteJournalEntry] {
        defer { state.journal = nil }
        return state.journal ?? []
    }

    /// Removes every entry of the table and keeps the table (`mdb_drop(txn, dbi, 0)`).
    public func clear<K, V>(_ table: Table<K, V>) throws {
        core.check(table)
        try state.check(mdb_drop(core.txn, table.dbi, 0), "mdb_drop", table: table.name)
    }

    // MARK: Reads, as in `ReadTransaction`, seeing this transaction's writes

    public func get<K, V>(_ table: Table<K, V>, _ key: K) throws -> V? {
        try core.get(table, key)
    }

    public func contains<K, V>(_ table: Table<K, V>, _ key: K) throws -> Bool {
        try core.contains(table, key)
    }

    public func count<K, V>(_ table: Table<K, V>) throws -> Int {
        try core.count(table)
    }

    public func scan<K, V>(_ table: Table<K, V>, _ range: ScanRange<K> = .all, _ visit: (K, V) throws -> Bool) throws {
        try core.scan(table, range, visit)
    }

    public func entries<K, V>(_ table: Table<K, V>, _ range: ScanRange<K> = .all) throws -> [(key: K, value: V)] {
        var result: [(key: K, value: V)] = []
        try core.scan(table, range) { key, value in
            result.append((key, value))
            return true
        }
        return result
    }
}

/// One write recorded by a transaction's journal: `value` nil for a delete.
public struct WriteJournalEntry: Sendable, Equatable {
    public let table: String
    public let key: [UInt8]
    public let value: [UInt8]?

    public init(table: String, key: [UInt8], value: [UInt8]?) {
        self.table = table
        self.key = key
        self.value = value
    }
}

@available(*, unavailable, message: "the write transaction belongs to the writer thread")
extension WriteTransaction: Sendable {}

/// What one run of a write body leaves for `write`: scratch buffers reused by every `put`, and
/// whether LMDB reported the map full (the body may have caught that error; `write` still must
/// abort, grow and re-run). Lives on the writer thread only.
final class WriteState {
    // Unchecked: only the writer thread touches them, one `put` at a time, never reentrantly; the
    // dynamic exclusivity checks on these class properties cost about a tenth of a put's time.
    @exclusivity(unchecked) var key: [UInt8] = []
    @exclusivity(unchecked) var value: [UInt8] = []
    /// Successful puts and deletes so far.
    @exclusivity(unchecked) var writes = 0
    /// The writes recorded since `beginJournal()`; nil when not recording.
    @exclusivity(unchecked) var journal: [WriteJournalEntry]?
    private(set) var mapFull = false

    init() {
        key.reserveCapacity(64)
        value.reserveCapacity(256)
    }

    /// Throws the classified error for a non-zero `rc`, noting `MDB_MAP_FULL`.
    func check(_ rc: Int32, _ call: String, table: String) throws {
        guard rc != 0 else { return }
        if rc == MDB_MAP_FULL { mapFull = true }
        throw StoreError.lmdb(rc, call, table: table)
    }
}
