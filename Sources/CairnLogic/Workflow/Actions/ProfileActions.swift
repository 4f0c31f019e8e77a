import CairnModel

// Actions on the profile's typed fields: segments, interests, consents, merging. Each needs a
// profile; for a profile-less event they fail the run with `unwritableField`.

/// `add-segment`: puts the profile into a segment.
///
/// Config: `segment` (template, required, e.g. `buyers` or `city-{{profile@traits.city}}`).
public struct AddSegmentAction: WorkflowAction {
    public static let name = "add-segment"
    public static let summary = "Puts the profile into a segment."

    let segment: Template

    public init(config: ActionConfig) throws(LogicError) {
        segment = try config.template("segment")
    }

    public func run(_ context: inout ActionContext) throws(LogicError) -> ActionOutput {
        let name = try segment.render(in: &context)
        try ProfileField.changeSegments(in: &context) { segments in
            if !name.isEmpty, !segments.contains(name) { segments.append(name) }
        }
        return .on("payload", context.payload)
    }
}

/// `remove-segment`: takes the profile out of a segment.
///
/// Config: `segment` (template, required).
public struct RemoveSegmentAction: WorkflowAction {
    public static let name = "remove-segment"
    public static let summary = "Takes the profile out of a segment."

    let segment: Template

    public init(config: ActionConfig) throws(LogicError) {
        segment = try config.template("segment")
    }

    public func run(_ context: inout ActionContext) throws(LogicError) -> ActionOutput {
        let name = try segment.render(in: &context)
        try ProfileField.changeSegments(in: &context) { segments in segments.removeAll { $0 == name } }
        return .on("payload", context.payload)
    }
}

/// `add-interest`: sets an interest to a value (Tracardi's interests are name → strength).
///
/// Config: `interest` (string, required), `value` (number, default 1).
public struct AddInterestAction: WorkflowAction {
    public static let name = "add-interest"
    public static let summary = "Sets an interest of the profile to a value."

    let interest: String
    let value: Double

    public init(config: ActionConfig) throws(LogicError) {
        interest = try config.string("interest")
        value = try config.number("value", default: 1).doubleValue!
    }

    public func run(_ context: inout ActionContext) throws(LogicError) -> ActionOutput {
        try context.set(FieldReference(root: .profile, path: [.key("interests"), .key(interest)]), to: .number(value))
        return .on("payload", context.payload)
    }
}

/// `increase-interest` and `decrease-interest`: change an interest by an amount; a missing
/// interest counts as 0.
///
/// Config: `interest` (string, required), `by` (number, default 1), and for decrease-interest
/// `removeAtZero` (Boolean, default false: remove the interest when it falls to 0 or below).
public struct IncreaseInterestAction: WorkflowAction {
    public static let name = "increase-interest"
    public static let summary = "Adds to an interest of the profile."

    let interest: String
    let by: Double

    public init(config: ActionConfig) throws(LogicError) {
        interest = try config.string("interest")
        by = try config.number("by", default: 1).doubleValue!
    }

    public func run(_ context: inout ActionContext) throws(LogicError) -> ActionOutput {
        try ProfileField.changeInterest(interest, by: by, removeAtZero: false, in: &context)
        return .on("payload", context.payload)
    }
}

/// See ``IncreaseInterestAction``.
public struct DecreaseInterestAction: WorkflowAction {
    public static let name = "decrease-interest"
    public static let summary = "Subtracts from an interest of the profile."

    let interest: String
    let by: Double
    let removeAtZero: Bool

    public init(config: ActionConfig) throws(LogicError) {
        interest = try config.string("interest")
        by = try config.number("by", default: 1).doubleValue!
        removeAtZero = try config.bool("removeAtZero", default: false)
    }

    public func run(_ context: inout ActionContext) throws(LogicError) -> ActionOutput {
        try ProfileField.changeInterest(interest, by: -by, removeAtZero: removeAtZero, in: &context)
        return .on("payload", context.payload)
    }
}

/// `grant-consent`: records that the customer granted a consent.
///
/// Config: `consent` (string, required: the consent type id), `revokeAfterDays` (integer 1 to
/// 36,500, optional: the consent lapses that many days after the event; without it, never).
public struct GrantConsentAction: WorkflowAction {
    public static let name = "grant-consent"
    public static let summary = "Grants a consent, optionally lapsing some days after the event."

    let consent: String
    let revokeAfterDays: Int64?

    public init(config: ActionConfig) throws(LogicError) {
        consent = try config.string("consent")
        revokeAfterDays = try config.optionalInteger("revokeAfterDays", in: 1...36_500)
    }

    public func run(_ context: inout ActionContext) throws(LogicError) -> ActionOutput {
        let revoke: JSONValue = revokeAfterDays.map { .string(ClientTime.iso8601(micros: context.nowMicros + $0 * 86_400_000_000)) } ?? .null
        try context.set(FieldReference(root: .profile, path: [.key("consents"), .key(consent)]), to: ["revoke": revoke])
        return .on("payload", context.payload)
    }
}

