import CairnModel
import Testing
@testable import CairnLogic

/// The data the workflow and action tests run against.
enum WorkflowFixture {
    /// 2026-03-04T10:20:30Z, a Wednesday.
    static let time: Int64 = 1_772_619_630_000_000

    static var event: Event {
        Event(
            id: "e1", type: "purchase", clientTime: time, sourceID: "web", sessionID: "s1", profileID: "p1",
            properties: ["total": 120, "price": 19.5, "quantity": 3, "email": "  Jane@Example.com ", "sku": "AB-123", "items": ["a", "b"]],
            context: ["page": ["url": "https://shop.example/cart"]], tags: ["web"]
        )
    }

    static var profile: Profile {
        Profile(
            id: "p1", traits: ["name": "Jane", "city": "Oslo", "visits": 4, "tags": ["x"]], pii: ["email": "jane@example.com"],
            stats: ProfileStats(visits: 4, views: 10, counters: ["orders": 2]), interests: ["hiking": 2.0], segments: ["buyers"],
            consents: ["marketing": Consent(), "lapsed": Consent(revokeMicros: time - 1)],
            metadata: ProfileMetadata(insertMicros: time - 86_400_000_000, lastVisitMicros: time, updateMicros: time)
        )
    }

    static var session: Session {
        Session(id: "s1", profileID: "p1", context: SessionContext(device: ["name": "phone"], page: ["title": "Cart"]), startMicros: time - 60_000_000, eventCount: 3)
    }

    static func input(payload: JSONValue? = nil, state: JSONObject = [:], facts: JSONObject = [:], profile: Profile? = WorkflowFixture.profile) -> WorkflowInput {
        WorkflowInput(event: event, profile: profile, session: session, payload: payload, state: state, facts: facts, isNewProfile: false, isNewSession: true)
    }
}

/// A workflow of `start → node → end`, with each of the node's output ports joined to its own
/// `end` node (`end-<port>`), so that every port taken shows in the trace.
func singleNodeWorkflow(_ action: String, _ config: JSONObject, registry: ActionRegistry = .builtIn) throws -> ValidatedWorkflow {
    let ports = registry.descriptor(named: action)?.outputPorts ?? []
    var nodes = [WorkflowNode(id: "start", action: "start"), WorkflowNode(id: "node", action: action, config: config)]
    var edges = [WorkflowEdge(from: "start", to: "node")]
    for port in ports {
        nodes.append(WorkflowNode(id: "end-\(port)", action: "end"))
        edges.append(WorkflowEdge(from: "node", port: port, to: "end-\(port)"))
    }
    return try Workflow(id: "wf", nodes: nodes, edges: edges).validate(registry: registry)
}

/// What one run of a single action did.
struct ActionRun {
    let result: WorkflowResult
    /// The node's trace entry.
    let entry: WorkflowTraceEntry

    /// The one port the node sent a value on.
    var port: String? { entry.portsTaken.count == 1 ? entry.portsTaken[0] : nil }
    /// The value sent on that port.
    var value: JSONValue? { entry.outputs.first?.value }
    var profile: Profile { result.profile! }
}

/// Runs `action` with `config` on `input` (the fixture by default) and checks the run did not fail.
func runAction(_ action: String, _ config: JSONObject = [:], input: WorkflowInput = WorkflowFixture.input(), sourceLocation: SourceLocation = #_sourceLocation) throws -> ActionRun {
    let result = try singleNodeWorkflow(action, config).run(input)
    #expect(result.error == nil, "\(String(describing: result.error))", sourceLocation: sourceLocation)
    let entry = try #require(result.trace.first { $0.nodeID == "node" }, sourceLocation: sourceLocation)
    return ActionRun(result: result, entry: entry)
}

/// The error of a run that failed (it must have).
func failingRun(_ action: String, _ config: JSONObject = [:], input: WorkflowInput = WorkflowFixture.input(), sourceLocation: SourceLocation = #_sourceLocation) throws -> LogicError {
    let result = try singleNodeWorkflow(action, config).run(input)
    return try #require(result.error, sourceLocation: sourceLocation)
}

/// The validation error for `action` with `config` (there must be one).
func configError(_ action: String, _ config: JSONObject, sourceLocation: SourceLocation = #_sourceLocation) -> LogicError? {
    #expect(throws: LogicError.self, sourceLocation: sourceLocation) { try singleNodeWorkflow(action, config) }
}

extension JSONValue {
    /// Canonical JSON text, for comparing results byte for byte.
    var text: String { String(decoding: serialized(), as: UTF8.self) }
}
