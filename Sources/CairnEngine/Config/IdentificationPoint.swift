import CairnModel

/// Where a visitor identifies: events of a type (from one source, or any) whose properties name
/// profile fields, so that the profile holding those values is the event's profile.
///
/// JSON fields: `id`, `name`, `description`, `source_id` (absent or null: any source),
/// `event_type` (normalized), `fields`: a list of `{"event_property": "properties.email",
/// "profile_field": "data.contact.email"}`, `enabled`.
public struct IdentificationPoint: ConfigurationValue {
    /// One event property and the profile field it is matched against.
    public struct FieldPair: Sendable, Equatable {
        public var eventProperty: String
        public var profileField: String

        public init(eventProperty: String, profileField: String) {
            self.eventProperty = eventProperty
            self.profileField = profileField
        }
    }

    public static let kind = ConfigurationKind.identificationPoint
    public var id: String
    public var name: String
    public var description: String
    /// Nil: events from any source.
    public var sourceID: String?
    public var eventType: String
    public var fields: [FieldPair]
    public var enabled: Bool

    public init(id: String, name: String, description: String = "", sourceID: String? = nil, eventType: String,
                fields: [FieldPair], enabled: Bool = true) {
        self.id = id
        self.name = name
        self.description = description
        self.sourceID = sourceID
        self.eventType = eventType
        self.fields = fields
        self.enabled = enabled
    }

    public init(json: JSONObject) throws(ConfigurationError) {
        var reader = FieldReader(json, kind: Self.kind)
        var pairs: [FieldPair] = []
        for (index, object) in try reader.objects("fields").enumerated() {
            var pairReader = FieldReader(object, kind: Self.kind, id: reader.id, prefix: "fields[\(index)]")
            pairs.append(FieldPair(eventProperty: try pairReader.string("event_property"), profileField: try pairReader.string("profile_field")))
            try pairReader.finish()
        }
        self.init(id: try reader.string("id"), name: try reader.string("name"),
                  description: try reader.optionalString("description") ?? "", sourceID: try reader.optionalString("source_id"),
                  eventType: try reader.string("event_type"), fields: pairs, enabled: try reader.bool("enabled", default: true))
        try reader.finish()
        self = try normalized()
    }

    public func normalized() throws(ConfigurationError) -> IdentificationPoint {
        try normalizing(eventType: \.eventType)
    }

    public var json: JSONObject {
        let pairs: [JSONValue] = fields.map { ["event_property": .string($0.eventProperty), "profile_field": .string($0.profileField)] }
        return tagged([("id", .string(id)), ("name", .string(name)), ("description", .string(description)),
                       ("source_id", sourceID.map { .string($0) } ?? .null), ("event_type", .string(eventType)),
                       ("fields", .array(pairs)), ("enabled", .bool(enabled))])
    }

    public func validate() throws(ConfigurationError) {
        try FieldCheck.id(id, kind: Self.kind)
        try FieldCheck.name(name, kind: Self.kind, id: id)
        try FieldCheck.text(description, kind: Self.kind, id: id, field: "description")
        if let sourceID { try FieldCheck.id(sourceID, kind: Self.kind, objectID: id, field: "source_id") }
        try FieldCheck.normalizedEventType(eventType, kind: Self.kind, id: id)
        guard !fields.isEmpty else { throw ConfigurationError(.invalidObject, kind: Self.kind, id: id, field: "fields", "must pair at least one event property with a profile field") }
        try FieldCheck.count(fields.count, kind: Self.kind, id: id, field: "fields")
        for (index, pair) in fields.enumerated() {
            try FieldCheck.path(pair.eventProperty, kind: Self.kind, id: id, field: "fields[\(index)].event_property")
            try FieldCheck.path(pair.profileField, kind: Self.kind, id: id, field: "fields[\(index)].profile_field")
        }
    }

    public var references: [ConfigurationReference] {
        sourceID.map { [ConfigurationReference(field: "source_id", target: ConfigurationKey(.eventSource, $0))] } ?? []
    }
}
