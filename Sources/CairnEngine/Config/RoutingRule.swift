import CairnModel

/// Sends events of one type from one source to a workflow (Tracardi's rule).
///
/// JSON fields: `id`, `name`, `description`, `event_type` (normalized: `"Page View"` is stored as
/// `page-view`), `source_id`, `workflow_id`, `enabled`.
public struct RoutingRule: ConfigurationValue {
    public static let kind = ConfigurationKind.routingRule
    public var id: String
    public var name: String
    public var description: String
    /// Normalized, as `EventType` normalizes.
    public var eventType: String
    public var sourceID: String
    public var workflowID: String
    public var enabled: Bool

    /// A rule as given; ``normalized()`` normalizes its event type (``init(json:)`` does so).
    public init(id: String, name: String, description: String = "", eventType: String, sourceID: String,
                workflowID: String, enabled: Bool = true) {
        self.id = id
        self.name = name
        self.description = description
        self.eventType = eventType
        self.sourceID = sourceID
        self.workflowID = workflowID
        self.enabled = enabled
    }

    public init(json: JSONObject) throws(ConfigurationError) {
        var reader = FieldReader(json, kind: Self.kind)
        self.init(id: try reader.string("id"), name: try reader.string("name"),
                  description: try reader.optionalString("description") ?? "", eventType: try reader.string("event_type"),
                  sourceID: try reader.string("source_id"), workflowID: try reader.string("workflow_id"),
                  enabled: try reader.bool("enabled", default: true))
        try reader.finish()
        self = try normalized()
    }

    /// This rule with its event type normalized, validated.
    public func normalized() throws(ConfigurationError) -> RoutingRule {
        try normalizing(eventType: \.eventType)
    }

    public var json: JSONObject {
        tagged([("id", .string(id)), ("name", .string(name)), ("description", .string(description)),
                ("event_type", .string(eventType)), ("source_id", .string(sourceID)), ("workflow_id", .string(workflowID)),
                ("enabled", .bool(enabled))])
    }

    public func validate() throws(ConfigurationError) {
        try FieldCheck.id(id, kind: Self.kind)
        try FieldCheck.name(name, kind: Self.kind, id: id)
        try FieldCheck.text(description, kind: Self.kind, id: id, field: "description")
        try FieldCheck.normalizedEventType(eventType, kind: Self.kind, id: id)
        try FieldCheck.id(sourceID, kind: Self.kind, objectID: id, field: "source_id")
        try FieldCheck.id(workflowID, kind: Self.kind, objectID: id, field: "workflow_id")
    }

    public var references: [ConfigurationReference] {
        [ConfigurationReference(field: "source_id", target: ConfigurationKey(.eventSource, sourceID)),
         ConfigurationReference(field: "workflow_id", target: ConfigurationKey(.workflow, workflowID))]
    }
}
