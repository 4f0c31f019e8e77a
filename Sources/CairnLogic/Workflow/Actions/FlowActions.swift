import CairnModel

// The actions that shape the graph itself: start, end, join.

/// `start`: where every run begins. Sends the input's payload (by default the event's
/// properties) out on `payload`. No config.
public struct StartAction: WorkflowAction {
    public static let name = "start"
    public static let summary = "Where the run begins: sends the input's payload on."
    public static let inputPorts: [String] = []

    public init(config: ActionConfig) throws(LogicError) {}

    public func run(_ context: inout ActionContext) throws(LogicError) -> ActionOutput {
        .on("payload", context.payload)
    }
}

/// `end`: marks the end of a branch; takes a value and sends nothing on. No config.
public struct EndAction: WorkflowAction {
    public static let name = "end"
    public static let summary = "Ends a branch."
    public static let outputPorts: [String] = []

    public init(config: ActionConfig) throws(LogicError) {}

    public func run(_ context: inout ActionContext) throws(LogicError) -> ActionOutput { .none }
}

/// `join`: gathers the values that arrived from several branches into one.
///
/// Config: `mode`: `array` (default: the values in the order their nodes ran) or `merge` (the
/// object values merged, a later one's members over an earlier one's; other values are left out).
public struct JoinAction: WorkflowAction {
    public static let name = "join"
    public static let summary = "Gathers the values from several branches into an array or one merged object."

    let merges: Bool

    public init(config: ActionConfig) throws(LogicError) {
        merges = try config.choice("mode", of: ["array", "merge"], default: "array") == "merge"
    }

    public func run(_ context: inout ActionContext) throws(LogicError) -> ActionOutput {
        guard merges else { return .on("payload", .array(context.arrivals.map(\.value))) }
        var merged: JSONObject = [:]
        for arrival in context.arrivals {
            if let object = arrival.value.objectValue { merged = merged.merging(object) }
        }
        return .on("payload", .object(merged))
    }
}
