import Testing
@testable import CairnStore

@Suite("Tables, reads and writes")
struct CRUDTests {
    @Test("put, get, contains, overwrite, delete, count and clear")
    func crud() async throws {
        let fixture = StoreFixture()
        defer { fixture.remove() }
        let store = try fixture.open()
        let names: Table<UInt64, String> = try await store.openTable("names")
        let blobs = try await store.openTable("blobs", key: String.self, value: [UInt8].self)
        #expect(try await store.openTable("names", key: UInt64.self, value: String.self) == names)

        try await store.write { txn throws in
            for i in UInt64(0)..<10 { try txn.put(names, i, "name-\(i)") }
            try txn.put(blobs, "empty", [])
            try txn.put(blobs, "bytes", [0, 1, 0xFF])
            #expect(try txn.get(names, 3) == "name-3", "a write transaction sees its own writes")
        }
        try store.read { txn throws in
            #expect(try txn.get(names, 7) == "name-7")
            #expect(try txn.get(names, 10) == nil)
            #expect(try txn.contains(names, 0))
            #expect(try !txn.contains(names, 99))
            #expect(try txn.count(names) == 10)
            #expect(try txn.get(blobs, "empty") == [])
            #expect(try txn.get(blobs, "bytes") == [0, 1, 0xFF])
        }

        let deleted = try await store.write { txn throws in
            try txn.put(names, 7, "seven")
            return (try txn.delete(names, 3), try txn.delete(names, 3), try txn.delete(names, 42))
        }
        #expect(deleted == (true, false, false))
        try store.read { txn throws in
            #expect(try txn.get(names, 7) == "seven")
            #expect(try txn.get(names, 3) == nil)
            #expect(try txn.count(names) == 9)
        }

        try await store.write { txn in try txn.clear(names) }
        try store.read { txn throws in
            #expect(try txn.count(names) == 0)
            #expect(try txn.count(blobs) == 2, "clearing one table leaves the others")
        }
        try await store.close()
    }

    @Test("a body that throws commits nothing, and its error comes back unchanged")
    func throwingBodyCommitsNothing() async throws {
        let fixture = StoreFixture()
        defer { fixture.remove() }
        let store = try fixture.open()
        let table: Table<UInt64, UInt64> = try await store.openTable("t")
        try await store.write { try $0.put(table, 1, 1) }
        await #expect(throws: Marker.self) {
            try await store.write { txn throws in
                try txn.put(table, 1, 100)
                for i in UInt64(2)..<500 { try txn.put(table, i, i) }
                try txn.delete(table, 1)
                throw Marker()
            }
        }
        #expect(throws: Marker.self) {
            try store.writeBlocking { txn throws in
                try txn.put(table, 2, 2)
                throw Marker()
            }
        }
        try store.read { txn throws in
            #expect(try txn.count(table) == 1)
            #expect(try txn.get(table, 1) == 1)
        }
        // The writer is healthy afterwards.
        try await store.write { try $0.put(table, 3, 3) }
        #expect(try store.read { try $0.count(table) } == 2)
        try await store.close()
    }

    @Test("append puts keys in order and refuses one out of order")
    func append() async throws {
        let fixture = StoreFixture()
        defer { fixture.remove() }
        let store = try fixture.open()
        let table: Table<UInt64, [UInt8]> = try await store.openTable("log")
        try await store.write { txn throws in
            for i in UInt64(0)..<1000 { try txn.put(table, i * 2, [UInt8(truncatingIfNeeded: i)], append: true) }
        }
        let error = await storeError {
            try await store.write { txn in try txn.put(table, 5, [1], append: true) }
        }
        #expect(error?.code == .outOfOrder)
        #expect(error?.table == "log")
        try store.read { txn throws in
            #expect(try txn.count(table) == 1000)
            #expect(try txn.get(table, 5) == nil)
            #expect(try txn.get(table, 1998) == [UInt8(999 % 256)])
        }
        try await store.close()
    }

    @Test("empty and oversized keys throw .keyTooLarge before LMDB sees them")
    func keyLimits() async throws {
        let fixture = StoreFixture()
        defer { fixture.remove() }
        let store = try fixture.open()
        let table: Table<String, UInt64> = try await store.openTable("keys")
        let long = String(repeating: "k", count: 512)
        let tooLong = await storeError { try await store.write { try $0.put(table, long, 1) } }
        #expect(tooLong?.code == .keyTooLarge)
        #expect(tooLong?.message.contains("511") == true)
        let empty = await storeError { try await store.write { try $0.put(table, "", 1) } }
        #expect(empty?.code == .keyTooLarge)
        #expect(throws: StoreError.self) { try store.read { try $0.get(table, "") } }
        try await store.write { try $0.put(table, String(repeating: "k", count: 511), 1) }
        #expect(try store.read { try $0.get(table, String(repeating: "k", count: 511)) } == 1)
        try await store.close()
    }

    @Test("values that do not decode with the table's codec throw .corrupted naming the table")
    func wrongCodec() async throws {
        let fixture = StoreFixture()
        defer { fixture.remove() }
        let store = try fixture.open()
        let asStrings: Table<UInt64, String> = try await store.openTable("mixed")
        try await store.write { try $0.put(asStrings, 1, "not eight bytes") }
        let asNumbers: Table<UInt64, UInt64> = try await store.openTable("mixed")
        let error = await storeError { _ = try store.read { try $0.get(asNumbers, 1) } }
        #expect(error?.code == .corrupted)
        #expect(error?.table == "mixed")
        try await store.close()
    }

    @Test("data survives close and reopen; a closed store throws .closed")
    func reopen() async throws {
        let fixture = StoreFixture()
        defer { fixture.remove() }
        let store = try fixture.open()
        let table: Table<CompositeKey<String, UInt64>, String> = try await store.openTable("events")
        try await store.write { txn throws in
            for i in UInt64(0)..<100 { try txn.put(table, CompositeKey("p\(i % 3)", i), "event \(i)") }
        }
        try await store.close()
        try await store.close()
        #expect(await storeError { try await store.write { _ in } }?.code == .closed)
        #expect(await storeError { _ = try store.read { _ in 1 } }?.code == .closed)
        #expect(await storeError { try await store.sync() }?.code == .closed)

        let reopened = try fixture.open()
        let again: Table<CompositeKey<String, UInt64>, String> = try await reopened.openTable("events")
        try reopened.read { txn throws in
            #expect(try txn.count(again) == 100)
            #expect(try txn.get(again, CompositeKey("p1", 4)) == "event 4")
        }
        try reopened.closeBlocking()
    }

    @Test("tables beyond tablesMax throw .tablesFull naming the setting")
    func tablesFull() async throws {
        let fixture = StoreFixture { $0.tablesMax = 2 }
        defer { fixture.remove() }
        let store = try fixture.open()
        _ = try await store.openTable("a", key: UInt64.self, value: UInt64.self)
        _ = try await store.openTable("b", key: UInt64.self, value: UInt64.self)
        let error = await storeError { _ = try await store.openTable("c", key: UInt64.self, value: UInt64.self) }
        #expect(error?.code == .tablesFull)
        #expect(error?.message.contains("tablesMax") == true)
        try await store.close()
    }
}
