import CairnModel
import CairnTestSupport
import Foundation
import Testing

/// `cairn import --source`: the ingest gate and the dead-letter log, end to end, with a
/// configuration applied by `cairn config apply`.
@Suite("cairn import through the ingest gate", .serialized)
struct IngestCLITests {
    static func run(_ arguments: [String]) throws -> (status: Int32, output: String) {
        let process = try ChildProcess(ChildProcess.builtProduct("cairn"), arguments)
        let output = process.readToEnd()
        return (process.wait(), output)
    }

    static let configuration = """
        - kind: event-source
          id: web
          name: Web site
          bridge: import
        - kind: event-source
          id: hook
          name: Hook
          bridge: webhook
        - kind: consent-type
          name: Marketing
        - kind: compliance-rule
          id: drop-email
          name: Drop e-mail
          event_type: Sign Up
          fields: [properties.email]
          action: remove
          consents: [marketing]
        """

    static let lines = [
        #"{"id":"e1","type":"sign-up","time":"2026-01-01T00:00:00Z","source":{"id":"web"},"profile":{"id":"p1"},"properties":{"email":"ada@example.com","plan":"pro"}}"#,
        #"{"id":"e2","type":"page-view","time":"2026-01-01T00:01:00Z","source":{"id":"web"},"profile":{"id":"p1"},"properties":{"email":"ada@example.com"}}"#,
        #"{"id":"e3","type":"sign-up","source":{"id":"shop"},"profile":{"id":"p2"},"properties":{"email":"bob@example.com"}}"#,
        "",
        #"{"source":{"id":"web"},"profile":{"id":"p3"},"events":[{"id":"t1","type":"Sign Up","properties":{"email":"cy@example.com"}},{"id":"t2","type":"purchase"}]}"#,
    ]

    /// A data directory with the configuration applied, and the input file; returns their paths.
    static func prepare(_ dir: TemporaryDirectory) throws -> (data: String, input: String) {
        let data = dir.path + "/data", files = dir.path + "/config"
        try FileManager.default.createDirectory(atPath: files, withIntermediateDirectories: true)
        try configuration.write(toFile: files + "/ingest.yaml", atomically: true, encoding: .utf8)
        let applied = try run(["config", "apply", files, "--data", data])
        #expect(applied.status == 0 && applied.output.contains("4 changed"), "\(applied.output)")
        let input = dir.path + "/events.jsonl"
        try (lines.joined(separator: "\n") + "\n").write(toFile: input, atomically: true, encoding: .utf8)
        return (data, input)
    }

    @Test("--source: compliance applied before storage, a mismatched source dead-lettered, counts per outcome and reason")
    func gated() throws {
        let dir = TemporaryDirectory("cairn-ingest-cli")
        defer { dir.remove() }
        let (data, input) = try Self.prepare(dir)

        let imported = try Self.run(["import", "--source", "web", "--data", data, input])
        #expect(imported.status == 0, "\(imported.output)")
        for expected in ["accepted 4\n", "  changed by compliance rule \"drop-email\" 2\n", "rejected 1 (to the dead-letter log)\n",
                         "  source-mismatch 1\n", "appended 4 events from 5 lines", "projected 4 events"] {
            #expect(imported.output.contains(expected), "\(expected) in \(imported.output)")
        }

        // The stored sign-ups have no e-mail; the page view (no rule for its type) keeps it.
        let events = try Self.run(["tail", "--events", "--json", "--data", data])
        let stored = try events.output.split(separator: "\n").compactMap { line -> JSONValue? in
            let record = try JSONParser.parse(Array(line.utf8))["record"]
            return record?["type"] == nil ? nil : record
        }
        #expect(stored.compactMap { $0["id"]?.stringValue } == ["e1", "e2", "t1", "t2"], "\(events.output)")
        #expect(!events.output.contains("cy@example.com"), "\(events.output)")
        #expect(stored[1]["personal"]?["properties"]?["email"] == "ada@example.com")
        #expect(stored[0]["properties"] == ["plan": "pro"] && stored[0]["personal"] == nil, "\(stored[0])")

        // The refused event, with its reason and the line as sent.
        let dead = try Self.run(["tail", "--deadletter", "--json", "--data", data])
        let records = dead.output.split(separator: "\n")
        #expect(dead.status == 0 && records.count == 1, "\(dead.output)")
        let record = try JSONParser.parse(Array(records[0].utf8))["record"]
        #expect(record?["reason"] == "source-mismatch" && record?["source_id"] == "web" && record?["bridge"] == "import" && record?["event_id"] == "e3")
        #expect(record?["payload"] == (try JSONParser.parse(Array(Self.lines[2].utf8))), "\(dead.output)")
        let compact = try Self.run(["tail", "--deadletter", "--data", data])
        #expect(compact.output == "0 source-mismatch event=e3 source=web bridge=import\n", "\(compact.output)")
    }

