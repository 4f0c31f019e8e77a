import CairnModel

/// What to do with personal fields of an event type when the profile has not granted a consent
/// that allows keeping them: remove the field or replace it by its hash.
///
/// JSON fields: `id`, `name`, `description`, `event_type` (normalized), `fields` (dotted paths
/// such as `properties.email`), `action` (`remove` or `hash`), `consents` (ids of consent types,
/// any of which allows keeping the fields), `enabled`.
public struct ComplianceRule: ConfigurationValue {
    public enum Action: String, Sendable, CaseIterable {
        case remove, hash
    }

    public static let kind = ConfigurationKind.complianceRule
    public var id: String
    public var name: String
    public var description: String
    public var eventType: String
    public var fields: [String]
    public var action: Action
    public var consents: [String]
    public var enabled: Bool

    public init(id: String, name: String, description: String = "", eventType: String, fields: [String],
                action: Action, consents: [String] = [], enabled: Bool = true) {
        self.id = id
        self.name = name
        self.description = description
        self.eventType = eventType
        self.fields = fields
        self.action = action
        self.consents = consents
        self.enabled = enabled
    }

    public init(json: JSONObject) throws(ConfigurationError) {
        var reader = FieldReader(json, kind: Self.kind)
        let actionName = try reader.string("action")
        guard let action = Action(rawValue: actionName) else {
            throw reader.error("action", "must be one of remove, hash (got \(quoted(actionName)))")
        }
        self.init(id: try reader.string("id"), name: try reader.string("name"),
                  description: try reader.optionalString("description") ?? "", eventType: try reader.string("event_type"),
                  fields: try reader.strings("fields"), action: action, consents: try reader.strings("consents"),
                  enabled: try reader.bool("enabled", default: true))
        try reader.finish()
        self = try normalized()
    }

    public func normalized() throws(ConfigurationError) -> ComplianceRule {
        try normalizing(eventType: \.eventType)
    }

    public var json: JSONObject {
        tagged([("id", .string(id)), ("name", .string(name)), ("description", .string(description)),
                ("event_type", .string(eventType)), ("fields", fields.jsonValue), ("action", .string(action.rawValue)),
                ("consents", consents.jsonValue), ("enabled", .bool(enabled))])
    }

    public func validate() throws(ConfigurationError) {
        try FieldCheck.id(id, kind: Self.kind)
        try FieldCheck.name(name, kind: Self.kind, id: id)
        try FieldCheck.text(description, kind: Self.kind, id: id, field: "description")
        try FieldCheck.normalizedEventType(eventType, kind: Self.kind, id: id)
        guard !fields.isEmpty else { throw ConfigurationError(.invalidObject, kind: Self.kind, id: id, field: "fields", "must name at least one field") }
        try FieldCheck.count(fields.count, kind: Self.kind, id: id, field: "fields")
        for (index, path) in fields.enumerated() {
            try FieldCheck.path(path, kind: Self.kind, id: id, field: "fields[\(index)]")
        }
        try FieldCheck.count(consents.count, kind: Self.kind, id: id, field: "consents")
        for (index, consent) in consents.enumerated() {
            try FieldCheck.id(consent, kind: Self.kind, objectID: id, field: "consents[\(index)]")
        }
    }

    public var references: [ConfigurationReference] {
        consents.enumerated().map { index, consent in
            ConfigurationReference(field: "consents[\(index)]", target: ConfigurationKey(.consentType, consent))
        }
    }
}
