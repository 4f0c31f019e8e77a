extension LogicError.Code {
    /// A workflow graph that cannot run: a duplicate or unknown node id, no start node, a node
    /// no start node reaches, or more nodes or edges than the limits allow.
    public static let invalidWorkflow = LogicError.Code("invalidWorkflow")
    /// The graph has a cycle; the message names the nodes on it.
    public static let workflowCycle = LogicError.Code("workflowCycle")
    /// A node names an action the registry does not have.
    public static let unknownAction = LogicError.Code("unknownAction")
    /// An edge names a port its action does not declare.
    public static let unknownPort = LogicError.Code("unknownPort")
    /// A node's config does not decode into its action's typed config; the message names the
    /// node and the field.
    public static let invalidConfig = LogicError.Code("invalidConfig")
    /// A write to a field that cannot be written (e.g. `profile@id`) or with a value of the wrong
    /// kind (e.g. a string into `profile@interests.x`).
    public static let unwritableField = LogicError.Code("unwritableField")
    /// A run went over one of its ``WorkflowLimits``.
    public static let limitExceeded = LogicError.Code("limitExceeded")
    /// An action could not do its work on the data it was given (a number where text was
    /// needed, a division by zero); the message names the node.
    public static let actionFailed = LogicError.Code("actionFailed")
}
