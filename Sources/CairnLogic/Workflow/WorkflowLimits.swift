/// Bounds on a workflow and on each of its runs, so that no graph or input can make a run take
/// unbounded time or memory. Structural limits are checked when a workflow is validated, run
/// limits while it runs; going over one is an error naming the limit (``LogicError`` code
/// `invalidWorkflow` or `limitExceeded`).
public struct WorkflowLimits: Sendable, Hashable {
    /// The most nodes in a workflow.
    public var nodesMax: Int
    /// The most edges in a workflow.
    public var edgesMax: Int
    /// The most steps in a run: one per node run, plus what actions charge for work that grows
    /// with their input (see ``ActionContext/charge(steps:)``).
    public var stepsMax: Int
    /// The largest workflow memory, and the largest gate state, as canonical JSON bytes.
    public var memoryBytesMax: Int
    /// The most effects one run may request.
    public var effectsMax: Int
    /// The longest text a text action (regular expressions, templates, string operations)
    /// accepts, in bytes of UTF-8.
    public var textBytesMax: Int

    public init(
        nodesMax: Int = 200, edgesMax: Int = 1_000, stepsMax: Int = 1_000_000, memoryBytesMax: Int = 64 << 10,
        effectsMax: Int = 100, textBytesMax: Int = 16 << 10
    ) {
        self.nodesMax = nodesMax
        self.edgesMax = edgesMax
        self.stepsMax = stepsMax
        self.memoryBytesMax = memoryBytesMax
        self.effectsMax = effectsMax
        self.textBytesMax = textBytesMax
    }

    /// The limits used unless a caller gives others.
    public static let `default` = WorkflowLimits()
}
