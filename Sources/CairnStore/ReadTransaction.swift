/// A read-only snapshot of the store, alive for one `StoreEnvironment.read` call.
///
/// Non-copyable and lent (`borrowing`) to the body, so it cannot be stored, returned or captured
/// by an escaping closure; not `Sendable`, so it cannot cross to another task. Every value it
/// returns is decoded into Swift memory and stays valid after the transaction; the raw buffers a
/// `StoreCodec` sees are LMDB's and live only during `decode`.
///
/// All methods throw `StoreError`: `.corrupted` when stored bytes do not decode with the table's
/// codecs (the error names the table), `.keyTooLarge` for an empty key or one longer than LMDB's
/// limit, or the classified LMDB failure.
public struct ReadTransaction: ~Copyable {
    let core: TransactionCore

    init(core: TransactionCore) {
        self.core = core
    }

    /// The value stored under `key`, or nil (`mdb_get`).
    public func get<K, V>(_ table: Table<K, V>, _ key: K) throws -> V? {
        try core.get(table, key)
    }

    /// Whether `key` is in the table, without decoding its value.
    public func contains<K, V>(_ table: Table<K, V>, _ key: K) throws -> Bool {
        try core.contains(table, key)
    }

    /// The number of entries in the table (`mdb_stat`), without visiting them.
    public func count<K, V>(_ table: Table<K, V>) throws -> Int {
        try core.count(table)
    }

    /// Visits the entries `range` selects, in its order, with a cursor, until `visit` returns
    /// false or the range (or its limit) ends.
    public func scan<K, V>(_ table: Table<K, V>, _ range: ScanRange<K> = .all, _ visit: (K, V) throws -> Bool) throws {
        try core.scan(table, range, visit)
    }

    /// The entries `range` selects, in its order. Give the range a limit on large tables.
    public func entries<K, V>(_ table: Table<K, V>, _ range: ScanRange<K> = .all) throws -> [(key: K, value: V)] {
        var result: [(key: K, value: V)] = []
        try core.scan(table, range) { key, value in
            result.append((key, value))
            return true
        }
        return result
    }
}

@available(*, unavailable, message: "a read transaction belongs to one thread for one read call")
extension ReadTransaction: Sendable {}
