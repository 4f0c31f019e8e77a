import CairnTestSupport
import Testing
@testable import CairnStore

@Suite("Range scans")
struct ScanTests {
    typealias EventKey = CompositeKey<String, Int64, UInt64>

    /// Profiles p1, p10, p2 with 20 events each; keys are written in random order.
    private func populate(_ store: StoreEnvironment) async throws -> (Table<UInt64, UInt64>, Table<EventKey, UInt64>) {
        let numbers: Table<UInt64, UInt64> = try await store.openTable("numbers")
        let events: Table<EventKey, UInt64> = try await store.openTable("events")
        try await store.write { txn throws in
            var rng = SplitMix64(seed: 7)
            for i in (UInt64(0)..<100).shuffled(using: &rng) { try txn.put(numbers, i * 10, i) }
            var offset: UInt64 = 0
            for time in (Int64(-10)..<10).shuffled(using: &rng) {
                for profile in ["p1", "p10", "p2"] {
                    try txn.put(events, EventKey(profile, time, offset), offset)
                    offset += 1
                }
            }
        }
        return (numbers, events)
    }

    @Test("forward and reverse over a whole table, from a key, with limits")
    func numbers() async throws {
        let fixture = StoreFixture()
        defer { fixture.remove() }
        let store = try fixture.open()
        let (numbers, _) = try await populate(store)
        try store.read { txn throws in
            #expect(try txn.entries(numbers).map(\.key) == (0..<100).map { UInt64($0) * 10 })
            #expect(try txn.entries(numbers, .all.reversed()).map(\.key) == (0..<100).reversed().map { UInt64($0) * 10 })
            #expect(try txn.entries(numbers, .from(500).limited(to: 3)).map(\.key) == [500, 510, 520])
            #expect(try txn.entries(numbers, .from(505).limited(to: 3)).map(\.key) == [510, 520, 530])
            #expect(try txn.entries(numbers, .from(505).reversed().limited(to: 3)).map(\.key) == [500, 490, 480])
            #expect(try txn.entries(numbers, .from(500).reversed().limited(to: 2)).map(\.key) == [500, 490])
            #expect(try txn.entries(numbers, .from(5000)).isEmpty)
            #expect(try txn.entries(numbers, .from(5000).reversed().limited(to: 1)).map(\.key) == [990])
            #expect(try txn.entries(numbers, .all.limited(to: 0)).isEmpty)
            #expect(try txn.entries(numbers, .from(990)).map(\.value) == [99])

            var seen: [UInt64] = []
            try txn.scan(numbers, .from(100)) { key, _ in
                seen.append(key)
                return seen.count < 4
            }
            #expect(seen == [100, 110, 120, 130], "scan stops when visit returns false")
        }
        try await store.close()
    }

    @Test("composite prefixes select one profile's events in time order, both ways")
    func prefixes() async throws {
        let fixture = StoreFixture()
        defer { fixture.remove() }
        let store = try fixture.open()
        let (_, events) = try await populate(store)
        try store.read { txn throws in
            let p1 = try txn.entries(events, .prefix(CompositeKey("p1")))
            #expect(p1.count == 20, "p10 shares the bytes \"p1\" but not the component")
            #expect(p1.allSatisfy { $0.key.components.0 == "p1" })
            #expect(p1.map(\.key.components.1) == Array(-10..<10))

            let latest = try txn.entries(events, .prefix(CompositeKey("p1")).reversed().limited(to: 3))
            #expect(latest.map(\.key.components.1) == [9, 8, 7])

            let window = try txn.entries(events, .prefix(CompositeKey("p2")).starting(at: EventKey("p2", 0, 0)).limited(to: 5))
            #expect(window.map(\.key.components.1) == [0, 1, 2, 3, 4])
            let before = try txn.entries(events, .prefix(CompositeKey("p2")).starting(at: EventKey("p2", 0, 0)).reversed())
            #expect(before.map(\.key.components.1) == Array((-10..<0).reversed()))

            // Two components of prefix: one profile at one time.
            let oneTime = try txn.entries(events, .prefix(CompositeKey("p10", Int64(-3))))
            #expect(oneTime.count == 1 && oneTime[0].key.components.0 == "p10")
            #expect(try txn.entries(events, .prefix(CompositeKey("p3"))).isEmpty)
            #expect(try txn.entries(events, .prefix(CompositeKey("p3")).reversed()).isEmpty)
            #expect(try txn.entries(events, .prefix(CompositeKey("p0")).reversed()).isEmpty)
            // The last profile reversed: the cursor seeks past the end of the table.
            #expect(try txn.entries(events, .prefix(CompositeKey("p2")).reversed().limited(to: 1)).first?.key.components.1 == 9)
        }
        try await store.close()
    }

