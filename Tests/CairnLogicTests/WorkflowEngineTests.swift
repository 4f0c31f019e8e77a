import CairnModel
import Testing
@testable import CairnLogic

/// Appends its node id and payload to `memory@visits`, so tests see which nodes ran with what.
struct VisitAction: WorkflowAction {
    static let name = "visit"
    static let summary = "Records that the node ran."
    static let inputPorts = ["payload", "other"]
    static let outputPorts = ["payload", "other"]

    let port: String

    init(config: ActionConfig) throws(LogicError) {
        port = try config.choice("port", of: ["payload", "other", "none"], default: "payload")
    }

    func run(_ context: inout ActionContext) throws(LogicError) -> ActionOutput {
        var visits = context.memory["visits"]?.arrayValue ?? []
        visits.append([
            "node": .string(context.nodeID), "payload": context.payload,
            "arrivals": .array(context.arrivals.map { .string("\($0.fromNode).\($0.fromPort)→\($0.toPort)") }),
        ])
        try context.set(FieldReference(root: .memory, path: [.key("visits")]), to: .array(visits))
        return port == "none" ? .none : .on(port, .string(context.nodeID))
    }
}

/// Sends on a port it did not declare: a broken extension.
struct StrayPortAction: WorkflowAction {
    static let name = "stray"
    static let summary = "Sends on an undeclared port."
    init(config: ActionConfig) throws(LogicError) {}
    func run(_ context: inout ActionContext) throws(LogicError) -> ActionOutput { .on("elsewhere", 1) }
}

@Suite("Workflow engine: branches, joins, failures, determinism, limits")
struct WorkflowEngineTests {
    static let registry: ActionRegistry = {
        var registry = ActionRegistry.builtIn
        registry.register(VisitAction.self)
        registry.register(StrayPortAction.self)
        return registry
    }()

    static func visits(_ result: WorkflowResult) -> [String] {
        (result.memory["visits"]?.arrayValue ?? []).compactMap { $0["node"]?.stringValue }
    }

    static func build(_ nodes: [(String, String, JSONObject)], _ edges: [(String, String, String, String)], limits: WorkflowLimits = .default) throws -> ValidatedWorkflow {
        try Workflow(
            id: "wf", nodes: nodes.map { WorkflowNode(id: $0.0, action: $0.1, config: $0.2) },
            edges: edges.map { WorkflowEdge(from: $0.0, port: $0.1, to: $0.2, port: $0.3) }
        ).validate(registry: registry, limits: limits)
    }

    /// start → has-segment(buyers) → true: yes, false: no; both → join → end.
    static func branchAndJoin(segment: String) throws -> ValidatedWorkflow {
        try build(
            [
                ("start", "start", [:]), ("check", "has-segment", ["segment": .string(segment)]), ("yes", "visit", [:]), ("no", "visit", [:]),
                ("after-yes", "visit", [:]), ("join", "visit", [:]), ("end", "end", [:]),
            ],
            [
                ("start", "payload", "check", "payload"), ("check", "true", "yes", "payload"), ("check", "false", "no", "payload"),
                ("yes", "payload", "after-yes", "payload"), ("after-yes", "payload", "join", "payload"), ("no", "payload", "join", "other"),
                ("join", "payload", "end", "payload"),
            ]
        )
    }

    @Test("a branch whose port got nothing is skipped, with everything only it feeds; the join runs once")
    func skipsBranch() throws {
        let taken = try Self.branchAndJoin(segment: "buyers").run(WorkflowFixture.input())
        #expect(taken.error == nil)
        #expect(Self.visits(taken) == ["yes", "after-yes", "join"])
        let statuses = taken.trace.map { "\($0.nodeID):\($0.status == .skipped ? "skipped" : "ran")" }
        #expect(statuses == ["start:ran", "check:ran", "no:skipped", "yes:ran", "after-yes:ran", "join:ran", "end:ran"])
        #expect(taken.trace[1].portsTaken == ["true"])

        let other = try Self.branchAndJoin(segment: "sellers").run(WorkflowFixture.input())
        #expect(Self.visits(other) == ["no", "join"])
        #expect(other.trace.filter { $0.status == .skipped }.map(\.nodeID) == ["yes", "after-yes"])
    }

