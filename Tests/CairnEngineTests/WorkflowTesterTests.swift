import CairnLog
import CairnLogic
import CairnModel
import CairnStore
import CairnTestSupport
import Foundation
import Testing
@testable import CairnEngine

@Suite("Workflow tests against the projections: the trace, the effects, the diffs, and nothing changed", .serialized)
struct WorkflowTesterTests {
    static let t0: Int64 = 1_767_225_600_000_000
    static let minute: Int64 = 60_000_000

    /// `start → check (if total > 100)`; true: `vip` sets a trait, `tag` adds a segment, `call`
    /// records a remote call to `geo`; false: `small` adds another segment.
    static let graph: JSONObject = [
        "nodes": [
            ["id": "start", "action": "start"],
            ["id": "check", "action": "if", "config": ["condition": "event@properties.total > 100"]],
            ["id": "vip", "action": "set-field", "config": ["field": "profile@traits.tier", "value": "gold"]],
            ["id": "tag", "action": "add-segment", "config": ["segment": "big-spenders"]],
            ["id": "call", "action": "remote-call", "config": ["resource": "geo", "method": "GET", "path": "/city/{{profile@traits.city}}"]],
            ["id": "small", "action": "add-segment", "config": ["segment": "small-baskets"]],
            ["id": "notify", "action": "send-to-destination", "config": ["destination": "crm", "data": ["hello": true]]],
        ],
        "edges": [
            ["from": "start", "to": "check"],
            ["from": "check", "fromPort": "true", "to": "vip"],
            ["from": "vip", "to": "tag"],
            ["from": "tag", "to": "call"],
            ["from": "check", "fromPort": "false", "to": "small"],
            ["from": "small", "to": "notify"],
        ],
    ]

    /// `start → once (once-per-profile) → hello (end)`, which a routing rule runs on page views.
    static let onceGraph: JSONObject = [
        "nodes": [["id": "start", "action": "start"], ["id": "once", "action": "once-per-profile"], ["id": "hello", "action": "end"]],
        "edges": [["from": "start", "to": "once"], ["from": "once", "fromPort": "true", "to": "hello"]],
    ]

    /// A projected data directory: two profiles merged by e-mail (anon-1 survives, phone-7 resolves
    /// to it) who told their city; the configuration: the workflow above, the `geo` resource with
    /// production and test credentials, the `crm` destination over the `mail` resource, which has
    /// production credentials only, a workflow whose node names no action, and `welcome-once`,
    /// routed from page views of `web`, whose gate the projector has passed for anon-1 and lone.
    static func withProjectedData(_ body: (Fixture, WorkflowTester) async throws -> Void) async throws {
        let fixture = try await Fixture.make("cairn-workflow-test")
        do {
            let key = testKey()
            var generator = SplitMix64(seed: 11)
            let production = try SealedCredentials.seal(["token": "prod-token-1"], key: key, resourceID: "geo", slot: .production, using: &generator)
            let test = try SealedCredentials.seal(["token": "test-token-1"], key: key, resourceID: "geo", slot: .test, using: &generator)
            let mail = try SealedCredentials.seal(["password": "prod-pass-2"], key: key, resourceID: "mail", slot: .production, using: &generator)
            let configuration = try await ConfigurationStore.open(log: fixture.eventLog)
            try await configuration.commit([
                .put(.workflow(WorkflowDefinition(id: "big-orders", name: "Big orders", graph: graph))),
                .put(.workflow(WorkflowDefinition(id: "broken", name: "Broken", graph: [
                    "nodes": [["id": "start", "action": "start"], ["id": "odd", "action": "no-such-action"]],
                    "edges": [["from": "start", "to": "odd"]],
                ]))),
                .put(.resource(Resource(id: "geo", name: "Geo", type: "http", credentials: production, testCredentials: test))),
                .put(.resource(Resource(id: "mail", name: "Mail", type: "smtp", credentials: mail))),
                .put(.destination(Destination(id: "crm", name: "CRM", resourceID: "mail", on: .event))),
                .put(.eventSource(EventSourceDefinition(id: "web", name: "Web", bridge: .rest))),
                .put(.workflow(WorkflowDefinition(id: "welcome-once", name: "Welcome once", graph: onceGraph))),
                .put(.routingRule(RoutingRule(id: "views", name: "Views", eventType: "page-view", sourceID: "web", workflowID: "welcome-once"))),
            ], checks: StructuralChecks(), key: { key })
            try await fixture.append([
                (event("e1", "page-view", profile: "anon-1", session: "s-laptop", time: t0), t0),
                (event("e2", "identify", profile: "phone-7", session: "s-phone", time: t0 + minute,
                       properties: ["city": "Oslo"], personal: ["properties": ["email": "ada@example.com"]]), t0 + minute),
                (event("e3", "identify", profile: "anon-1", session: "s-laptop", time: t0 + 2 * minute,
                       personal: ["properties": ["email": "ada@example.com"]]), t0 + 2 * minute),
                (event("e4", "page-view", profile: "lone", session: "s-lone", time: t0 + 3 * minute), t0 + 3 * minute),
            ])
            try await fixture.projector().catchUp()
            let tester = WorkflowTester(configuration: try await ConfigurationStore.load(from: fixture.eventLog),
                                        queries: try await ProfileQueries.open(fixture.store))
            try await body(fixture, tester)
        } catch {
            try? await fixture.close()
            throw error
        }
        try await fixture.close()
    }

