import CairnModel

/// What every kind of configuration object provides: its JSON form (as in files and in the log),
/// validation, and the objects it refers to.
///
/// Values are plain data: equal values are the same configuration, and applying a file whose
/// object equals the current one changes nothing.
public protocol ConfigurationValue: Sendable, Equatable {
    static var kind: ConfigurationKind { get }
    var id: String { get }
    var name: String { get }
    var enabled: Bool { get set }

    /// Reads and validates the JSON form (the `kind` field may be present and is ignored).
    ///
    /// - Throws: ``ConfigurationError`` `invalidObject` naming the object and the field.
    init(json: JSONObject) throws(ConfigurationError)

    /// The JSON form, with `kind` and every field, defaults included.
    var json: JSONObject { get }

    /// Checks every field.
    ///
    /// - Throws: ``ConfigurationError`` `invalidObject` naming the object and the field.
    func validate() throws(ConfigurationError)

    /// This object with its fields in canonical form (event types normalized), validated. The
    /// store commits only normalized objects.
    ///
    /// - Throws: ``ConfigurationError`` `invalidObject` naming the object and the field.
    func normalized() throws(ConfigurationError) -> Self

    /// The other objects this one names, each with the field that names it.
    var references: [ConfigurationReference] { get }
}

/// A field of one object that names another object.
public struct ConfigurationReference: Sendable, Hashable {
    public let field: String
    public let target: ConfigurationKey

    public init(field: String, target: ConfigurationKey) {
        self.field = field
        self.target = target
    }
}

extension ConfigurationValue {
    public var key: ConfigurationKey { ConfigurationKey(Self.kind, id) }
    public var references: [ConfigurationReference] { [] }

    public func normalized() throws(ConfigurationError) -> Self {
        try validate()
        return self
    }

    /// This object with the event type at `eventType` normalized, then validated: `normalized()`
    /// of the kinds that have one event type (field `event_type`). The id is checked first, so that
    /// an event type error can name the object.
    func normalizing(eventType: WritableKeyPath<Self, String>) throws(ConfigurationError) -> Self {
        var object = self
        try FieldCheck.id(id, kind: Self.kind)
        object[keyPath: eventType] = try FieldCheck.eventType(self[keyPath: eventType], kind: Self.kind, id: id, field: "event_type")
        try object.validate()
        return object
    }

    /// `json` with `kind` put in.
    func tagged(_ fields: [(String, JSONValue?)]) -> JSONObject {
        .compacting([("kind", .string(Self.kind.rawValue))] + fields)
    }
}
