import Glibc
import Testing
@testable import CairnLog

/// A child process appends with fsync `always` and is killed with SIGKILL at random moments,
/// segment rolls included; every offset it was told was acknowledged must be there afterwards.
/// `CAIRN_TORTURE=1` runs many more cycles (see `make torture`).
@Suite("Crash with SIGKILL", .serialized)
struct CrashTests {
    static var cycles: Int { getenv("CAIRN_TORTURE") != nil ? 100 : 12 }

    @Test("no acknowledged record is lost across SIGKILL cycles")
    func sigkillCycles() async throws {
        let dir = TemporaryDirectory("cairn-crash")
        defer { dir.remove() }
        let child = ChildProcess.builtProduct("cairn-crash-child")
        #expect(access(child, X_OK) == 0, "build the crash child first: \(child)")
        let seed = SimulationSeed.make()
        print("CrashTests seed \(seed)")
        var rng = SplitMix64(seed: seed)
        var acknowledged: [UInt64: String] = [:]
        var lastEnd: UInt64 = 0

        for cycle in 0..<Self.cycles {
            let process = try ChildProcess(child, [dir.log, String(seed &+ UInt64(cycle)), "2048"])
            let opened = process.readUntil(timeoutMs: 30_000) { $0.hasPrefix("open ") || $0.contains("\nopen ") }
            #expect(opened.contains("open "), "cycle \(cycle), seed \(seed): child did not open: \(opened)")
            // Let it run for a while (acknowledgements flowing), then kill it mid-flight.
            let ackTarget = 1 + rng.below(1500)
            process.readUntil(timeoutMs: 20_000) { $0.utf8.count > ackTarget * 20 }
            process.kill(SIGKILL)
            let output = process.readToEnd()
            #expect(process.wait() == 128 + SIGKILL, "cycle \(cycle), seed \(seed): \(output.suffix(300))")
            for line in output.split(separator: "\n", omittingEmptySubsequences: false).dropLast() where line.hasPrefix("ack ") {
                let parts = line.split(separator: " ")
                if parts.count == 3, let offset = UInt64(parts[1]) { acknowledged[offset] = String(parts[2]) }
            }
            if let open = output.split(separator: "\n").first(where: { $0.hasPrefix("open ") }), let end = UInt64(open.dropFirst(5)) {
                #expect(end >= lastEnd, "cycle \(cycle), seed \(seed): log shrank from \(lastEnd) to \(end) across a crash")
                lastEnd = end
            }

            // Check without changing the files (the next child recovers them itself); every third
            // cycle run the full recovery here instead.
            let reader: LogReader
            var log: DurableLog?
            if cycle % 3 == 2 {
                log = try openLog(dir.log)
                reader = log!.makeReader()
            } else {
                reader = try LogSnapshot.reader(directory: dir.log)
            }
            var missing: [UInt64] = []
            for (offset, tag) in acknowledged {
                guard let record = try reader.record(at: offset) else { missing.append(offset); continue }
                #expect(record.payload.starts(with: Array(tag.utf8)), "cycle \(cycle), seed \(seed): offset \(offset) holds another payload")
            }
            #expect(missing.isEmpty, "cycle \(cycle), seed \(seed): acknowledged offsets lost: \(missing.sorted().prefix(10))")
            reader.close()
            try await log?.close()
        }
        let segments = segmentNames(dir.log).count
        print("CrashTests: \(Self.cycles) cycles, \(acknowledged.count) acknowledged records checked, \(segments) segments")
        #expect(segments > Self.cycles, "the child should roll segments often, so that kills land in rolls")
        #expect(acknowledged.count > Self.cycles * 10)
        #expect(try LogVerifier.verify(directory: dir.log).problems.allSatisfy { $0.message.contains("torn") || $0.message.contains("index") })
    }
}