    @Test("string prefixes, including 0xFF edges")
    func stringPrefixes() async throws {
        let fixture = StoreFixture()
        defer { fixture.remove() }
        let store = try fixture.open()
        let table: Table<[UInt8], UInt64> = try await store.openTable("raw")
        let names: Table<String, UInt64> = try await store.openTable("names")
        let keys: [[UInt8]] = [[0x01], [0x61], [0x61, 0x00], [0x61, 0xFF], [0x61, 0xFF, 0xFF], [0x62], [0xFF], [0xFF, 0x01], [0xFF, 0xFF]]
        try await store.write { txn throws in
            for (i, key) in keys.enumerated() { try txn.put(table, key, UInt64(i)) }
            for name in ["alice", "alicia", "bob", "al"] { try txn.put(names, name, 1) }
        }
        try store.read { txn throws in
            #expect(try txn.entries(table, .prefix([UInt8]([0x61]))).map(\.key) == [[0x61], [0x61, 0x00], [0x61, 0xFF], [0x61, 0xFF, 0xFF]])
            #expect(try txn.entries(table, .prefix([UInt8]([0x61, 0xFF]))).map(\.key) == [[0x61, 0xFF], [0x61, 0xFF, 0xFF]])
            #expect(try txn.entries(table, .prefix([UInt8]([0x61, 0xFF])).reversed()).map(\.key) == [[0x61, 0xFF, 0xFF], [0x61, 0xFF]])
            #expect(try txn.entries(table, .prefix([UInt8]([0xFF])).reversed()).map(\.key) == [[0xFF, 0xFF], [0xFF, 0x01], [0xFF]])
            #expect(try txn.entries(names, .prefix("ali")).map(\.key) == ["alice", "alicia"])
            #expect(try txn.entries(names, .prefix("al").reversed()).map(\.key) == ["alicia", "alice", "al"])
            #expect(try txn.entries(names, .from("a").reversed()).isEmpty, "nothing at or below a key before the first")
            #expect(try txn.entries(names, .from("alibi").reversed()).map(\.key) == ["al"])
            #expect(try txn.entries(names, .prefix("alic").reversed().starting(at: "alice")).map(\.key) == ["alice"])
            #expect(try txn.entries(names, .prefix("b").starting(at: "a").reversed()).isEmpty)
            #expect(try txn.entries(names, .prefix("a").starting(at: "z").reversed()).map(\.key) == ["alicia", "alice", "al"])
        }
        try await store.close()
    }

    @Test("random ranges agree with a sorted-array model (seed 2024)")
    func againstModel() async throws {
        let fixture = StoreFixture()
        defer { fixture.remove() }
        let store = try fixture.open()
        let table: Table<[UInt8], UInt64> = try await store.openTable("model")
        var rng = SplitMix64(seed: 2024)
        let alphabet: [UInt8] = [0x00, 0x01, 0x61, 0x62, 0xFE, 0xFF]
        func randomBytes(_ lengths: ClosedRange<Int>, from bytes: [UInt8] = alphabet) -> [UInt8] {
            (0..<Int.random(in: lengths, using: &rng)).map { _ in bytes.randomElement(using: &rng)! }
        }
        // Stored keys have no 0x00, so that some starts and prefixes fall before the first key.
        var keys = Set<[UInt8]>()
        while keys.count < 300 { keys.insert(randomBytes(1...4, from: Array(alphabet.dropFirst()))) }
        let sorted = keys.sorted { $0.lexicographicallyPrecedes($1) }
        try await store.write { txn in
            for (i, key) in sorted.enumerated() { try txn.put(table, key, UInt64(i)) }
        }
        try store.read { txn throws in
            for _ in 0..<500 {
                let prefix = Bool.random(using: &rng) ? randomBytes(0...2) : []
                let start: [UInt8]? = Bool.random(using: &rng) ? randomBytes(1...4) : nil
                let limit: Int? = Bool.random(using: &rng) ? Int.random(in: 0...5, using: &rng) : nil
                let reversed = Bool.random(using: &rng)
                var range = ScanRange<[UInt8]>.prefix(prefix)
                if let start { range = range.starting(at: start) }
                if let limit { range = range.limited(to: limit) }
                if reversed { range = range.reversed() }

                var expected = (reversed ? sorted.reversed() : sorted).filter { key in
                    guard key.starts(with: prefix) else { return false }
                    guard let start else { return true }
                    return reversed ? !start.lexicographicallyPrecedes(key) : !key.lexicographicallyPrecedes(start)
                }
                if let limit { expected = Array(expected.prefix(limit)) }
                #expect(try txn.entries(table, range).map(\.key) == expected, "prefix \(prefix) start \(String(describing: start)) limit \(String(describing: limit)) reversed \(reversed)")
            }
        }
        try await store.close()
    }
}
