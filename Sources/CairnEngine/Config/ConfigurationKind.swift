/// The kinds of configuration object, named in files by their `kind:` field and in the log's
/// configuration records.
public enum ConfigurationKind: String, Sendable, Hashable, Comparable, CaseIterable {
    case eventSource = "event-source"
    case routingRule = "routing-rule"
    case workflow = "workflow"
    case segment = "segment"
    case consentType = "consent-type"
    case complianceRule = "compliance-rule"
    case identificationPoint = "identification-point"
    case resource = "resource"
    case destination = "destination"

    /// Parses a `kind:` value.
    ///
    /// - Throws: ``ConfigurationError`` `invalidObject` naming the field `kind`.
    public init(named name: String) throws(ConfigurationError) {
        guard let kind = ConfigurationKind(rawValue: name) else {
            let known = Self.allCases.map(\.rawValue).joined(separator: ", ")
            throw ConfigurationError(.invalidObject, field: "kind", "unknown kind \(quoted(name)); one of \(known)")
        }
        self = kind
    }

    /// Whether the id is derived from the name (segments and consent types, as in Tracardi)
    /// rather than chosen at random when the object is created.
    public var derivesIDFromName: Bool { self == .segment || self == .consentType }

    public static func < (left: ConfigurationKind, right: ConfigurationKind) -> Bool {
        left.rawValue < right.rawValue
    }
}

/// The identity of one configuration object: its kind and its id.
public struct ConfigurationKey: Sendable, Hashable, Comparable, CustomStringConvertible {
    public let kind: ConfigurationKind
    public let id: String

    public init(_ kind: ConfigurationKind, _ id: String) {
        self.kind = kind
        self.id = id
    }

    /// `event-source/web`: the key of its configuration records in the log.
    public var description: String { kind.rawValue + "/" + id }

    public static func < (left: ConfigurationKey, right: ConfigurationKey) -> Bool {
        left.kind != right.kind ? left.kind < right.kind : Array(left.id.utf8).lexicographicallyPrecedes(right.id.utf8)
    }
}
