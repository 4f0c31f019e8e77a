import Dispatch
import Glibc
import Synchronization
import Testing
@testable import CairnStore

@Suite("Concurrent writers and readers")
struct ConcurrencyTests {
    @Test("async writers, blocking writers and thread-hopping readers; every body runs on one thread")
    func manyWritersAndReaders() async throws {
        let fixture = StoreFixture()
        defer { fixture.remove() }
        let store = try fixture.open()
        let items: Table<CompositeKey<UInt64, UInt64>, UInt64> = try await store.openTable("items")
        let meta: Table<String, UInt64> = try await store.openTable("meta")
        let writersCount = 8
        let writesPerWriter = 20
        let itemsPerWrite: UInt64 = 10

        // Each write adds 10 items and bumps "total" in the same transaction: any snapshot sees
        // count(items) == total * 10.
        @Sendable func addItems(_ txn: borrowing WriteTransaction, writer: UInt64, write: UInt64) throws -> UInt {
            for i in 0..<itemsPerWrite { try txn.put(items, CompositeKey(writer, write * itemsPerWrite + i), i) }
            try txn.put(meta, "total", (try txn.get(meta, "total") ?? 0) + 1)
            return UInt(bitPattern: Int(bitPattern: UInt(pthread_self())))
        }

        let writerThreads = try await withThrowingTaskGroup(of: Set<UInt>.self) { group in
            for writer in 0..<writersCount {
                group.addTask {
                    var threads = Set<UInt>()
                    for write in 0..<writesPerWriter {
                        threads.insert(try await store.write { try addItems($0, writer: UInt64(writer), write: UInt64(write)) })
                    }
                    return threads
                }
            }
            for _ in 0..<8 {
                group.addTask {
                    // Each yield may resume the task on another pool thread: reader slots must
                    // follow transactions, not threads (MDB_NOTLS).
                    for _ in 0..<100 {
                        try store.read { txn throws in
                            let total = try txn.get(meta, "total") ?? 0
                            #expect(try txn.count(items) == Int(total * itemsPerWrite))
                        }
                        await Task.yield()
                    }
                    return []
                }
            }
            // Writers on plain threads, as a CLI tool would be.
            group.addTask {
                let threads = Mutex(Set<UInt>())
                DispatchQueue.concurrentPerform(iterations: 2) { index in
                    for write in 0..<writesPerWriter {
                        let thread = try! store.writeBlocking { try addItems($0, writer: UInt64(100 + index), write: UInt64(write)) }
                        threads.withLock { _ = $0.insert(thread) }
                    }
                }
                return threads.withLock { $0 }
            }
            var all = Set<UInt>()
            for try await threads in group { all.formUnion(threads) }
            return all
        }

        #expect(writerThreads.count == 1, "every write body ran on the writer thread")
        let expectedWrites = UInt64((writersCount + 2) * writesPerWriter)
        try store.read { txn throws in
            #expect(try txn.get(meta, "total") == expectedWrites)
            #expect(try txn.count(items) == Int(expectedWrites * itemsPerWrite))
            let one = try txn.entries(items, .prefix(CompositeKey(UInt64(3))))
            #expect(one.count == writesPerWriter * Int(itemsPerWrite))
        }
        try await store.close()
    }

    @Test("writeBlocking while the thread holds a read traps rather than risk a deadlock with growth")
    func writeBlockingInsideReadTraps() async {
        await #expect(processExitsWith: .failure) {
            let store = try! StoreEnvironment(path: "/tmp/cairn-store-trap-\(getppid())")
            try! store.read { _ in try store.writeBlocking { _ in } }
        }
        _ = system("rm -rf /tmp/cairn-store-trap-\(getpid())")
    }

    @Test("close waits for queued writes; later writes throw .closed")
    func closeDrainsQueue() async throws {
        let fixture = StoreFixture()
        defer { fixture.remove() }
        let store = try fixture.open()
        let table: Table<UInt64, UInt64> = try await store.openTable("t")
        let outcomes = await withTaskGroup(of: Bool.self) { group in
            for i in UInt64(0)..<50 {
                group.addTask { (try? await store.write { try $0.put(table, i, i) }) != nil }
            }
            group.addTask {
                try? await store.close()
                return true
            }
            var succeeded = 0
            for await ok in group where ok { succeeded += 1 }
            return succeeded - 1
        }
        let reopened = try fixture.open()
        let again: Table<UInt64, UInt64> = try await reopened.openTable("t")
        #expect(try reopened.read { try $0.count(again) } == outcomes, "every acknowledged write is there, no other")
        try await reopened.close()
    }
}
