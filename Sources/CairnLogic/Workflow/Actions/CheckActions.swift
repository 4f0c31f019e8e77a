import CairnModel

// Actions that branch on what is known of the profile, the visit and the past. The past comes
// from facts the caller supplies in `WorkflowInput.facts`; nothing is looked up during a run.

/// `has-segment`: branches on whether the profile is in a segment.
///
/// Config: `segment` (template, required). Ports out: `true`, `false` (also for a
/// profile-less event), each with the payload.
public struct HasSegmentAction: WorkflowAction {
    public static let name = "has-segment"
    public static let summary = "Branches on whether the profile is in a segment."
    public static let outputPorts = ["true", "false"]

    let segment: Template

    public init(config: ActionConfig) throws(LogicError) {
        segment = try config.template("segment")
    }

    public func run(_ context: inout ActionContext) throws(LogicError) -> ActionOutput {
        let name = try segment.render(in: &context)
        return .on(context.profile?.segments.contains(name) == true ? "true" : "false", context.payload)
    }
}

/// `new-profile`: branches on whether this event created the profile
/// (``WorkflowInput/isNewProfile``). No config. Ports out: `true`, `false`.
public struct NewProfileAction: WorkflowAction {
    public static let name = "new-profile"
    public static let summary = "Branches on whether the event created the profile."
    public static let outputPorts = ["true", "false"]

    public init(config: ActionConfig) throws(LogicError) {}

    public func run(_ context: inout ActionContext) throws(LogicError) -> ActionOutput {
        .on(context.isNewProfile ? "true" : "false", context.payload)
    }
}

/// `new-visit`: branches on whether this event started a new session
/// (``WorkflowInput/isNewSession``). No config. Ports out: `true`, `false`.
public struct NewVisitAction: WorkflowAction {
    public static let name = "new-visit"
    public static let summary = "Branches on whether the event started a new visit."
    public static let outputPorts = ["true", "false"]

    public init(config: ActionConfig) throws(LogicError) {}

    public func run(_ context: inout ActionContext) throws(LogicError) -> ActionOutput {
        .on(context.isNewSession ? "true" : "false", context.payload)
    }
}

/// What `previous-event` and `previous-session` share: the fact they read and an optional `to`.
struct FactLookup: Sendable {
    let fact: String
    let to: FieldReference?

    init(fact: String, config: ActionConfig) throws(LogicError) {
        self.fact = fact
        to = try config.optionalWritableReference("to")
    }

    func run(_ context: inout ActionContext) throws(LogicError) -> ActionOutput {
        guard let value = context.facts[fact], !value.isNull else { return .on("missing", context.payload) }
        if let to { try context.set(to, to: value) }
        return .on("found", value)
    }
}

/// `previous-event`: the profile's event before this one, from the fact `previousEvent` the
/// caller supplies (the event's JSON rendering).
///
/// Config: `to` (writable reference, optional). Ports out: `found` with the event, `missing`
/// with the payload when there is no previous event.
public struct PreviousEventAction: WorkflowAction {
    public static let name = "previous-event"
    public static let summary = "Sends on the profile's previous event, supplied as a fact."
    public static let outputPorts = ["found", "missing"]

    let lookup: FactLookup

    public init(config: ActionConfig) throws(LogicError) {
        lookup = try FactLookup(fact: "previousEvent", config: config)
    }

    public func run(_ context: inout ActionContext) throws(LogicError) -> ActionOutput {
        try lookup.run(&context)
    }
}

/// `previous-session`: the profile's session before this one, from the fact `previousSession`.
///
/// Config: `to` (writable reference, optional). Ports out: `found`, `missing`.
public struct PreviousSessionAction: WorkflowAction {
    public static let name = "previous-session"
    public static let summary = "Sends on the profile's previous session, supplied as a fact."
    public static let outputPorts = ["found", "missing"]

    let lookup: FactLookup

    public init(config: ActionConfig) throws(LogicError) {
        lookup = try FactLookup(fact: "previousSession", config: config)
    }

    public func run(_ context: inout ActionContext) throws(LogicError) -> ActionOutput {
        try lookup.run(&context)
    }
}
