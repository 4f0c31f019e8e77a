import CairnEngine
import CairnLog
import CairnModel
import CairnTestSupport
import Foundation
import Testing

/// `cairn workflow test`, end to end: the binary on a data directory with projected events and a
/// configured workflow.
@Suite("cairn workflow test from the command line", .serialized)
struct WorkflowTestCLITests {
    static func run(_ arguments: [String]) throws -> (status: Int32, output: String) {
        let process = try ChildProcess(ChildProcess.builtProduct("cairn"), arguments)
        let output = process.readToEnd()
        return (process.wait(), output)
    }

    static let productionSecret = "prod-secret-do-not-print"
    static let testSecret = "test-secret-do-not-print"

    static let events = [
        #"{"id":"e1","type":"page-view","time":"2026-01-01T00:00:00Z","source":{"id":"web"},"session":{"id":"s1"},"profile":{"id":"p1"}}"#,
        #"{"id":"e2","type":"identify","time":"2026-01-01T00:01:00Z","source":{"id":"web"},"session":{"id":"s1"},"profile":{"id":"p1"},"properties":{"city":"Oslo"}}"#,
    ]

    static let configuration = """
        - kind: workflow
          id: big-orders
          name: Big orders
          graph:
            nodes:
              - {id: start, action: start}
              - {id: check, action: if, config: {condition: "event@properties.total > 100"}}
              - {id: vip, action: set-field, config: {field: "profile@traits.tier", value: gold}}
              - {id: tag, action: add-segment, config: {segment: big-spenders}}
              - {id: call, action: remote-call, config: {resource: geo, method: GET, path: "/city/{{profile@traits.city}}"}}
              - {id: small, action: add-segment, config: {segment: small-baskets}}
            edges:
              - {from: start, to: check}
              - {from: check, fromPort: "true", to: vip}
              - {from: vip, to: tag}
              - {from: tag, to: call}
              - {from: check, fromPort: "false", to: small}
        - kind: resource
          id: geo
          name: Geo
          type: http
          credentials:
            production: {token: \(productionSecret)}
            test: {token: \(testSecret)}
        """

    /// A data directory with the events imported and projected and the configuration applied.
    static func makeData(_ dir: TemporaryDirectory) throws -> String {
        let data = dir.path + "/data"
        let events = dir.path + "/events.jsonl"
        try (Self.events.joined(separator: "\n") + "\n").write(toFile: events, atomically: true, encoding: .utf8)
        let imported = try run(["import", events, "--data", data])
        #expect(imported.status == 0, "\(imported.output)")
        let files = dir.path + "/config"
        try FileManager.default.createDirectory(atPath: files, withIntermediateDirectories: true)
        try configuration.write(toFile: files + "/all.yaml", atomically: true, encoding: .utf8)
        #expect(try run(["config", "init-key", "--data", data]).status == 0)
        let applied = try run(["config", "apply", files, "--data", data])
        #expect(applied.status == 0 && applied.output.contains("2 changed"), "\(applied.output)")
        return data
    }