/// `revoke-consent`: removes a consent.
///
/// Config: `consent` (string, required).
public struct RevokeConsentAction: WorkflowAction {
    public static let name = "revoke-consent"
    public static let summary = "Revokes a consent."

    let consent: String

    public init(config: ActionConfig) throws(LogicError) {
        consent = try config.string("consent")
    }

    public func run(_ context: inout ActionContext) throws(LogicError) -> ActionOutput {
        let reference = FieldReference(root: .profile, path: [.key("consents"), .key(consent)])
        if context.profile?.consents[consent] != nil { try context.delete(reference) }
        return .on("payload", context.payload)
    }
}

/// `require-consent`: goes on by `granted` when the profile holds the consents, by `missing`
/// otherwise. A consent counts when it is present and has not lapsed at the event's time.
///
/// Config: `consents` (string or array of strings, required), `all` (Boolean, default true:
/// every one is needed; false: any one will do).
public struct RequireConsentAction: WorkflowAction {
    public static let name = "require-consent"
    public static let summary = "Branches on whether the profile holds the given consents."
    public static let outputPorts = ["granted", "missing"]

    let consents: [String]
    let all: Bool

    public init(config: ActionConfig) throws(LogicError) {
        consents = try config.strings("consents")
        all = try config.bool("all", default: true)
    }

    public func run(_ context: inout ActionContext) throws(LogicError) -> ActionOutput {
        let now = context.nowMicros
        func holds(_ name: String) -> Bool {
            guard let consent = context.profile?.consents[name] else { return false }
            return consent.revokeMicros.map { $0 > now } ?? true
        }
        let granted = all ? consents.allSatisfy(holds) : consents.contains(where: holds)
        return .on(granted ? "granted" : "missing", context.payload)
    }
}

/// `merge-profiles`: asks for every profile with the same values at the merge keys to be merged
/// into this one. The merge is a request (``WorkflowEffect/Request/mergeProfiles(profileID:keys:)``):
/// the projector finds the profiles and records the merge in the log; the run changes nothing.
///
/// Config: `keys` (array of `profile@` references, required, e.g. `["profile@pii.email"]`).
/// Ports out: `payload` when a request was made with the keys that have values; `missing`
/// when none has a value or there is no profile.
public struct MergeProfilesAction: WorkflowAction {
    public static let name = "merge-profiles"
    public static let summary = "Requests that profiles sharing the merge keys' values be merged into this one."
    public static let outputPorts = ["payload", "missing"]

    let keys: [FieldReference]

    public init(config: ActionConfig) throws(LogicError) {
        var keys: [FieldReference] = []
        for text in try config.strings("keys") {
            let reference: FieldReference
            do {
                reference = try FieldReference(parsing: text)
            } catch {
                throw config.error("keys", error.message)
            }
            guard reference.root == .profile, !reference.path.isEmpty else { throw config.error("keys", "'\(text)' is not a profile field (profile@...)") }
            keys.append(reference)
        }
        self.keys = keys
    }

    public func run(_ context: inout ActionContext) throws(LogicError) -> ActionOutput {
        guard let profile = context.profile else { return .on("missing", context.payload) }
        var values: JSONObject = [:]
        for key in keys {
            if let value = context.value(of: key), !value.isNull { values[key.description] = value }
        }
        guard !values.isEmpty else { return .on("missing", context.payload) }
        try context.request(.mergeProfiles(profileID: profile.id, keys: values))
        return .on("payload", context.payload)
    }
}

/// Typed profile changes shared by the actions above.
enum ProfileField {
    static func changeSegments(in context: inout ActionContext, _ change: (inout [String]) -> Void) throws(LogicError) {
        let reference = FieldReference(root: .profile, path: [.key("segments")])
        guard let profile = context.profile else { throw LogicError(.unwritableField, "cannot write \(reference): the event has no profile") }
        var segments = profile.segments
        change(&segments)
        if segments != profile.segments { try context.set(reference, to: .array(segments.map { .string($0) })) }
    }

    static func changeInterest(_ interest: String, by amount: Double, removeAtZero: Bool, in context: inout ActionContext) throws(LogicError) {
        let reference = FieldReference(root: .profile, path: [.key("interests"), .key(interest)])
        guard let profile = context.profile else { throw LogicError(.unwritableField, "cannot write \(reference): the event has no profile") }
        let value = (profile.interests[interest] ?? 0) + amount
        guard value.isFinite else { throw context.failure("interest '\(interest)' would not be a finite number") }
        if removeAtZero, value <= 0 {
            try context.delete(reference)
        } else {
            try context.set(reference, to: .number(value))
        }
    }
}