    @Test("a join runs once after all its upstream nodes, with every value that arrived; payload@ is the last")
    func joinsWithAllArrivals() throws {
        let workflow = try Self.build(
            [("start", "start", [:]), ("a", "visit", [:]), ("b", "visit", ["port": "other"]), ("join", "visit", [:])],
            [("start", "payload", "a", "payload"), ("start", "payload", "b", "payload"), ("a", "payload", "join", "payload"), ("b", "other", "join", "other")]
        )
        let result = workflow.run(WorkflowFixture.input(payload: "hello"))
        let visits = try #require(result.memory["visits"]?.arrayValue)
        #expect(visits.count == 3)
        #expect(visits[0]["payload"] == "hello")
        #expect(visits[2] == ["node": "join", "payload": "b", "arrivals": ["a.payload→payload", "b.other→other"]])
        let joinEntry = try #require(result.trace.last)
        #expect(joinEntry.inputs.map(\.value) == ["a", "b"])
    }

    @Test("a node that sends on no port ends its branch; the start node passes the input's payload, by default the event's properties")
    func startPayloadAndDeadEnds() throws {
        let workflow = try Self.build(
            [("start", "start", [:]), ("quiet", "visit", ["port": "none"]), ("after", "visit", [:])],
            [("start", "payload", "quiet", "payload"), ("quiet", "payload", "after", "payload")]
        )
        let result = workflow.run(WorkflowFixture.input())
        #expect(Self.visits(result) == ["quiet"])
        #expect(result.memory["visits"]?.arrayValue?.first?["payload"] == .object(WorkflowFixture.event.properties))
        #expect(result.trace.last?.status == .skipped)
    }

    @Test("a failing node stops the run: nothing changes, no effects, the trace ends at the failure")
    func failureChangesNothing() throws {
        let workflow = try Self.build(
            [
                ("start", "start", [:]), ("tag", "add-segment", ["segment": "seen"]), ("ask", "set-response", ["key": "k", "value": 1]),
                ("bump", "increment-field", ["field": "profile@traits.name"]), ("later", "visit", [:]),
            ],
            [("start", "payload", "tag", "payload"), ("tag", "payload", "ask", "payload"), ("ask", "payload", "bump", "payload"), ("bump", "payload", "later", "payload")]
        )
        let input = WorkflowFixture.input()
        let result = workflow.run(input)
        let error = try #require(result.error)
        #expect(error.code == .actionFailed)
        #expect(error.message == "node 'bump': profile@traits.name holds a string, not a number")
        #expect(result.profile == input.profile)
        #expect(result.memory == input.memory)
        #expect(result.effects.isEmpty)
        #expect(result.trace.map(\.nodeID) == ["start", "tag", "ask", "bump"])
        #expect(result.trace.last?.status == .failed(error))
        #expect(result.trace[1].changes == [WorkflowChange(field: "profile@segments", value: ["buyers", "seen"])])
        #expect(result.trace[2].effects.count == 1)
    }

    @Test("an action sending on a port it did not declare fails the run naming the port")
    func strayPort() throws {
        let workflow = try Self.build([("start", "start", [:]), ("x", "stray", [:])], [("start", "payload", "x", "payload")])
        let error = try #require(workflow.run(WorkflowFixture.input()).error)
        #expect(error.message.contains("node 'x' (stray) sent a value on 'elsewhere'"))
    }

    /// A graph that uses many kinds of actions, for the determinism checks.
    static let busyNodes: [(String, String, JSONObject)] = [
        ("start", "start", [:]),
        ("greet", "template", ["template": "Hi {{profile@traits.name}} from {{profile@traits.city}}", "to": "memory@greeting"]),
        ("total", "calculator", ["expression": "event@properties.price * event@properties.quantity + 1", "to": "memory@total"]),
        ("week", "day-of-week", ["to": "memory@day"]),
        ("tag", "add-segment", ["segment": "{{memory@day}}-shoppers"]),
        ("hash", "hash", ["from": "profile@pii.email", "to": "memory@emailHash"]),
        ("emit", "emit-event", ["type": "Big Order", "from": "memory@"]),
        ("reply", "set-response", ["key": "greeting", "from": "memory@greeting"]),
        ("count", "threshold", ["count": 2]),
        ("join", "join", ["mode": "merge"]),
        ("end", "end", [:]),
    ]
    static let busyEdges: [(String, String, String, String)] = [
        ("start", "payload", "greet", "payload"), ("start", "payload", "total", "payload"), ("start", "payload", "week", "payload"),
        ("week", "weekday", "tag", "payload"), ("week", "weekend", "join", "payload"), ("tag", "payload", "hash", "payload"),
        ("greet", "payload", "emit", "payload"), ("total", "payload", "emit", "payload"), ("hash", "payload", "emit", "payload"),
        ("emit", "payload", "reply", "payload"), ("reply", "payload", "count", "payload"), ("count", "true", "join", "payload"),
        ("count", "false", "join", "payload"), ("join", "payload", "end", "payload"),
    ]