    /// Every file of the data directory but LMDB's lock file, by path: what a test must not change.
    static func files(_ data: String) throws -> [String: Data] {
        var contents: [String: Data] = [:]
        for path in try FileManager.default.subpathsOfDirectory(atPath: data) where !path.hasSuffix("lock.mdb") {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: data + "/" + path, isDirectory: &isDirectory), !isDirectory.boolValue else { continue }
            contents[path] = FileManager.default.contents(atPath: data + "/" + path)
        }
        return contents
    }

    static func write(_ text: String, to path: String) throws {
        try text.write(toFile: path, atomically: true, encoding: .utf8)
    }

    @Test("the human report: one block per node, the effects with test credentials, the diff; --json as one object; nothing on disk changes")
    func reportAndJSON() throws {
        let dir = TemporaryDirectory("cairn-workflow-test")
        defer { dir.remove() }
        let data = try Self.makeData(dir)
        let purchase = dir.path + "/purchase.json"
        try Self.write(#"{"id":"e9","type":"purchase","time":"2026-01-01T00:05:00Z","source":{"id":"web"},"session":{"id":"s1"},"profile":{"id":"p1"},"properties":{"total":150}}"#, to: purchase)
        let before = try Self.files(data)

        let human = try Self.run(["workflow", "test", "big-orders", "--event", purchase, "--data", data])
        #expect(human.status == 0, "\(human.output)")
        let text = human.output
        for expected in [
            "workflow big-orders (Big orders) on event e9 (purchase) at 2026-01-01T00:05:00.000000Z",
            "profile p1, session s1, credentials: test",
            "note: no enabled routing rule sends 'purchase' events from source 'web' to workflow 'big-orders': the projector would not run it for this event",
            "[1] start (start): ran",
            "[2] check (if): ran\n    in start.payload → payload: {\"total\":150}\n    out true: {\"total\":150}\n    port taken: true",
            "[3] small (add-segment): skipped, no value arrived",
            "(set-field): ran",
            "    changed profile@traits.tier = \"gold\"",
            "    changed profile@segments = [\"big-spenders\"]",
            "call (remote-call): ran",
            "    port taken: requested",
            "effects:\n  call: remote-call {\"fact\":\"big-orders/call\",\"request\":{\"body\":{\"total\":150},\"method\":\"GET\",\"path\":\"/city/Oslo\"},\"resource\":\"geo\"}",
            "  call: resource 'geo': test credentials (",
            "changes:\n  profile:\n    segments: [] → [\"big-spenders\"]\n    traits.tier: (absent) → \"gold\"\n  session: none\n  event: none\n  gate state: none",
            "ran 5 nodes, skipped 1, in ",
            "; nothing was stored or sent",
        ] {
            #expect(text.contains(expected), "missing \(expected) in:\n\(text)")
        }

        let json = try Self.run(["workflow", "test", "big-orders", "--event", purchase, "--json", "--data", data])
        #expect(json.status == 0, "\(json.output)")
        let line = try #require(json.output.split(separator: "\n").first { $0.hasPrefix("{") })
        let object = try JSONParser.parse(Array(line.utf8))
        #expect(object["workflow"]?["id"] == "big-orders")
        #expect(object["credentials"] == "test")
        #expect(object["profile"] == ["id": "p1", "new": false])
        #expect(object["trace"]?.arrayValue?.map { $0["status"]?.stringValue ?? "" } == ["ran", "ran", "skipped", "ran", "ran", "ran"])
        #expect(object["trace"]?.arrayValue?[1]["outputs"]?.arrayValue?.first?["port"] == "true")
        #expect(object["effects"]?.arrayValue?.first?["type"] == "remote-call")
        #expect(object["resources"]?.arrayValue?.first?["status"] == "test-credentials")
        #expect(object["changes"]?["profile"] == [["path": "segments", "before": [], "after": ["big-spenders"]],
                                                  ["path": "traits.tier", "after": "gold"]])
        #expect(object["error"] == .null)

        for output in [human.output, json.output] {
            #expect(!output.contains(Self.productionSecret) && !output.contains(Self.testSecret))
        }
        #expect(try Self.files(data) == before, "a test changed the data directory")
    }

    @Test("a /track payload's first event, a new profile, --profile; a failed run exits 1")
    func inputsAndFailure() throws {
        let dir = TemporaryDirectory("cairn-workflow-test")
        defer { dir.remove() }
        let data = try Self.makeData(dir)
        let before = try Self.files(data)

        let payload = dir.path + "/track.json"
        try Self.write(#"{"source":{"id":"web"},"session":{"id":"s-new"},"profile":{"id":"stranger"},"events":[{"type":"purchase","properties":{"total":20}},{"type":"page-view"}]}"#, to: payload)
        let tracked = try Self.run(["workflow", "test", "big-orders", "--event", payload, "--data", data])
        #expect(tracked.status == 0, "\(tracked.output)")
        #expect(tracked.output.contains("note: the payload has 2 events; the first (test-event-0, purchase) is tested"), "\(tracked.output)")
        #expect(tracked.output.contains("note: the event has no time: the run's time is now"), "\(tracked.output)")
        #expect(tracked.output.contains("profile stranger (new), session s-new (new)"), "\(tracked.output)")
        #expect(tracked.output.contains("port taken: false") && tracked.output.contains("segments: [] → [\"small-baskets\"]"), "\(tracked.output)")
        #expect(tracked.output.contains("effects: none"), "\(tracked.output)")

        let plain = dir.path + "/plain.json"
        try Self.write("{\n  \"type\": \"purchase\",\n  \"properties\": {\"total\": 500}\n}\n", to: plain)
        let chosen = try Self.run(["workflow", "test", "big-orders", "--event", plain, "--profile", "p1", "--data", data])
        #expect(chosen.status == 0, "\(chosen.output)")
        #expect(chosen.output.contains("note: the event's profile is set to 'p1'") && chosen.output.contains("path\":\"/city/Oslo"), "\(chosen.output)")

        // A profile-less event has no trait to set: the run fails at that node and exits 1.
        let failing = try Self.run(["workflow", "test", "big-orders", "--event", plain, "--data", data])
        #expect(failing.status == 1, "\(failing.output)")
        #expect(failing.output.contains("[4] vip (set-field): failed: ") && failing.output.contains("the run failed ("), "\(failing.output)")
        #expect(try Self.files(data) == before, "a test changed the data directory")
    }

    @Test("errors name the problem: unknown workflow, invalid workflow, unreadable event file, unknown profile")
    func errors() async throws {
        let dir = TemporaryDirectory("cairn-workflow-test")
        defer { dir.remove() }
        let data = try Self.makeData(dir)
        let good = dir.path + "/good.json"
        try Self.write(#"{"type":"purchase","profile":{"id":"p1"},"properties":{"total":1}}"#, to: good)

        let unknown = try Self.run(["workflow", "test", "nope", "--event", good, "--data", data])
        #expect(unknown.status != 0 && unknown.output.contains("no workflow with id 'nope'; workflows are big-orders"), "\(unknown.output)")

        let bad = dir.path + "/bad.json"
        try Self.write("{\n  \"type\": \"purchase\",\n  \"properties\": {\"total\": 1,}\n}\n", to: bad)
        let badJSON = try Self.run(["workflow", "test", "big-orders", "--event", bad, "--data", data])
        #expect(badJSON.status != 0 && badJSON.output.contains("\(bad):3: column "), "\(badJSON.output)")
        let badField = dir.path + "/field.json"
        try Self.write("\n{\"type\": 42}", to: badField)
        let field = try Self.run(["workflow", "test", "big-orders", "--event", badField, "--data", data])
        #expect(field.status != 0 && field.output.contains("\(badField):2: type: "), "\(field.output)")
        let missing = try Self.run(["workflow", "test", "big-orders", "--event", dir.path + "/absent.json", "--data", data])
        #expect(missing.status != 0 && missing.output.contains("cannot read the event file \(dir.path)/absent.json"), "\(missing.output)")

        let nobody = try Self.run(["workflow", "test", "big-orders", "--event", good, "--profile", "nobody", "--data", data])
        #expect(nobody.status != 0 && nobody.output.contains("no profile for 'nobody'"), "\(nobody.output)")

        let noData = try Self.run(["workflow", "test", "big-orders", "--event", good, "--data", dir.path + "/nothing"])
        #expect(noData.status != 0 && noData.output.contains("no data directory at"), "\(noData.output)")
        #expect(!FileManager.default.fileExists(atPath: dir.path + "/nothing"))

        // A workflow recorded before an action it names was known: recorded past the checks.
        let log = try await DurableLog.open(directory: data + "/events")
        let store = try await ConfigurationStore.open(log: log)
        try await store.commit([.put(.workflow(WorkflowDefinition(id: "old", name: "Old", graph: [
            "nodes": [["id": "start", "action": "start"], ["id": "gone", "action": "retired-action"]],
            "edges": [["from": "start", "to": "gone"]],
        ])))], checks: StructuralChecks())
        try await log.close()
        let invalid = try Self.run(["workflow", "test", "old", "--event", good, "--data", data])
        #expect(invalid.status != 0 && invalid.output.contains("workflow 'old': node 'gone': no action is called 'retired-action'"), "\(invalid.output)")
    }
}
