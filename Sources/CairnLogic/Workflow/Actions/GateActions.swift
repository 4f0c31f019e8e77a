import CairnModel

// Gates: actions that let a run through depending on earlier runs. What they remember is the
// workflow's gate state for the profile (`WorkflowInput.state` in, `WorkflowResult.state` out),
// which the projector stores; a gate reads no clock, only the event's time.

/// `once-per-profile`: lets the first run for a profile through by `true`, every later one by
/// `false`. Remembers the time of the first pass in the gate state under `once:<key>`.
///
/// Config: `key` (string, default the node's id: gates with the same key share their memory),
/// `condition` (optional: a run for which it is false goes by `false` and is not remembered, so
/// the gate passes the first time the condition holds).
public struct OncePerProfileAction: WorkflowAction {
    public static let name = "once-per-profile"
    public static let summary = "Lets a run through the first time for a profile only."
    public static let outputPorts = ["true", "false"]

    let key: String?
    let condition: Condition?

    public init(config: ActionConfig) throws(LogicError) {
        key = try config.optionalString("key")
        condition = try config.optionalCondition("condition")
    }

    public func run(_ context: inout ActionContext) throws(LogicError) -> ActionOutput {
        let stateKey = "once:" + (key ?? context.nodeID)
        if context.state[stateKey] != nil || condition?.evaluate(context) == false { return .on("false", context.payload) }
        context.setState(stateKey, to: .string(ClientTime.iso8601(micros: context.nowMicros)))
        return .on("true", context.payload)
    }
}

/// `threshold`: lets a run through by `true` once it has been reached `count` times (within the
/// last `withinSeconds`, when given); otherwise by `false`. Remembers the times of the runs that
/// reached it (at most `count`) in the gate state under `threshold:<key>`.
///
/// Config: `count` (integer 1 to 1,000, required), `withinSeconds` (integer 1 to 315,360,000,
/// optional: only runs this recent count), `reset` (Boolean, default true: start counting again
/// after letting a run through; false: every run from the `count`-th on goes through), `key`
/// (string, default the node's id), `condition` (optional: only runs for which it holds count;
/// the others go by `false` and change nothing).
public struct ThresholdAction: WorkflowAction {
    public static let name = "threshold"
    public static let summary = "Lets a run through once it has been reached a number of times (in a time window)."
    public static let outputPorts = ["true", "false"]

    let count: Int
    let withinMicros: Int64?
    let reset: Bool
    let key: String?
    let condition: Condition?

    public init(config: ActionConfig) throws(LogicError) {
        count = Int(try config.integer("count", in: 1...1_000))
        withinMicros = try config.optionalInteger("withinSeconds", in: 1...315_360_000).map { $0 * 1_000_000 }
        reset = try config.bool("reset", default: true)
        key = try config.optionalString("key")
        condition = try config.optionalCondition("condition")
    }

    public func run(_ context: inout ActionContext) throws(LogicError) -> ActionOutput {
        if condition?.evaluate(context) == false { return .on("false", context.payload) }
        let stateKey = "threshold:" + (key ?? context.nodeID)
        let now = context.nowMicros
        var times = (context.state[stateKey]?.arrayValue ?? []).compactMap(\.integerValue)
        if let withinMicros { times.removeAll { $0 <= now - withinMicros } }
        times.append(now)
        if times.count > count { times.removeFirst(times.count - count) }
        let passes = times.count >= count
        if passes, reset {
            context.setState(stateKey, to: nil)
        } else {
            context.setState(stateKey, to: .array(times.map { .integer($0) }))
        }
        return .on(passes ? "true" : "false", context.payload)
    }
}
