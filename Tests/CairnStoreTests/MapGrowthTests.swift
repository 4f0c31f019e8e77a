import Testing
@testable import CairnStore

@Suite("Map growth")
struct MapGrowthTests {
    private static let value = [UInt8](repeating: 0xAB, count: 400)

    @Test("a 64 KiB map doubles as needed, under concurrent readers, with all data intact")
    func growsSeveralTimes() async throws {
        let fixture = StoreFixture {
            $0.mapSizeBytes = 64 << 10
            $0.mapSizeMaxBytes = 256 << 20
        }
        defer { fixture.remove() }
        let store = try fixture.open()
        #expect(try store.info().mapSizeBytes == 64 << 10)
        let table: Table<UInt64, [UInt8]> = try await store.openTable("bulk")
        let attempts = Counter()
        let value = Self.value

        try await withThrowingTaskGroup(of: Void.self) { group in
            // Readers scan while the map grows under them; each snapshot is a prefix of the keys.
            let writerFinished = Counter()
            for _ in 0..<3 {
                group.addTask {
                    while writerFinished.value == 0 {
                        let keys = try store.read { txn in try txn.entries(table).map(\.key) }
                        #expect(keys == (0..<keys.count).map { UInt64($0) })
                        await Task.yield()
                    }
                }
            }
            group.addTask {
                defer { writerFinished.increment() }
                // 20 transactions of 100 x 400 B, then one of 2,000 x 400 B (about 0.8 MB at once).
                for batch in UInt64(0)..<20 {
                    try await store.write { txn throws in
                        for i in batch * 100..<(batch + 1) * 100 { try txn.put(table, i, value) }
                    }
                }
                try await store.write { txn throws in
                    attempts.increment()
                    for i in UInt64(2000)..<4000 { try txn.put(table, i, value) }
                }
            }
            try await group.waitForAll()
        }

        let info = try store.info()
        #expect(info.mapSizeBytes >= 2 << 20, "about 1.6 MB of data: at least five doublings from 64 KiB")
        #expect(info.mapSizeBytes.nonzeroBitCount == 1, "doubled from a power of two")
        #expect(attempts.value > 1, "the big transaction found the map full and ran again")
        try store.read { txn throws in
            #expect(try txn.count(table) == 4000)
            var expected: UInt64 = 0
            try txn.scan(table) { key, stored in
                #expect(key == expected && stored == value)
                expected += 1
                return true
            }
            #expect(expected == 4000)
        }
        try await store.close()

        // Reopening keeps the grown map rather than starting again from 64 KiB.
        let reopened = try fixture.open()
        #expect(try reopened.info().mapSizeBytes == info.mapSizeBytes)
        try await reopened.close()
    }

    @Test("beyond mapSizeMaxBytes: .mapFull naming the setting, and nothing of the transaction committed")
    func stopsAtMaximum() async throws {
        let fixture = StoreFixture {
            $0.mapSizeBytes = 64 << 10
            $0.mapSizeMaxBytes = 256 << 10
        }
        defer { fixture.remove() }
        let store = try fixture.open()
        let table: Table<UInt64, [UInt8]> = try await store.openTable("bulk")
        let value = Self.value
        try await store.write { txn throws in
            for i in UInt64(0)..<50 { try txn.put(table, i, value) }
        }
        let error = await storeError {
            try await store.write { txn throws in
                for i in UInt64(50)..<2000 {
                    // A body that swallows the error still gets the transaction aborted and re-run.
                    do { try txn.put(table, i, value) } catch let error as StoreError where error.code == .mapFull { return }
                }
            }
        }
        #expect(error?.code == .mapFull)
        #expect(error?.message.contains("mapSizeMaxBytes") == true)
        #expect(try store.info().mapSizeBytes == 256 << 10)
        try store.read { txn throws in
            #expect(try txn.count(table) == 50)
            #expect(try txn.get(table, 50) == nil)
        }
        // Small writes still fit.
        try await store.write { try $0.put(table, 50, [1]) }
        #expect(try store.read { try $0.count(table) } == 51)
        try await store.close()
    }
}
