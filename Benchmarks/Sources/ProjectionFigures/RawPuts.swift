import CairnStore

/// The raw LMDB baseline: `writes` puts of random-order keys spread evenly over `transactions`
/// write transactions through `StoreEnvironment` with its default durability (fsync at every
/// commit), on a fresh environment. Keys are 40 bytes (SplitMix64 hashes of a counter), values
/// 300 bytes, spread over eight tables as the projection spreads its writes over its tables.
/// Every key is new, so each put is an insert at a random place in its table.
enum RawPuts {
    static let keyBytes = 40
    static let valueBytes = 300
    static let tableCount = 8

    /// Returns the elapsed seconds of the puts (table opening excluded).
    static func measure(path: String, writes: Int, transactions: Int) async throws -> Double {
        precondition(writes >= 0 && transactions >= 1, "a baseline needs at least one transaction")
        let store = try StoreEnvironment(path: path, logger: quietLogger)
        do {
            var tables: [Table<[UInt8], [UInt8]>] = []
            for i in 0..<tableCount { tables.append(try await store.openTable("table\(i)")) }
            let tablesUsed = tables
            // A pool of distinct values, so that values differ without being generated in the loop.
            let values: [[UInt8]] = (0..<256).map { v in
                (0..<valueBytes).map { i in UInt8(truncatingIfNeeded: splitMix(UInt64(v * valueBytes + i)) >> 24) }
            }
            let elapsed = try await elapsedSeconds {
                var next = 0
                for t in 0..<transactions {
                    let count = writes / transactions + (t < writes % transactions ? 1 : 0)
                    let first = next
                    next += count
                    try await store.write { txn in
                        for n in first..<(first + count) {
                            let hash = splitMix(UInt64(n))
                            try txn.put(tablesUsed[Int(hash % UInt64(tableCount))], key(hash), values[Int((hash >> 8) & 255)])
                        }
                    }
                }
            }
            try await store.close()
            return elapsed
        } catch {
            try? await store.close()
            throw error
        }
    }

    /// Forty bytes: `hash` and four further hashes chained from it, big-endian.
    static func key(_ hash: UInt64) -> [UInt8] {
        var key = [UInt8](repeating: 0, count: keyBytes)
        var word = hash
        for i in 0..<(keyBytes / 8) {
            for b in 0..<8 { key[i * 8 + b] = UInt8(truncatingIfNeeded: word >> (56 - 8 * b)) }
            word = splitMix(word)
        }
        return key
    }
}
