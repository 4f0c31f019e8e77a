import Glibc
import Testing
@testable import CairnStore

/// A throwaway measurement, run only with CAIRN_STORE_BENCH=1 (release build recommended). It prints
/// figures and asserts nothing about speed.
@Suite("Throughput (on demand)")
struct ThroughputTests {
    @Test("100k puts of 8-byte keys and 24-byte values in transactions of 1,000",
          .enabled(if: getenv("CAIRN_STORE_BENCH") != nil))
    func puts() async throws {
        for (sync, append) in [(StoreConfiguration.SyncPolicy.always, false), (.always, true), (.deferred, false)] {
            let fixture = StoreFixture { $0.sync = sync }
            defer { fixture.remove() }
            let store = try fixture.open()
            let table: Table<UInt64, [UInt8]> = try await store.openTable("bench")
            let value = [UInt8](repeating: 0x5A, count: 24)
            let start = now()
            for batch in UInt64(0)..<100 {
                try await store.write { txn throws in
                    for i in batch * 1000..<(batch + 1) * 1000 { try txn.put(table, i, value, append: append) }
                }
            }
            if sync == .deferred { try await store.sync() }
            let seconds = now() - start
            #expect(try store.read { try $0.count(table) } == 100_000)
            print("sync \(sync) append \(append): \(Int(100_000 / seconds)) puts/s (\(Int(seconds * 1000)) ms)")
            try await store.close()
        }
    }

    private func now() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }
}
