import CairnModel

/// A workflow as configured: its graph of action nodes and the edges between their ports, kept
/// as JSON. The structure is checked here (``WorkflowDefinition/validate()``); what the actions
/// and their configurations mean is checked by the logic module (``LogicChecks``).
///
/// JSON fields: `id`, `name`, `description`, `enabled`, `graph`: `{"nodes": [...], "edges": [...]}`
/// where a node is `{"id", "type", "config"}` (`type` names the action, `config` is an object)
/// and an edge is `{"source", "source_port", "target", "target_port"}` (node ids and port names).
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

    public init(id: String, name: String, description: String = "", enabled: Bool = true,
                graph: JSONObject = ["nodes": [], "edges": []]) {
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
                  graph: try reader.object("graph") ?? ["nodes": [], "edges": []])
        try reader.finish()
        try validate()
    }

    public var json: JSONObject {
        tagged([("id", .string(id)), ("name", .string(name)), ("description", .string(description)),
                ("enabled", .bool(enabled)), ("graph", .object(graph))])
    }

    /// The nodes' ids and action types, in the graph's order. Valid only after `validate()`.
    public var nodes: [(id: String, type: String, config: JSONObject)] {
        (graph["nodes"]?.arrayValue ?? []).compactMap { node in
            guard let id = node["id"]?.stringValue, let type = node["type"]?.stringValue else { return nil }
            return (id, type, node["config"]?.objectValue ?? [:])
        }
    }

    public func validate() throws(ConfigurationError) {
        try FieldCheck.id(id, kind: Self.kind)
        try FieldCheck.name(name, kind: Self.kind, id: id)
        try FieldCheck.text(description, kind: Self.kind, id: id, field: "description")
        var graphReader = FieldReader(graph, kind: Self.kind, id: id, prefix: "graph")
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
            try FieldCheck.name(try reader.string("type"), kind: Self.kind, id: id, field: "graph.nodes[\(index)].type")
            _ = try reader.object("config")
            _ = try reader.optionalString("name")
            try reader.finish()
        }
        for (index, edge) in edges.enumerated() {
            var reader = FieldReader(edge, kind: Self.kind, id: id, prefix: "graph.edges[\(index)]")
            for end in ["source", "target"] {
                let node = try reader.string(end)
                guard nodeIDs.contains(node) else { throw reader.error(end, "names no node of the graph (\(quoted(node)))") }
                if let port = try reader.optionalString(end + "_port") {
                    try FieldCheck.name(port, kind: Self.kind, id: id, field: "graph.edges[\(index)].\(end)_port")
                }
            }
            try reader.finish()
        }
    }
}