    @Test("the same input gives byte-identical results and traces, however the graph is listed")
    func deterministic() throws {
        let input = WorkflowFixture.input(state: ["threshold:count": [1]])
        let workflow = try Self.build(Self.busyNodes, Self.busyEdges)
        let first = workflow.run(input)
        #expect(first.error == nil, "\(String(describing: first.error))")
        let text = first.jsonValue.text
        for _ in 0..<3 { #expect(workflow.run(input).jsonValue.text == text) }
        let reordered = try Self.build(Self.busyNodes.reversed(), Self.busyEdges.reversed())
        #expect(reordered.run(input).jsonValue.text == text)
        #expect(first.profile?.segments == ["buyers", "wednesday-shoppers"])
        #expect(first.memory["total"] == 59.5)
        #expect(first.effects.map(\.nodeID) == ["emit", "reply"])
        #expect(first.state["threshold:count"] == nil)
        #expect(first.trace.first { $0.nodeID == "count" }?.portsTaken == ["true"])
    }

    @Test("a run past the step limit stops with a clear error")
    func stepLimit() throws {
        let workflow = try Self.build(Self.busyNodes, Self.busyEdges, limits: WorkflowLimits(stepsMax: 5))
        let error = try #require(workflow.run(WorkflowFixture.input()).error)
        #expect(error.code == .limitExceeded)
        #expect(error.message.contains("more than 5 steps"))
    }

    @Test("memory larger than the limit stops the run, naming the node")
    func memoryLimit() throws {
        let workflow = try Self.build(
            [("start", "start", [:]), ("big", "set-field", ["field": "memory@blob", "value": .string(String(repeating: "x", count: 200))])],
            [("start", "payload", "big", "payload")], limits: WorkflowLimits(memoryBytesMax: 100)
        )
        let error = try #require(workflow.run(WorkflowFixture.input()).error)
        #expect(error.code == .limitExceeded)
        #expect(error.message.contains("node 'big' (set-field) made the memory 211 bytes; the limit is 100"))
        #expect(JSONValue.object(["blob": .string(String(repeating: "x", count: 200))]).serializedByteCount == 211)
    }

    @Test("more effects than the limit stops the run")
    func effectLimit() throws {
        let nodes: [(String, String, JSONObject)] = [("start", "start", [:])] + (0..<3).map { ("r\($0)", "set-response", ["key": "k", "value": 1]) }
        let edges = (0..<3).map { ("start", "payload", "r\($0)", "payload") }
        let error = try #require(try Self.build(nodes, edges, limits: WorkflowLimits(effectsMax: 2)).run(WorkflowFixture.input()).error)
        #expect(error.message.contains("more than 2 effects (node 'r2')"))
    }

    @Test("the trace renders every node's inputs, outputs, changes and effects")
    func traceJSON() throws {
        let run = try runAction("set-field", ["field": "profile@traits.plan", "value": "gold"])
        #expect(run.entry.jsonValue.text == #"{"action":"set-field","changes":[{"deleted":false,"field":"profile@traits.plan","value":"gold"}],"effects":[],"inputs":[{"from":"start","fromPort":"payload","toPort":"payload","value":"#
            + JSONValue.object(WorkflowFixture.event.properties).text + #"}],"node":"node","outputs":[{"port":"payload","value":"#
            + JSONValue.object(WorkflowFixture.event.properties).text + #"}],"status":"ran"}"#)
    }
}
