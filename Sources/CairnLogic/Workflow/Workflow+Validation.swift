import CairnModel

extension Workflow {
    /// Checks the workflow against `registry` and `limits` and prepares it to run.
    ///
    /// The checks, in this order, each failing with a message naming the node or edge:
    /// 1. at most `limits.nodesMax` nodes and `limits.edgesMax` edges (`invalidWorkflow`);
    /// 2. node ids non-empty and unique (`invalidWorkflow`);
    /// 3. every node's action registered (`unknownAction`);
    /// 4. every edge joins existing nodes, leaves by an output port of its source's action and
    ///    arrives on an input port of its target's action, and appears once (`invalidWorkflow`,
    ///    `unknownPort`);
    /// 5. exactly one node runs the `start` action (`invalidWorkflow`);
    /// 6. no cycle (`workflowCycle`, naming the nodes on it);
    /// 7. every node reachable from the start node (`invalidWorkflow`);
    /// 8. every node's config decodes into its action's typed config (`invalidConfig`, naming
    ///    the node and the field).
    ///
    /// - Throws: ``LogicError`` with the codes above.
    public func validate(registry: ActionRegistry = .builtIn, limits: WorkflowLimits = .default) throws(LogicError) -> ValidatedWorkflow {
        func fail(_ code: LogicError.Code, _ message: String) -> LogicError {
            LogicError(code, "workflow '\(id)': \(message)")
        }
        guard nodes.count <= limits.nodesMax else { throw fail(.invalidWorkflow, "\(nodes.count) nodes; the limit is \(limits.nodesMax)") }
        guard edges.count <= limits.edgesMax else { throw fail(.invalidWorkflow, "\(edges.count) edges; the limit is \(limits.edgesMax)") }

        // Nodes by id.
        var indexByID: SortedMap<Int> = [:]
        var descriptors: [ActionDescriptor] = []
        for (index, node) in nodes.enumerated() {
            guard !node.id.isEmpty else { throw fail(.invalidWorkflow, "nodes[\(index)] has an empty id") }
            guard indexByID[node.id] == nil else { throw fail(.invalidWorkflow, "two nodes have the id '\(node.id)'") }
            indexByID[node.id] = index
            guard let descriptor = registry.descriptor(named: node.action) else {
                throw fail(.unknownAction, "node '\(node.id)': no action is called '\(node.action)'")
            }
            descriptors.append(descriptor)
        }

        // Edges and their ports.
        var incoming = [[(source: Int, edge: Int)]](repeating: [], count: nodes.count)
        var outgoing = [[Int]](repeating: [], count: nodes.count)
        for (edgeIndex, edge) in edges.enumerated() {
            let place = "edge \(edgeIndex) (\(edge.label))"
            guard let source = indexByID[edge.fromNode] else { throw fail(.invalidWorkflow, "\(place): there is no node '\(edge.fromNode)'") }
            guard let target = indexByID[edge.toNode] else { throw fail(.invalidWorkflow, "\(place): there is no node '\(edge.toNode)'") }
            let from = descriptors[source]
            guard from.outputPorts.contains(edge.fromPort) else {
                throw fail(.unknownPort, "\(place): node '\(edge.fromNode)' (\(from.name)) has no output port '\(edge.fromPort)'; its outputs are \(Self.list(from.outputPorts))")
            }
            let to = descriptors[target]
            guard to.inputPorts.contains(edge.toPort) else {
                throw fail(.unknownPort, "\(place): node '\(edge.toNode)' (\(to.name)) has no input port '\(edge.toPort)'; its inputs are \(Self.list(to.inputPorts))")
            }
            if edges[..<edgeIndex].contains(edge) { throw fail(.invalidWorkflow, "\(place) is given twice") }
            incoming[target].append((source, edgeIndex))
            outgoing[source].append(target)
        }

        // The start node.
        let starts = nodes.indices.filter { nodes[$0].action == StartAction.name }
        guard starts.count == 1, let start = starts.first else {
            throw fail(.invalidWorkflow, starts.isEmpty
                ? "there is no start node (a node with the action '\(StartAction.name)')"
                : "there are \(starts.count) start nodes (\(Self.list(starts.map { nodes[$0].id }))); a workflow has one")
        }

        let order = try topologicalOrder(incoming: incoming, outgoing: outgoing, fail: fail)

        // Reachability from the start node, following edges forward.
        var reached = [Bool](repeating: false, count: nodes.count)
        reached[start] = true
        for index in order where reached[index] {
            for target in outgoing[index] { reached[target] = true }
        }
        if let unreached = order.first(where: { !reached[$0] }) {
            throw fail(.invalidWorkflow, "node '\(nodes[unreached].id)' cannot be reached from the start node '\(nodes[start].id)'")
        }

        // Configs, in run order so that the first error is the same whatever the node order.
        var position = [Int](repeating: 0, count: nodes.count)
        for (step, index) in order.enumerated() { position[index] = step }
        var steps: [ValidatedWorkflow.Step] = []
        for index in order {
            let node = nodes[index]
            let action: any WorkflowAction
            do {
                action = try descriptors[index].build(config: node.config)
            } catch {
                throw fail(.invalidConfig, "node '\(node.id)' (\(node.action)): \(error.message)")
            }
            let arrivals = incoming[index]
                .sorted { ($0.source == $1.source) ? $0.edge < $1.edge : position[$0.source] < position[$1.source] }
                .map { ValidatedWorkflow.Incoming(sourceStep: position[$0.source], fromPort: edges[$0.edge].fromPort, toPort: edges[$0.edge].toPort) }
            steps.append(ValidatedWorkflow.Step(node: node, outputPorts: descriptors[index].outputPorts, action: action, isStart: index == start, incoming: arrivals))
        }
        return ValidatedWorkflow(workflow: self, limits: limits, steps: steps)
    }

