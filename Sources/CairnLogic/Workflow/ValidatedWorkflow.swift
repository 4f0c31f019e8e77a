import CairnModel

/// A workflow that passed ``Workflow/validate(registry:limits:)``: its nodes in run order with
/// their actions built, ready to ``run(_:)`` any number of times, from any task.
///
/// **Run order.** Nodes run in a topological order of the graph; among nodes whose upstream
/// nodes have all been dealt with, the one whose id sorts first (by UTF-8 bytes) goes first. The
/// order depends only on the graph, never on the order nodes or edges were listed in.
public struct ValidatedWorkflow: Sendable {
    public let workflow: Workflow
    public let limits: WorkflowLimits
    let steps: [Step]

    struct Step: Sendable {
        let node: WorkflowNode
        let outputPorts: [String]
        let action: any WorkflowAction
        let isStart: Bool
        /// Edges into the node, in the order their sources run (then the order of the edges).
        let incoming: [Incoming]
    }

    struct Incoming: Sendable {
        let sourceStep: Int
        let fromPort: String
        let toPort: String
    }

    /// The node ids in the order they run.
    public var order: [String] { steps.map(\.node.id) }
}
