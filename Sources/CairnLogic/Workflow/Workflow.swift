import CairnModel

/// A workflow as saved: a directed acyclic graph of nodes, each running one action, joined by
/// edges from an output port of one node to an input port of another.
///
/// A workflow is plain data and may be wrong in any way; ``validate(registry:limits:)`` checks it
/// against the actions it uses and gives a ``ValidatedWorkflow`` that can run. The order of
/// `nodes` and `edges` does not change how it runs (see ``ValidatedWorkflow``).
public struct Workflow: Sendable, Equatable {
    public var id: String
    public var name: String
    public var nodes: [WorkflowNode]
    public var edges: [WorkflowEdge]

    public init(id: String, name: String = "", nodes: [WorkflowNode], edges: [WorkflowEdge]) {
        self.id = id
        self.name = name
        self.nodes = nodes
        self.edges = edges
    }
}

/// A node: an id unique in its workflow, the name of the action it runs, and that action's config.
public struct WorkflowNode: Sendable, Equatable {
    public var id: String
    public var action: String
    public var config: JSONObject

    public init(id: String, action: String, config: JSONObject = [:]) {
        self.id = id
        self.action = action
        self.config = config
    }
}

/// An edge: a value sent on `fromPort` of `fromNode` arrives on `toPort` of `toNode`.
public struct WorkflowEdge: Sendable, Equatable {
    public var fromNode: String
    public var fromPort: String
    public var toNode: String
    public var toPort: String

    public init(from fromNode: String, port fromPort: String = "payload", to toNode: String, port toPort: String = "payload") {
        self.fromNode = fromNode
        self.fromPort = fromPort
        self.toNode = toNode
        self.toPort = toPort
    }

    /// `a.true → b.payload`, as messages name an edge.
    public var label: String { "\(fromNode).\(fromPort) → \(toNode).\(toPort)" }
}

extension Workflow {
    /// Reads a workflow from JSON:
    ///
    /// ```json
    /// {"id": "welcome", "name": "Welcome new buyers",
    ///  "nodes": [{"id": "start", "action": "start"},
    ///            {"id": "tag", "action": "add-segment", "config": {"segment": "buyers"}}],
    ///  "edges": [{"from": "start", "to": "tag"},
    ///            {"from": "check", "fromPort": "true", "to": "tag", "toPort": "payload"}]}
    /// ```
    ///
    /// `fromPort` and `toPort` default to `payload`; `name` and `config` may be left out.
    ///
    /// - Throws: ``LogicError`` `invalidWorkflow` naming the member that is missing or of the
    ///   wrong kind.
    public init(json: JSONValue) throws(LogicError) {
        func fail(_ message: String) -> LogicError { LogicError(.invalidWorkflow, message) }
        func string(_ object: JSONObject, _ key: String, _ place: String, default fallback: String? = nil) throws(LogicError) -> String {
            guard let value = object[key] else {
                if let fallback { return fallback }
                throw fail("\(place): '\(key)' is required")
            }
            guard let text = value.stringValue else { throw fail("\(place): '\(key)' must be a string, not \(value.kindName)") }
            return text
        }
        guard let object = json.objectValue else { throw fail("a workflow must be a JSON object") }
        guard let nodes = object["nodes"]?.arrayValue else { throw fail("'nodes' must be an array") }
        let edges = object["edges"]?.arrayValue ?? []
        var parsedNodes: [WorkflowNode] = []
        for (index, node) in nodes.enumerated() {
            let place = "nodes[\(index)]"
            guard let fields = node.objectValue else { throw fail("\(place) must be an object") }
            let config = fields["config"] ?? .object([:])
            guard let configObject = config.objectValue else { throw fail("\(place): 'config' must be an object") }
            parsedNodes.append(WorkflowNode(id: try string(fields, "id", place), action: try string(fields, "action", place), config: configObject))
        }
        var parsedEdges: [WorkflowEdge] = []
        for (index, edge) in edges.enumerated() {
            let place = "edges[\(index)]"
            guard let fields = edge.objectValue else { throw fail("\(place) must be an object") }
            parsedEdges.append(WorkflowEdge(
                from: try string(fields, "from", place), port: try string(fields, "fromPort", place, default: "payload"),
                to: try string(fields, "to", place), port: try string(fields, "toPort", place, default: "payload")
            ))
        }
        self.init(id: try string(object, "id", "workflow"), name: try string(object, "name", "workflow", default: ""), nodes: parsedNodes, edges: parsedEdges)
    }

    /// The JSON form ``init(json:)`` reads, with every member written out.
    public var jsonValue: JSONValue {
        [
            "id": .string(id),
            "name": .string(name),
            "nodes": .array(nodes.map { ["id": .string($0.id), "action": .string($0.action), "config": .object($0.config)] }),
            "edges": .array(edges.map {
                ["from": .string($0.fromNode), "fromPort": .string($0.fromPort), "to": .string($0.toNode), "toPort": .string($0.toPort)]
            }),
        ]
    }
}