    /// What a test must leave as it found it.
    struct DiskState: Equatable {
        let eventLogEnd: UInt64
        let changeLogEnd: UInt64
        let digest: String
        /// The projections' LMDB file, byte for byte: no write transaction committed anything.
        let storeFile: [UInt8]

        init(_ fixture: Fixture) async throws {
            eventLogEnd = fixture.eventLog.endOffset
            changeLogEnd = fixture.changeLog.endOffset
            digest = try await ProjectionDigest.compute(fixture.store)
            storeFile = Array(try Data(contentsOf: URL(fileURLWithPath: fixture.dir.path + "/projections/data.mdb")))
        }
    }

    static func purchase(total: Int64, profile: String? = "phone-7", session: String? = "s-phone", time: Int64? = t0 + 10 * minute) -> Event {
        event("e9", "purchase", profile: profile, session: session, time: time, properties: ["total": .integer(total)])
    }

    @Test("the true branch: the trace shows the branch taken, the diff the trait and segment, the remote call is listed; nothing on disk changes")
    func trueBranch() async throws {
        try await Self.withProjectedData { fixture, tester in
            let before = try await DiskState(fixture)
            let result = try tester.test(workflowID: "big-orders", event: Self.purchase(total: 150), nowMicros: 0)

            #expect(result.run.error == nil)
            // Topological, ties broken by node id.
            #expect(result.run.trace.map(\.nodeID) == ["start", "check", "small", "notify", "vip", "tag", "call"])
            let byNode = Dictionary(uniqueKeysWithValues: result.run.trace.map { ($0.nodeID, $0) })
            #expect(byNode["check"]?.portsTaken == ["true"])
            #expect(byNode["check"]?.inputs.map(\.fromNode) == ["start"])
            #expect(byNode["vip"]?.status == .ran && byNode["tag"]?.status == .ran && byNode["call"]?.status == .ran)
            #expect(byNode["small"]?.status == .skipped && byNode["notify"]?.status == .skipped)
            #expect(byNode["vip"]?.changes == [WorkflowChange(field: "profile@traits.tier", value: "gold")])
            #expect(byNode["call"]?.portsTaken == ["requested"])

            // The profile is the survivor of the merge, with the city it told.
            #expect(result.input.profile?.id == "anon-1" && result.input.profile?.traits["city"] == "Oslo")
            #expect(result.input.event.profileID == "phone-7", "the event is run as it was given")
            #expect(result.notes.contains { $0.contains("'phone-7' resolves to 'anon-1'") }, "\(result.notes)")
            #expect(result.input.session?.id == "s-phone" && !result.input.isNewSession && !result.input.isNewProfile)
            #expect(result.notes.contains("no enabled routing rule sends 'purchase' events from source 'web' to workflow 'big-orders': the projector would not run it for this event"))
            #expect(result.input.state.isEmpty && result.stateChanges.isEmpty)

            #expect(result.profileChanges == [
                FieldChange(path: "segments", before: [], after: ["big-spenders"]),
                FieldChange(path: "traits.tier", before: nil, after: "gold"),
            ])
            #expect(result.sessionChanges.isEmpty && result.eventChanges.isEmpty)

