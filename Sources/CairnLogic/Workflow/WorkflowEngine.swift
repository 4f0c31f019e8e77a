import CairnModel

extension ValidatedWorkflow {
    /// Runs the workflow for one input. Pure: the result depends on `input` alone.
    ///
    /// The rules:
    /// - nodes run once each at most, in ``order``;
    /// - the start node runs first with `input.payload`;
    /// - any other node runs when at least one value arrived on its input ports, that is when an
    ///   upstream node that ran sent a value on a port an edge joins to it. Since nodes run in
    ///   topological order, by then every upstream node has run or been skipped: a node joining
    ///   several branches runs once, with the values that arrived (`payload@` is the one from the
    ///   upstream node that ran last; ``ActionContext/arrivals`` has them all);
    /// - a node at which nothing arrived is skipped, and so, in turn, are nodes only it feeds;
    /// - each node run costs a step; the memory and gate state are measured after each node.
    ///
    /// A run never throws: an action's error or a limit stops it, and the result carries the
    /// error, the input's data unchanged, no effects, and the trace up to the failing node.
    public func run(_ input: WorkflowInput) -> WorkflowResult {
        var context = ActionContext(input: input, workflowID: workflow.id, limits: limits)
        var sent = [[PortValue]?](repeating: nil, count: steps.count)
        var trace: [WorkflowTraceEntry] = []
        trace.reserveCapacity(steps.count)

        for (position, step) in steps.enumerated() {
            var arrivals: [WorkflowArrival] = []
            for edge in step.incoming {
                guard let outputs = sent[edge.sourceStep], let value = outputs.first(where: { $0.port == edge.fromPort })?.value else { continue }
                arrivals.append(WorkflowArrival(fromNode: steps[edge.sourceStep].node.id, fromPort: edge.fromPort, toPort: edge.toPort, value: value))
            }
            guard step.isStart || !arrivals.isEmpty else {
                trace.append(WorkflowTraceEntry(nodeID: step.node.id, action: step.node.action, status: .skipped, inputs: [], outputs: [], changes: [], effects: []))
                continue
            }
            context.nodeID = step.node.id
            context.payload = step.isStart ? input.payload : arrivals[arrivals.count - 1].value
            context.arrivals = arrivals
            context.changes = []
            let effectsBefore = context.effects.count
            do throws(LogicError) {
                try context.charge(steps: 1)
                let output = try step.action.run(&context)
                if let port = output.values.first(where: { !step.outputPorts.contains($0.port) })?.port {
                    throw LogicError(.actionFailed, "node '\(step.node.id)' (\(step.node.action)) sent a value on '\(port)', which is not one of its output ports")
                }
                try checkSize(context.memory, "memory", step)
                try checkSize(context.state, "gate state", step)
                sent[position] = output.values
                trace.append(WorkflowTraceEntry(
                    nodeID: step.node.id, action: step.node.action, status: .ran, inputs: arrivals, outputs: output.values,
                    changes: context.changes, effects: Array(context.effects[effectsBefore...])
                ))
            } catch {
                trace.append(WorkflowTraceEntry(
                    nodeID: step.node.id, action: step.node.action, status: .failed(error), inputs: arrivals, outputs: [],
                    changes: [], effects: []
                ))
                return WorkflowResult(
                    event: input.event, profile: input.profile, session: input.session, memory: input.memory, state: input.state,
                    effects: [], trace: trace, stepsUsed: context.stepsUsed, error: error
                )
            }
        }
        return WorkflowResult(
            event: context.event, profile: context.profile, session: context.session, memory: context.memory, state: context.state,
            effects: context.effects, trace: trace, stepsUsed: context.stepsUsed, error: nil
        )
    }

    private func checkSize(_ object: JSONObject, _ what: String, _ step: Step) throws(LogicError) {
        let bytes = JSONValue.object(object).serializedByteCount
        if bytes > limits.memoryBytesMax {
            throw LogicError(.limitExceeded, "node '\(step.node.id)' (\(step.node.action)) made the \(what) \(bytes) bytes; the limit is \(limits.memoryBytesMax)")
        }
    }
}
