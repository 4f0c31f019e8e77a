import Testing
@testable import CairnStore

@Suite("Sync policy")
struct DurabilityTests {
    @Test("deferred sync writes fast, sync() flushes, and a reopened store has the data")
    func deferred() async throws {
        var fixture = StoreFixture { $0.sync = .deferred }
        defer { fixture.remove() }
        let store = try fixture.open()
        let table: Table<UInt64, [UInt8]> = try await store.openTable("rebuilt")
        for batch in UInt64(0)..<50 {
            try await store.write { txn throws in
                for i in batch * 200..<(batch + 1) * 200 { try txn.put(table, i, [UInt8](repeating: 7, count: 24), append: true) }
            }
        }
        try await store.sync()
        try store.syncBlocking()
        #expect(try store.read { try $0.count(table) } == 10_000)
        try await store.close()

        fixture.configuration.sync = .always
        let reopened = try fixture.open()
        let again: Table<UInt64, [UInt8]> = try await reopened.openTable("rebuilt")
        try reopened.read { txn throws in
            #expect(try txn.count(again) == 10_000)
            #expect(try txn.get(again, 9_999) == [UInt8](repeating: 7, count: 24))
        }
        try await reopened.close()
    }

    @Test("reader slots are configurable and reported; nested reads hold one slot each")
    func readers() async throws {
        let fixture = StoreFixture { $0.readersMax = 7 }
        defer { fixture.remove() }
        let store = try fixture.open()
        let info = try store.info()
        #expect(info.readersMax == 7)
        let nested = try store.read { _ in try store.read { _ in try store.info().readersUsed } }
        #expect(nested >= 2, "two read transactions hold two slots")
        try await store.close()
    }
}
