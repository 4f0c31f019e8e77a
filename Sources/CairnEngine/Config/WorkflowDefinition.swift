import CairnModel

/// A workflow as configured: its graph of action nodes and the edges between their ports, kept
/// as the JSON the logic module reads (`Workflow(json:)` in CairnLogic). The structure is
/// checked here (``WorkflowDefinition/validate()``); the actions, their ports and their
/// configurations, the start node and cycles are checked by the logic module's
/// `Workflow.validate(registry:)` (``StandardChecks``).
///
/// JSON fields: `id`, `name`, `description`, `enabled`, `graph`: `{"nodes": [...], "edges": [...]}`
/// where a node is `{"id", "action", "config"}` (`action` names the action, `config` is an
/// object, may be left out) and an edge is `{"from", "fromPort", "to", "toPort"}` (node ids and
/// port names; the ports default to `payload`).
public struct WorkflowDefinition: ConfigurationValue {
    public static let kind = ConfigurationKind.workflow
    public static let nodesMax = 1000
    public static let edgesMax = 5000

    public var id: String
    public var name: String
    public var description: String
    public var enabled: Bool
    /// `{"nodes": [...], "edges": [...]}`.
    public var graph: JSONObject

    public init(id: String, name: String, description: String = "", enabled: Bool = true, graph: JSONObject) {
        self.id = id
        self.name = name
        self.description = description
        self.enabled = enabled
        self.graph = graph
    }

    public init(json: JSONObject) throws(ConfigurationError) {
        var reader = FieldReader(json, kind: Self.kind)
        self.init(id: try reader.string("id"), name: try reader.string("name"),
                  description: try reader.optionalString("description") ?? "", enabled: try reader.bool("enabled", default: true),
                  graph: try reader.object("graph") ?? [:])
        try reader.finish()
        try validate()
    }

    public var json: JSONObject {
        tagged([("id", .string(id)), ("name", .string(name)), ("description", .string(description)),
                ("enabled", .bool(enabled)), ("graph", .object(graph))])
    }

    /// The graph with the workflow's id and name: the JSON the logic module's `Workflow(json:)` reads.
    public var logicJSON: JSONObject {
        var object = graph
        object["id"] = .string(id)
        object["name"] = .string(name)
        return object
    }

    public func validate() throws(ConfigurationError) {
        try FieldCheck.id(id, kind: Self.kind)
        try FieldCheck.name(name, kind: Self.kind, id: id)
        try FieldCheck.text(description, kind: Self.kind, id: id, field: "description")
        var graphReader = FieldReader(graph, kind: Self.kind, id: id, prefix: "graph")
        guard graph["nodes"] != nil else { throw graphReader.error("nodes", "is required") }
        let nodes = try graphReader.objects("nodes")
        let edges = try graphReader.objects("edges")
        try graphReader.finish()
        guard nodes.count <= Self.nodesMax else { throw graphReader.error("nodes", "has \(nodes.count) nodes; the limit is \(Self.nodesMax)") }
        guard edges.count <= Self.edgesMax else { throw graphReader.error("edges", "has \(edges.count) edges; the limit is \(Self.edgesMax)") }
        var nodeIDs: Set<String> = []
        for (index, node) in nodes.enumerated() {
            var reader = FieldReader(node, kind: Self.kind, id: id, prefix: "graph.nodes[\(index)]")
            let nodeID = try reader.string("id")
            try FieldCheck.name(nodeID, kind: Self.kind, id: id, field: "graph.nodes[\(index)].id")
            guard nodeIDs.insert(nodeID).inserted else { throw reader.error("id", "\(quoted(nodeID)) is the id of an earlier node") }
            try FieldCheck.name(try reader.string("action"), kind: Self.kind, id: id, field: "graph.nodes[\(index)].action")
            _ = try reader.object("config")
            try reader.finish()
        }
        for (index, edge) in edges.enumerated() {
            var reader = FieldReader(edge, kind: Self.kind, id: id, prefix: "graph.edges[\(index)]")
            for end in ["from", "to"] {
                let node = try reader.string(end)
                guard nodeIDs.contains(node) else { throw reader.error(end, "names no node of the graph (\(quoted(node)))") }
                if let port = try reader.optionalString(end + "Port") {
                    try FieldCheck.name(port, kind: Self.kind, id: id, field: "graph.edges[\(index)].\(end)Port")
                }
            }
            try reader.finish()
        }
    }
}
