import CairnModel

/// Where events come from: a REST endpoint, a webhook or an import. Its id is also the key a
/// client sends with its events, so it is 128 random bits unless chosen in a file.
///
/// JSON fields: `id`, `name`, `description`, `bridge` (`rest`, `webhook`, `import`), `enabled`,
/// `ephemeral` (events are processed but not stored; Tracardi's `transitional`),
/// `requires_consent`, `tags`.
public struct EventSourceDefinition: ConfigurationValue {
    public enum Bridge: String, Sendable, CaseIterable {
        case rest, webhook, `import`
    }

    public static let kind = ConfigurationKind.eventSource
    public var id: String
    public var name: String
    public var description: String
    public var bridge: Bridge
    public var enabled: Bool
    public var ephemeral: Bool
    public var requiresConsent: Bool
    public var tags: [String]

    public init(id: String, name: String, description: String = "", bridge: Bridge, enabled: Bool = true,
                ephemeral: Bool = false, requiresConsent: Bool = false, tags: [String] = []) {
        self.id = id
        self.name = name
        self.description = description
        self.bridge = bridge
        self.enabled = enabled
        self.ephemeral = ephemeral
        self.requiresConsent = requiresConsent
        self.tags = tags
    }

    public init(json: JSONObject) throws(ConfigurationError) {
        var reader = FieldReader(json, kind: Self.kind)
        let bridgeName = try reader.string("bridge")
        guard let bridge = Bridge(rawValue: bridgeName) else {
            throw reader.error("bridge", "must be one of \(Bridge.allCases.map(\.rawValue).joined(separator: ", ")) (got \(quoted(bridgeName)))")
        }
        self.init(id: try reader.string("id"), name: try reader.string("name"),
                  description: try reader.optionalString("description") ?? "", bridge: bridge,
                  enabled: try reader.bool("enabled", default: true), ephemeral: try reader.bool("ephemeral", default: false),
                  requiresConsent: try reader.bool("requires_consent", default: false), tags: try reader.strings("tags"))
        try reader.finish()
        try validate()
    }

    public var json: JSONObject {
        tagged([("id", .string(id)), ("name", .string(name)), ("description", .string(description)),
                ("bridge", .string(bridge.rawValue)), ("enabled", .bool(enabled)), ("ephemeral", .bool(ephemeral)),
                ("requires_consent", .bool(requiresConsent)), ("tags", tags.jsonValue)])
    }

    public func validate() throws(ConfigurationError) {
        try FieldCheck.id(id, kind: Self.kind)
        try FieldCheck.name(name, kind: Self.kind, id: id)
        try FieldCheck.text(description, kind: Self.kind, id: id, field: "description")
        try FieldCheck.tags(tags, kind: Self.kind, id: id)
    }
}