    @Test("an unknown source, or a source on another bridge, sends every event to the dead-letter log; --bridge needs --source")
    func refused() throws {
        let dir = TemporaryDirectory("cairn-ingest-cli")
        defer { dir.remove() }
        let (data, input) = try Self.prepare(dir)

        let unknown = try Self.run(["import", "--source", "nope", "--data", data, input])
        #expect(unknown.status == 0 && unknown.output.contains("accepted 0\n") && unknown.output.contains("  unknown-source 5\n"), "\(unknown.output)")
        let hook = try Self.run(["import", "--source", "hook", "--bridge", "webhook", "--data", data, input])
        #expect(hook.output.contains("  source-mismatch 5\n"), "\(hook.output)")
        let wrongBridge = try Self.run(["import", "--source", "hook", "--data", data, input])
        #expect(wrongBridge.output.contains("  wrong-bridge 5\n"), "\(wrongBridge.output)")
        let dead = try Self.run(["tail", "--deadletter", "--data", data])
        #expect(dead.output.split(separator: "\n").count == 15, "\(dead.output)")
        #expect(dead.output.contains("unknown-source event=t2 source=nope bridge=import"), "\(dead.output)")

        let noSource = try Self.run(["import", "--bridge", "rest", "--data", data, input])
        #expect(noSource.status != 0 && noSource.output.contains("--bridge needs --source"), "\(noSource.output)")
        let badBridge = try Self.run(["import", "--source", "web", "--bridge", "ftp", "--data", data, input])
        #expect(badBridge.status != 0 && badBridge.output.contains("--bridge must be"), "\(badBridge.output)")
        #expect(try Self.run(["tail", "--events", "--deadletter", "--data", data]).status != 0)
    }

    @Test("an ephemeral source: events processed, nothing raw left in the data directory, and a replay gives the same projections")
    func ephemeral() throws {
        let dir = TemporaryDirectory("cairn-ingest-cli")
        defer { dir.remove() }
        let (data, _) = try Self.prepare(dir)
        #expect(try Self.run(["source", "create", "Kiosk", "--bridge", "import", "--ephemeral", "--data", data]).status == 0)
        let kiosk = try #require(Self.lines(try Self.run(["source", "list", "--data", data]).output).first { $0.contains("Kiosk") }?.split(separator: "\t").first)
        let input = dir.path + "/kiosk.jsonl"
        try [
            #"{"id":"k1","type":"page-view","time":"2026-01-01T00:00:00Z","source":{"id":"\#(kiosk)"},"session":{"id":"s1"},"profile":{"id":"p9"},"properties":{"shelf":"kiosk-shelf-42"}}"#,
            #"{"id":"k2","type":"page-view","time":"2026-01-01T00:01:00Z","source":{"id":"\#(kiosk)"},"session":{"id":"s1"},"profile":{"id":"p9"}}"#,
        ].joined(separator: "\n").write(toFile: input, atomically: true, encoding: .utf8)
        let imported = try Self.run(["import", "--source", String(kiosk), "--data", data, input])
        #expect(imported.status == 0 && imported.output.contains("from an ephemeral source 2"), "\(imported.output)")

        // The profile felt both events; the trail knows them by id only.
        let profile = try JSONParser.parse(Array(try Self.run(["profile", "get", "p9", "--data", data]).output.utf8))
        #expect(profile["stats"]?["views"] == 2, "\(profile)")
        let trail = Self.lines(try Self.run(["profile", "events", "p9", "--data", data]).output)
        #expect(trail.count == 2 && trail.allSatisfy { $0.contains("\"ephemeral\":true") }, "\(trail)")
        // Nothing of the raw events is readable: no key left, no property value anywhere.
        #expect(try FileManager.default.contentsOfDirectory(atPath: data + "/ephemeral-keys").isEmpty)
        for path in FileManager.default.enumerator(atPath: data + "/events")?.compactMap({ $0 as? String }) ?? [] {
            let bytes = FileManager.default.contents(atPath: data + "/events/" + path) ?? Data()
            #expect(bytes.range(of: Data("kiosk-shelf-42".utf8)) == nil, "\(path)")
        }
        let before = try Self.run(["projections", "digest", "--data", data]).output
        let replayed = try Self.run(["replay", "--data", data])
        #expect(replayed.status == 0, "\(replayed.output)")
        #expect(try Self.run(["projections", "digest", "--data", data]).output == before)
    }

    static func lines(_ output: String) -> [String] { output.split(separator: "\n").map(String.init) }

    @Test("without --source every event is appended as read")
    func ungated() throws {
        let dir = TemporaryDirectory("cairn-ingest-cli")
        defer { dir.remove() }
        let (data, input) = try Self.prepare(dir)
        let imported = try Self.run(["import", "--data", data, input])
        #expect(imported.status == 0 && imported.output.contains("appended 5 events from 5 lines") && !imported.output.contains("accepted"), "\(imported.output)")
        let events = try Self.run(["tail", "--events", "--json", "--data", data])
        #expect(events.output.contains("bob@example.com") && events.output.contains("cy@example.com"), "\(events.output)")
        #expect(try Self.run(["tail", "--deadletter", "--data", data]).output.isEmpty)
    }
}
