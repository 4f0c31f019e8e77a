import Foundation
import CairnModel
import Testing
@testable import CairnLogic

@Suite("Workflow graphs: reading and validation")
struct WorkflowGraphTests {
    static let json: JSONValue = [
        "id": "welcome", "name": "Welcome",
        "nodes": [
            ["id": "start", "action": "start"],
            ["id": "new", "action": "new-profile"],
            ["id": "tag", "action": "add-segment", "config": ["segment": "newcomers"]],
            ["id": "end", "action": "end"],
        ],
        "edges": [
            ["from": "start", "to": "new"],
            ["from": "new", "fromPort": "true", "to": "tag"],
            ["from": "tag", "to": "end", "toPort": "payload"],
        ],
    ]

    @Test("a workflow reads from JSON with default ports and renders back to the same workflow")
    func readsJSON() throws {
        let workflow = try Workflow(json: Self.json)
        #expect(workflow.nodes.map(\.id) == ["start", "new", "tag", "end"])
        #expect(workflow.edges[0] == WorkflowEdge(from: "start", port: "payload", to: "new", port: "payload"))
        #expect(workflow.edges[1].fromPort == "true")
        #expect(try Workflow(json: workflow.jsonValue) == workflow)
        #expect(try workflow.validate().order == ["start", "new", "tag", "end"])
    }

    static let badJSON: [(JSONValue, String)] = [
        (.array([]), "a JSON object"),
        (["id": "w"], "'nodes' must be an array"),
        (["id": "w", "nodes": [["action": "start"]]], "nodes[0]: 'id' is required"),
        (["id": "w", "nodes": [["id": "a", "action": "start", "config": 3]]], "nodes[0]: 'config' must be an object"),
        (["id": "w", "nodes": [], "edges": [["from": "a"]]], "edges[0]: 'to' is required"),
        (["id": "w", "nodes": [], "edges": [["from": "a", "to": "b", "toPort": 1]]], "edges[0]: 'toPort' must be a string"),
    ]

    @Test("JSON that is not a workflow is refused naming the member", arguments: badJSON)
    func refusesBadJSON(json: JSONValue, message: String) {
        let error = #expect(throws: LogicError.self) { try Workflow(json: json) }
        #expect(error?.code == .invalidWorkflow)
        #expect(error?.message.contains(message) == true, "\(String(describing: error))")
    }

    static func workflow(_ nodes: [(String, String)], _ edges: [(String, String, String, String)], configs: [String: JSONObject] = [:]) -> Workflow {
        Workflow(
            id: "w", nodes: nodes.map { WorkflowNode(id: $0.0, action: $0.1, config: configs[$0.0] ?? [:]) },
            edges: edges.map { WorkflowEdge(from: $0.0, port: $0.1, to: $0.2, port: $0.3) }
        )
    }

    @Test("validation errors name the node, the edge or the cycle", arguments: [
        (workflow([("s", "start"), ("a", "end"), ("a", "end")], [("s", "payload", "a", "payload")]), LogicError.Code.invalidWorkflow, "two nodes have the id 'a'"),
        (workflow([("s", "start"), ("", "end")], []), .invalidWorkflow, "nodes[1] has an empty id"),
        (workflow([("s", "start"), ("a", "no-such-action")], [("s", "payload", "a", "payload")]), .unknownAction, "node 'a': no action is called 'no-such-action'"),
        (workflow([("s", "start"), ("a", "end")], [("s", "payload", "b", "payload")]), .invalidWorkflow, "edge 0 (s.payload → b.payload): there is no node 'b'"),
        (workflow([("s", "start"), ("a", "end")], [("s", "yes", "a", "payload")]), .unknownPort, "node 's' (start) has no output port 'yes'; its outputs are payload"),
        (workflow([("s", "start"), ("a", "has-segment"), ("b", "end")], [("s", "payload", "a", "payload"), ("a", "payload", "b", "payload")]), .unknownPort, "edge 1 (a.payload → b.payload): node 'a' (has-segment) has no output port 'payload'; its outputs are true, false"),
        (workflow([("s", "start"), ("a", "end")], [("s", "payload", "a", "data")]), .unknownPort, "node 'a' (end) has no input port 'data'; its inputs are payload"),
        (workflow([("s", "start"), ("t", "start")], [("s", "payload", "t", "payload")]), .unknownPort, "node 't' (start) has no input port 'payload'; its inputs are none"),
        (workflow([("s", "start"), ("a", "end")], [("s", "payload", "a", "payload"), ("s", "payload", "a", "payload")]), .invalidWorkflow, "edge 1 (s.payload → a.payload) is given twice"),
        (workflow([("a", "end")], []), .invalidWorkflow, "there is no start node"),
        (workflow([("s", "start"), ("t", "start")], []), .invalidWorkflow, "there are 2 start nodes (s, t)"),
        (workflow([("s", "start"), ("a", "end")], []), .invalidWorkflow, "node 'a' cannot be reached from the start node 's'"),
        (
            workflow(
                [("s", "start"), ("a", "join"), ("b", "join"), ("c", "join"), ("d", "end")],
                [("s", "payload", "a", "payload"), ("a", "payload", "b", "payload"), ("b", "payload", "c", "payload"), ("c", "payload", "a", "payload"), ("c", "payload", "d", "payload")]
            ),
            .workflowCycle, "the nodes 'a' → 'b' → 'c' → 'a' form a cycle"
        ),
        (workflow([("s", "start"), ("a", "join")], [("s", "payload", "a", "payload"), ("a", "payload", "a", "payload")]), .workflowCycle, "the nodes 'a' → 'a' form a cycle"),
        (
            workflow([("s", "start"), ("seg", "add-segment")], [("s", "payload", "seg", "payload")], configs: ["seg": ["segmnet": "x"]]),
            .invalidConfig, "node 'seg' (add-segment): config field 'segment': is required"
        ),
        (
            workflow([("s", "start"), ("seg", "add-segment")], [("s", "payload", "seg", "payload")], configs: ["seg": ["segment": "x", "colour": "red"]]),
            .invalidConfig, "node 'seg' (add-segment): config field 'colour' is not known; fields are segment"
        ),
        (
            workflow([("s", "start"), ("e", "end")], [("s", "payload", "e", "payload")], configs: ["e": ["x": 1]]),
            .invalidConfig, "node 'e' (end): config field 'x' is not known; the action takes no config"
        ),
    ])
    func rejects(workflow: Workflow, code: LogicError.Code, message: String) {
        let error = #expect(throws: LogicError.self) { try workflow.validate() }
        #expect(error?.code == code, "\(String(describing: error))")
        #expect(error?.message.contains(message) == true, "\(String(describing: error))")
        #expect(error?.message.hasPrefix("workflow 'w': ") == true)
    }