            #expect(result.run.effects == [WorkflowEffect(nodeID: "call", request: .remoteCall(
                resourceID: "geo", request: ["method": "GET", "path": "/city/Oslo", "body": ["total": 150]], factKey: "big-orders/call"))])
            #expect(result.resources.count == 1)
            #expect(result.resources.first?.resourceID == "geo")
            guard case .testCredentials(let bytes)? = result.resources.first?.status else {
                Issue.record("expected the test credentials of geo: \(result.resources)")
                return
            }
            #expect(bytes > 0)

            let json = result.jsonValue
            #expect(json["credentials"] == "test")
            #expect(json["changes"]?["profile"]?.arrayValue?.count == 2)
            #expect(json["resources"]?.arrayValue?.first?["status"] == "test-credentials")
            #expect(json["trace"]?.arrayValue?.count == 7)
            #expect(json["error"] == .null)

            #expect(try await DiskState(fixture) == before)
        }
    }

    @Test("the false branch: the other segment, a delivery whose resource has no test credentials; a failed run changes nothing")
    func falseBranchAndFailure() async throws {
        try await Self.withProjectedData { fixture, tester in
            let before = try await DiskState(fixture)
            let result = try tester.test(workflowID: "big-orders", event: Self.purchase(total: 20), nowMicros: 0)
            let byNode = Dictionary(uniqueKeysWithValues: result.run.trace.map { ($0.nodeID, $0) })
            #expect(byNode["check"]?.portsTaken == ["false"])
            #expect(byNode["vip"]?.status == .skipped && byNode["call"]?.status == .skipped)
            #expect(result.profileChanges == [FieldChange(path: "segments", before: [], after: ["small-baskets"])])
            #expect(result.resources == [.init(nodeID: "notify", destinationID: "crm", resourceID: "mail", status: .noTestCredentials)])
            #expect(result.resources[0].summary == "destination 'crm' → resource 'mail': no test credentials")

            // A profile-less event cannot have a segment added: the run fails at that node.
            let failed = try tester.test(workflowID: "big-orders", event: Self.purchase(total: 20, profile: nil, session: nil), nowMicros: 0)
            #expect(failed.run.error != nil)
            #expect(failed.run.trace.last?.nodeID == "small")
            #expect(failed.run.effects.isEmpty && failed.profileChanges.isEmpty)
            #expect(failed.run.error?.code == .unwritableField)
            #expect(failed.notes.contains("the event has no profile: the projector runs workflows only for events with one"))
            #expect(failed.jsonValue["trace"]?.arrayValue?.last?["status"] == "failed")
            #expect(try await DiskState(fixture) == before)
        }
    }

    @Test("a new profile and session, the event's time or now, --profile by identifier, and the errors")
    func inputsAndErrors() async throws {
        try await Self.withProjectedData { fixture, tester in
            let before = try await DiskState(fixture)
            let now = Self.t0 + 99 * Self.minute
            let fresh = try tester.test(workflowID: "big-orders", event: Self.purchase(total: 150, profile: "newcomer", session: "s-new", time: nil), nowMicros: now)
            #expect(fresh.input.isNewProfile && fresh.input.isNewSession)
            #expect(fresh.input.profile?.id == "newcomer" && fresh.input.profile?.metadata.insertMicros == now)
            #expect(fresh.input.nowMicros == now)
            #expect(fresh.notes.contains { $0.contains("no time") } && fresh.notes.contains { $0.contains("new profile") }, "\(fresh.notes)")
            #expect(fresh.profileChanges.map(\.path) == ["segments", "traits.tier"])

            let timed = try tester.test(workflowID: "big-orders", event: Self.purchase(total: 150), nowMicros: now)
            #expect(timed.input.nowMicros == Self.t0 + 10 * Self.minute)

            let byEmail = try tester.test(workflowID: "big-orders", event: Self.purchase(total: 150, profile: nil), profileID: "email:ada@example.com", nowMicros: now)
            #expect(byEmail.input.profile?.id == "anon-1" && byEmail.input.event.profileID == "anon-1")
            #expect(byEmail.notes.contains("'email:ada@example.com' resolves to profile 'anon-1'"), "\(byEmail.notes)")

            func error(_ body: () throws -> WorkflowTestResult) -> EngineError? {
                do {
                    _ = try body()
                    return nil
                } catch {
                    return error as? EngineError
                }
            }
            let unknownProfile = error { try tester.test(workflowID: "big-orders", event: Self.purchase(total: 1), profileID: "nobody", nowMicros: now) }
            #expect(unknownProfile?.code == .notFound && unknownProfile?.message.contains("'nobody'") == true)
            let unknownWorkflow = error { try tester.test(workflowID: "nope", event: Self.purchase(total: 1), nowMicros: now) }
            #expect(unknownWorkflow?.code == .notFound)
            #expect(unknownWorkflow?.message == "no workflow with id 'nope'; workflows are big-orders, broken, welcome-once")
            let invalid = error { try tester.test(workflowID: "broken", event: Self.purchase(total: 1), nowMicros: now) }
            #expect(invalid?.code == .invalidWorkflow)
            #expect(invalid?.message == "workflow 'broken': node 'odd': no action is called 'no-such-action'")
            #expect(try await DiskState(fixture) == before)
        }
    }

    @Test("the gate state is the projections': a gate the projector passed for the profile stays shut; a new profile's opens")
    func gateState() async throws {
        try await Self.withProjectedData { fixture, tester in
            let before = try await DiskState(fixture)
            let view = event("e10", "page-view", profile: "phone-7", session: "s-phone", time: Self.t0 + 20 * Self.minute)
            let again = try tester.test(workflowID: "welcome-once", event: view, nowMicros: 0)
            #expect(again.input.profile?.id == "anon-1")
            #expect(again.input.state["once:once"] != nil, "the state the projector stored: \(again.input.state)")
            #expect(again.run.trace.first { $0.nodeID == "once" }?.portsTaken == ["false"])
            #expect(again.run.trace.first { $0.nodeID == "hello" }?.status == .skipped)
            #expect(again.stateChanges.isEmpty && again.profileChanges.isEmpty)
            #expect(!again.notes.contains { $0.contains("routing rule") }, "\(again.notes)")

            var newcomer = view
            newcomer.profileID = "newcomer"
            let first = try tester.test(workflowID: "welcome-once", event: newcomer, nowMicros: 0)
            #expect(first.input.state.isEmpty)
            #expect(first.run.trace.first { $0.nodeID == "once" }?.portsTaken == ["true"])
            #expect(first.stateChanges.map(\.path) == ["once:once"] && first.stateChanges.first?.before == nil)
            #expect(first.jsonValue["changes"]?["state"]?.arrayValue?.count == 1)
            #expect(try await DiskState(fixture) == before)
        }
    }

    @Test("event files: a corpus line, a /track payload's first event, a plain event, JSON lines; errors name the file and line")
    func eventFiles() throws {
        let corpus = try WorkflowTestEvent.parse(Array(#"{"id":"c1","type":"purchase","source":{"id":"web"},"profile":{"id":"p1"},"properties":{"total":5}}"#.utf8), file: "e.json")
        #expect(corpus.event.id == "c1" && corpus.event.profileID == "p1" && corpus.event.properties["total"] == 5 && corpus.notes.isEmpty)

        let payload = try WorkflowTestEvent.parse(Array("""
            {"source": {"id": "web"}, "session": {"id": "s1"}, "profile": {"id": "p1"},
             "events": [{"type": "page-view"}, {"id": "x2", "type": "purchase"}]}
            """.utf8), file: "track.json")
        #expect(payload.event.id == "test-event-0" && payload.event.type == "page-view" && payload.event.sessionID == "s1")
        #expect(payload.notes == ["the payload has 2 events; the first (test-event-0, page-view) is tested"])

        let plain = try WorkflowTestEvent.parse(Array("\n  {\"type\": \"Sign Up\", \"profile\": {\"id\": \"p2\"}}\n".utf8), file: "plain.json")
        #expect(plain.event.id == "test-event" && plain.event.sourceID == "test" && plain.event.type == "sign-up" && plain.event.clientTime == nil)
        #expect(plain.notes == ["the event is given id 'test-event' and source 'test'"])

        let lines = try WorkflowTestEvent.parse(Array("{\"type\": \"a\"}\n{\"type\": \"b\"}\n".utf8), file: "many.jsonl")
        #expect(lines.event.type == "a" && lines.notes.first == "many.jsonl holds more than one line; the first (line 1) is tested")

        func message(_ text: String, _ file: String = "bad.json") -> String? {
            do {
                _ = try WorkflowTestEvent.parse(Array(text.utf8), file: file)
                return nil
            } catch {
                #expect(error.code == .invalidEvent)
                return error.message
            }
        }
        #expect(message("{\n  \"type\": \"a\",\n  \"properties\": {,}\n}") == "bad.json:3: column 18: expected a string key or '}', found ','"
                    || message("{\n  \"type\": \"a\",\n  \"properties\": {,}\n}")?.hasPrefix("bad.json:3: column 18: ") == true)
        #expect(message("   \n\n") == "bad.json:1: the file is empty; it must hold one event (a corpus line, a /track payload or an event object)")
        #expect(message("\n[1, 2]") == "bad.json:2: expected an event (a JSON object), found an array")
        #expect(message("{\"source\": {\"id\": \"web\"}, \"events\": []}") == "bad.json:1: events: the payload has no events")
        #expect(message("\n\n{\"type\": 7}")?.hasPrefix("bad.json:3: type: ") == true)
        #expect(message(String(repeating: " ", count: WorkflowTestEvent.fileBytesMax + 1))?.contains("at most") == true)
    }
}
