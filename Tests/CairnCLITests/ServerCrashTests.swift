import CairnModel
import CairnTestSupport
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Glibc
import Synchronization
import Testing

/// `cairn serve` under concurrent `/track` load, killed with SIGKILL again and again: every event
/// whose reply was 200 is in the log, `cairn log verify` passes, and the projections equal a full
/// replay's. 3 kills by default, 30 with `CAIRN_TORTURE=1` (`make torture`); `CAIRN_SEED` replays
/// a kill schedule.
@Suite("cairn serve killed under load", .serialized)
struct ServerCrashTests {
    static func cairn(_ arguments: [String]) throws -> (status: Int32, output: String) {
        let process = try ChildProcess(ChildProcess.builtProduct("cairn"), arguments)
        let output = process.readToEnd()
        return (process.wait(), output)
    }

    /// Sends `/track` requests from `producers` tasks until `stop`; returns the ids of the events
    /// whose reply was 200.
    static func load(port: Int, producers: Int, tag: String, stop: StopFlag) async -> [String] {
        await withTaskGroup(of: [String].self) { group in
            for producer in 0..<producers {
                group.addTask {
                    var acknowledged: [String] = []
                    var n = 0
                    while !stop.value.load(ordering: .relaxed) {
                        n += 1
                        let id = "\(tag)-\(producer)-\(n)"
                        var request = URLRequest(url: URL(string: "http://127.0.0.1:\(port)/track?ack=durable")!)
                        request.httpMethod = "POST"
                        request.timeoutInterval = 5
                        request.httpBody = Data(#"{"source":{"id":"web"},"session":{"id":"s\#(producer)"},"profile":{"id":"p\#(n % 50)"},"events":[{"id":"\#(id)","type":"page-view","properties":{"n":\#(n)}}]}"#.utf8)
                        guard let (_, response) = try? await URLSession.shared.data(for: request) else { continue }
                        if (response as? HTTPURLResponse)?.statusCode == 200 { acknowledged.append(id) }
                    }
                    return acknowledged
                }
            }
            var all: [String] = []
            for await ids in group { all += ids }
            return all
        }
    }

    @Test("every acknowledged event survives SIGKILL; the log verifies; the projections equal a replay's")
    func killedUnderLoad() async throws {
        let seed = SimulationSeed.make()
        print("server crash seed \(seed)")
        var random = SplitMix64(seed: seed)
        let cycles = ProcessInfo.processInfo.environment["CAIRN_TORTURE"] == "1" ? 30 : 3
        let dir = TemporaryDirectory("cairn-server-crash")
        defer { dir.remove() }
        let data = dir.path + "/data", config = dir.path + "/config"
        try FileManager.default.createDirectory(atPath: config, withIntermediateDirectories: true)
        try "- {kind: event-source, id: web, name: Web, bridge: rest}\n".write(toFile: config + "/web.yaml", atomically: true, encoding: .utf8)
        let port = 20_000 + Int((getpid() + 7) % 20_000)
        var acknowledged: [String] = []
        for cycle in 0..<cycles {
            let server = try ChildProcess(ChildProcess.builtProduct("cairn"), ["serve", "--data", data, "--config", config, "--port", "\(port)"])
            let started = server.readUntil(timeoutMs: 30_000) { $0.contains("serving on") }
            try #require(started.contains("serving on"), "cycle \(cycle): \(started)")
            let stop = StopFlag()
            async let ids = Self.load(port: port, producers: 8, tag: "c\(cycle)", stop: stop)
            try await Task.sleep(for: .milliseconds(200 + Int(random.below(800))))
            server.kill(SIGKILL)
            _ = server.wait()
            stop.value.store(true, ordering: .relaxed)
            acknowledged += await ids
        }
        print("server crash: \(acknowledged.count) events acknowledged over \(cycles) kills")
        #expect(acknowledged.count > 0)

        // Everything acknowledged is in the event log.
        let events = try Self.cairn(["tail", "--events", "--json", "--data", data])
        #expect(events.status == 0)
        var stored = Set<String>()
        for line in events.output.split(separator: "\n") {
            if let id = try? JSONParser.parse(Array(line.utf8))["record"]?["id"]?.stringValue { stored.insert(id) }
        }
        let lost = acknowledged.filter { !stored.contains($0) }
        #expect(lost.isEmpty, "seed \(seed): \(lost.count) of \(acknowledged.count) acknowledged events lost, e.g. \(lost.prefix(5))")
        #expect(try Self.cairn(["log", "verify", "--data", data]).status == 0)
        // Catch up, then a replay must give the same digest.
        #expect(try Self.cairn(["projections", "catch-up", "--data", data]).status == 0)
        let replay = try Self.cairn(["replay", "--data", data])
        let digests = replay.output.split(separator: "\n").filter { $0.hasPrefix("digest ") }.map { $0.split(separator: " ").last.map(String.init) ?? "" }
        #expect(replay.status == 0 && digests.count == 2 && digests[0] == digests[1], "seed \(seed): \(replay.output)")
    }
}

/// Tells the load's producers to stop.
final class StopFlag: Sendable {
    let value = Atomic(false)
}
