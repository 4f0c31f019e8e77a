import CairnModel

/// A named group of profiles: those for which the condition holds. Its id is derived from its
/// name (`"Frequent Buyers"` → `frequent-buyers`), as Tracardi derives a segment's.
///
/// JSON fields: `id` (optional; when given it must equal the derived id), `name`, `description`,
/// `condition` (text in the condition language, checked by ``LogicChecks``), `enabled`,
/// `event_types` (the event types whose arrival re-evaluates the segment; empty: every event).
public struct Segment: ConfigurationValue {
    public static let kind = ConfigurationKind.segment
    public var id: String { ConfigurationID.derived(fromName: name) }
    public var name: String
    public var description: String
    public var condition: String
    public var enabled: Bool
    /// Normalized event types.
    public var eventTypes: [String]

    public init(name: String, description: String = "", condition: String, enabled: Bool = true, eventTypes: [String] = []) {
        self.name = name
        self.description = description
        self.condition = condition
        self.enabled = enabled
        self.eventTypes = eventTypes
    }

    public init(json: JSONObject) throws(ConfigurationError) {
        var reader = FieldReader(json, kind: Self.kind)
        let name = try reader.string("name")
        self.init(name: name, description: try reader.optionalString("description") ?? "",
                  condition: try reader.string("condition"), enabled: try reader.bool("enabled", default: true),
                  eventTypes: try reader.strings("event_types"))
        if let given = try reader.optionalString("id"), given != id {
            throw reader.error("id", "must be \(quoted(id)), derived from the name (got \(quoted(given)))")
        }
        try reader.finish()
        self = try normalized()
    }

    public func normalized() throws(ConfigurationError) -> Segment {
        var segment = self
        try FieldCheck.count(eventTypes.count, kind: Self.kind, id: id, field: "event_types")
        for (index, type) in eventTypes.enumerated() {
            segment.eventTypes[index] = try FieldCheck.eventType(type, kind: Self.kind, id: id, field: "event_types[\(index)]")
        }
        try segment.validate()
        return segment
    }

    public var json: JSONObject {
        tagged([("id", .string(id)), ("name", .string(name)), ("description", .string(description)),
                ("condition", .string(condition)), ("enabled", .bool(enabled)), ("event_types", eventTypes.jsonValue)])
    }

    public func validate() throws(ConfigurationError) {
        try FieldCheck.name(name, kind: Self.kind, id: id)
        try FieldCheck.id(id, kind: Self.kind, objectID: nil, field: "name")
        try FieldCheck.text(description, kind: Self.kind, id: id, field: "description")
        if condition.allSatisfy(\.isWhitespace) {
            throw ConfigurationError(.invalidObject, kind: Self.kind, id: id, field: "condition", "must not be empty")
        }
        try FieldCheck.text(condition, kind: Self.kind, id: id, field: "condition")
        try FieldCheck.count(eventTypes.count, kind: Self.kind, id: id, field: "event_types")
        for (index, type) in eventTypes.enumerated() {
            guard try FieldCheck.eventType(type, kind: Self.kind, id: id, field: "event_types[\(index)]") == type else {
                throw ConfigurationError(.invalidObject, kind: Self.kind, id: id, field: "event_types[\(index)]", "must be normalized (\(quoted(type)))")
            }
        }
    }
}
