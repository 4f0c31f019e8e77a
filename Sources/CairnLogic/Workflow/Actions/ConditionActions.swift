import CairnModel

// The actions that evaluate conditions (see the condition language in `Condition`).

extension ActionContext: ConditionContext {}

extension ActionConfig {
    /// A condition, parsed; nil when absent.
    public func optionalCondition(_ key: String) throws(LogicError) -> Condition? {
        guard let text = try optionalString(key) else { return nil }
        do {
            return try Condition(parsing: text)
        } catch {
            throw self.error(key, error.message)
        }
    }

    /// A condition, parsed.
    public func condition(_ key: String) throws(LogicError) -> Condition {
        guard let condition = try optionalCondition(key) else { throw error(key, "is required (a condition)") }
        return condition
    }
}

/// `if`: branches on a condition over the run's data, e.g.
/// `profile@stats.visits > 3 AND event@properties.total >= 100`.
///
/// Config: `condition` (string, required). Ports out: `true`, `false`, each with the payload.
public struct IfAction: WorkflowAction {
    public static let name = "if"
    public static let summary = "Branches on a condition."
    public static let outputPorts = ["true", "false"]

    let condition: Condition

    public init(config: ActionConfig) throws(LogicError) {
        condition = try config.condition("condition")
    }

    public func run(_ context: inout ActionContext) throws(LogicError) -> ActionOutput {
        try context.charge(steps: 1)
        return .on(condition.evaluate(context) ? "true" : "false", context.payload)
    }
}
