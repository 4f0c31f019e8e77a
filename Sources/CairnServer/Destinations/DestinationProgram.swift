import CairnEngine
import CairnLogic
import CairnModel

/// A destination ready to run: its condition parsed, its mapping compiled, and what they read.
///
/// Built once per version of the destination (when the dispatcher meets its configuration record
/// in the change log), then applied to each change it fires on. Pure.
struct DestinationProgram: Sendable {
    let destination: Destination
    /// Nil: always (an empty or blank condition).
    let condition: Condition?
    let mapping: MappingTemplate
    /// Whether the condition or the mapping refer to `profile@` or `event@`: the dispatcher reads
    /// the profile and the event only then (an `on: event` destination always reads the event,
    /// which its default body holds).
    let readsProfile: Bool
    let readsEvent: Bool

    /// Compiles `destination`.
    ///
    /// - Throws: ``LogicError`` when the condition does not parse or a mapping string's holes
    ///   are not field references (the message says which).
    init(_ destination: Destination) throws(LogicError) {
        self.destination = destination
        let text = destination.condition
        condition = text.allSatisfy(\.isWhitespace) ? nil : try Condition(parsing: text)
        mapping = try MappingTemplate(destination.mapping)
        let roots = Set((condition?.fieldReferences ?? []).map(\.root) + mapping.references.map(\.root))
        readsProfile = roots.contains(.profile)
        readsEvent = destination.on == .event || roots.contains(.event)
    }

    /// Whether the destination fires for `context`.
    func matches(_ context: DestinationContext) -> Bool {
        condition?.evaluate(context) ?? true
    }

    /// The body to send: the mapping rendered, or for an empty mapping `payload@` itself.
    func body(_ context: DestinationContext) -> JSONValue {
        mapping.render(context) ?? context.payload
    }
}

/// What a destination's condition and mapping see (docs/destinations.md):
///
/// - `payload@`: what an empty mapping sends. For `on: profile-change`, the change as the change
///   log holds it (`kind`, `id`, `fields`, `offset`, `event`, `seq`, `target`); for `on: event`,
///   `{"event": <the event>, "changes": [<its changes>]}`.
/// - `profile@`: the profile the change is about, as the projections hold it when the change is
///   dispatched (merged ids resolve to the survivor; missing for a profile-less event).
/// - `event@`: the event that caused the change, from the event log, personal data included; for
///   an event from an ephemeral source only `{"id", "ephemeral": true}`.
/// - `session@` and `memory@`: missing. `now()`: when the change was appended to the change log.
struct DestinationContext: ConditionContext {
    let payload: JSONValue
    let profile: JSONValue?
    let event: JSONValue?
    let nowMicros: Int64

    func value(of reference: FieldReference) -> JSONValue? {
        switch reference.root {
        case .payload: reference.resolve(in: payload)
        case .profile: profile.flatMap { reference.resolve(in: $0) }
        case .event: event.flatMap { reference.resolve(in: $0) }
        case .session, .memory: nil
        }
    }
}

extension Condition {
    /// Every field reference in the condition, in text order.
    var fieldReferences: [FieldReference] {
        switch self {
        case .constant: []
        case .comparison(let left, _, let right): left.fieldReferences + right.fieldReferences
        case .between(let subject, let lower, let upper): subject.fieldReferences + lower.fieldReferences + upper.fieldReferences
        case .test(let subject, _): subject.fieldReferences
        case .not(let inner): inner.fieldReferences
        case .all(let conditions), .any(let conditions): conditions.flatMap(\.fieldReferences)
        }
    }
}

extension Condition.Operand {
    var fieldReferences: [FieldReference] {
        switch self {
        case .field(let reference): [reference]
        case .literal, .duration, .now: []
        case .shifted(let operand, _), .call(_, let operand): operand.fieldReferences
        }
    }
}