    @Test("more nodes or edges than the limits allow is refused")
    func structuralLimits() {
        let nodes = [("s", "start")] + (0..<5).map { ("n\($0)", "end") }
        let graph = Self.workflow(nodes, (0..<5).map { ("s", "payload", "n\($0)", "payload") })
        #expect(throws: Never.self) { try graph.validate(limits: WorkflowLimits(nodesMax: 6, edgesMax: 5)) }
        let tooMany = #expect(throws: LogicError.self) { try graph.validate(limits: WorkflowLimits(nodesMax: 5)) }
        #expect(tooMany?.message.contains("6 nodes; the limit is 5") == true)
        let tooManyEdges = #expect(throws: LogicError.self) { try graph.validate(limits: WorkflowLimits(edgesMax: 4)) }
        #expect(tooManyEdges?.message.contains("5 edges; the limit is 4") == true)
    }

    @Test("the run order is topological, ties broken by node id, whatever order the graph was listed in")
    func stableOrder() throws {
        let nodes = [("start", "start"), ("b", "join"), ("a", "join"), ("c", "join"), ("z", "end")]
        let edges = [
            ("start", "payload", "b", "payload"), ("start", "payload", "c", "payload"), ("b", "payload", "a", "payload"),
            ("c", "payload", "z", "payload"), ("a", "payload", "z", "payload"),
        ]
        let expected = ["start", "b", "a", "c", "z"]
        #expect(try Self.workflow(nodes, edges).validate().order == expected)
        #expect(try Self.workflow(nodes.reversed(), edges.reversed()).validate().order == expected)
        #expect(try Self.workflow([nodes[3], nodes[0], nodes[4], nodes[2], nodes[1]], [edges[2], edges[4], edges[0], edges[3], edges[1]]).validate().order == expected)
    }

    @Test("the built-in registry has at least 30 actions, each with a summary and an input port but start")
    func builtIns() {
        let all = ActionRegistry.builtIn.all
        #expect(all.count >= 30)
        #expect(all.map(\.name) == all.map(\.name).sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) })
        for descriptor in all {
            #expect(!descriptor.summary.isEmpty, "\(descriptor.name)")
            #expect(descriptor.inputPorts.isEmpty == (descriptor.name == "start"), "\(descriptor.name)")
        }
    }
}

@Suite("Workflow documentation")
struct WorkflowDocumentationTests {
    @Test("docs/workflows.md has a reference entry for every built-in action")
    func everyActionDocumented() throws {
        let tests = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        let text = try String(contentsOf: tests.appendingPathComponent("../../docs/workflows.md").standardizedFileURL, encoding: .utf8)
        for descriptor in ActionRegistry.builtIn.all {
            let documented = text.contains("#### `\(descriptor.name)`") || text.contains("`\(descriptor.name)`, ") || text.contains(", `\(descriptor.name)`")
            #expect(documented, "\(descriptor.name) is not in docs/workflows.md")
        }
    }
}