    /// Kahn's algorithm, taking among the nodes ready to run the one whose id sorts first (by
    /// UTF-8 bytes), so the order depends only on the graph.
    private func topologicalOrder(
        incoming: [[(source: Int, edge: Int)]], outgoing: [[Int]], fail: (LogicError.Code, String) -> LogicError
    ) throws(LogicError) -> [Int] {
        var waiting = incoming.map(\.count)
        var ready = nodes.indices.filter { waiting[$0] == 0 }
        var order: [Int] = []
        order.reserveCapacity(nodes.count)
        while !ready.isEmpty {
            let next = ready.indices.min { precedesUTF8(nodes[ready[$0]].id, nodes[ready[$1]].id) }!
            let index = ready.remove(at: next)
            order.append(index)
            for target in outgoing[index] {
                waiting[target] -= 1
                if waiting[target] == 0 { ready.append(target) }
            }
        }
        guard order.count < nodes.count else { return order }

        // Name one cycle: from the first node left (by id), walk back along edges from other
        // nodes left until a node repeats.
        let left = nodes.indices.filter { waiting[$0] > 0 }
        var walk = [left.min { precedesUTF8(nodes[$0].id, nodes[$1].id) }!]
        while true {
            let sources = incoming[walk.last!].map(\.source).filter { waiting[$0] > 0 }
            let previous = sources.min { precedesUTF8(nodes[$0].id, nodes[$1].id) }!
            if let seen = walk.firstIndex(of: previous) {
                // Forward order, starting at the node whose id sorts first.
                var cycle = walk[seen...].reversed().map { nodes[$0].id }
                let first = cycle.indices.min { precedesUTF8(cycle[$0], cycle[$1]) }!
                cycle = Array(cycle[first...] + cycle[..<first])
                throw fail(.workflowCycle, "the nodes \((cycle + [cycle[0]]).map { "'\($0)'" }.joined(separator: " → ")) form a cycle")
            }
            walk.append(previous)
        }
    }

    private static func list(_ names: [String]) -> String {
        names.isEmpty ? "none" : names.joined(separator: ", ")
    }
}
