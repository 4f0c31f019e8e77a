import CairnModel

/// Where profile data is sent: a resource, when a condition holds, with a mapping template that
/// shapes what is sent, fired on each profile change or each event.
///
/// JSON fields: `id`, `name`, `description`, `resource_id`, `condition` (text in the condition
/// language; empty: always), `mapping` (a JSON object template), `on` (`profile-change` or
/// `event`), `enabled`.
public struct Destination: ConfigurationValue {
    public enum Trigger: String, Sendable, CaseIterable {
        case profileChange = "profile-change"
        case event
    }

    public static let kind = ConfigurationKind.destination
    public var id: String
    public var name: String
    public var description: String
    public var resourceID: String
    public var condition: String
    public var mapping: JSONObject
    public var on: Trigger
    public var enabled: Bool

    public init(id: String, name: String, description: String = "", resourceID: String, condition: String = "",
                mapping: JSONObject = [:], on: Trigger, enabled: Bool = true) {
        self.id = id
        self.name = name
        self.description = description
        self.resourceID = resourceID
        self.condition = condition
        self.mapping = mapping
        self.on = on
        self.enabled = enabled
    }

    public init(json: JSONObject) throws(ConfigurationError) {
        var reader = FieldReader(json, kind: Self.kind)
        let triggerName = try reader.string("on")
        guard let trigger = Trigger(rawValue: triggerName) else {
            throw reader.error("on", "must be one of profile-change, event (got \(quoted(triggerName)))")
        }
        self.init(id: try reader.string("id"), name: try reader.string("name"),
                  description: try reader.optionalString("description") ?? "", resourceID: try reader.string("resource_id"),
                  condition: try reader.optionalString("condition") ?? "", mapping: try reader.object("mapping") ?? [:],
                  on: trigger, enabled: try reader.bool("enabled", default: true))
        try reader.finish()
        try validate()
    }

    public var json: JSONObject {
        tagged([("id", .string(id)), ("name", .string(name)), ("description", .string(description)),
                ("resource_id", .string(resourceID)), ("condition", .string(condition)), ("mapping", .object(mapping)),
                ("on", .string(on.rawValue)), ("enabled", .bool(enabled))])
    }

    public func validate() throws(ConfigurationError) {
        try FieldCheck.id(id, kind: Self.kind)
        try FieldCheck.name(name, kind: Self.kind, id: id)
        try FieldCheck.text(description, kind: Self.kind, id: id, field: "description")
        try FieldCheck.id(resourceID, kind: Self.kind, objectID: id, field: "resource_id")
        try FieldCheck.text(condition, kind: Self.kind, id: id, field: "condition")
        let mappingBytes = JSONValue.object(mapping).serialized().count
        guard mappingBytes <= FieldCheck.textBytesMax else {
            throw ConfigurationError(.invalidObject, kind: Self.kind, id: id, field: "mapping", "is \(mappingBytes) bytes as JSON; the limit is \(FieldCheck.textBytesMax)")
        }
    }

    public var references: [ConfigurationReference] {
        [ConfigurationReference(field: "resource_id", target: ConfigurationKey(.resource, resourceID))]
    }
}
