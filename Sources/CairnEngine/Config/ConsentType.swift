import CairnModel

/// A kind of consent a profile can grant (marketing e-mails, analytics). Its id is derived from
/// its name, as a segment's is.
///
/// JSON fields: `id` (optional; must equal the derived id), `name`, `description`, `revokable`,
/// `default_value` (`grant` or `deny`: what a profile has before it answers), `required` (a
/// profile must grant it to be processed), `auto_revoke` (a duration such as `90d`, `12h`, `30m`,
/// `45s`, `2w`, after which a grant lapses; absent: never), `enabled`.
public struct ConsentType: ConfigurationValue {
    public enum DefaultValue: String, Sendable, CaseIterable {
        case grant, deny
    }

    public static let kind = ConfigurationKind.consentType
    public var id: String { ConfigurationID.derived(fromName: name) }
    public var name: String
    public var description: String
    public var revokable: Bool
    public var defaultValue: DefaultValue
    public var required: Bool
    /// Seconds after which a grant lapses; nil: never.
    public var autoRevokeSeconds: Int64?
    public var enabled: Bool

    public init(name: String, description: String = "", revokable: Bool = true, defaultValue: DefaultValue = .deny,
                required: Bool = false, autoRevokeSeconds: Int64? = nil, enabled: Bool = true) {
        self.name = name
        self.description = description
        self.revokable = revokable
        self.defaultValue = defaultValue
        self.required = required
        self.autoRevokeSeconds = autoRevokeSeconds
        self.enabled = enabled
    }

    public init(json: JSONObject) throws(ConfigurationError) {
        var reader = FieldReader(json, kind: Self.kind)
        let name = try reader.string("name")
        let defaultName = try reader.optionalString("default_value") ?? DefaultValue.deny.rawValue
        guard let defaultValue = DefaultValue(rawValue: defaultName) else {
            throw reader.error("default_value", "must be grant or deny (got \(quoted(defaultName)))")
        }
        var autoRevoke: Int64?
        if let text = try reader.optionalString("auto_revoke") {
            guard let seconds = DurationText.seconds(parsing: text) else {
                throw reader.error("auto_revoke", "must be a duration such as 90d, 12h, 30m, 45s or 2w (got \(quoted(text)))")
            }
            autoRevoke = seconds
        }
        self.init(name: name, description: try reader.optionalString("description") ?? "",
                  revokable: try reader.bool("revokable", default: true), defaultValue: defaultValue,
                  required: try reader.bool("required", default: false), autoRevokeSeconds: autoRevoke,
                  enabled: try reader.bool("enabled", default: true))
        if let given = try reader.optionalString("id"), given != id {
            throw reader.error("id", "must be \(quoted(id)), derived from the name (got \(quoted(given)))")
        }
        try reader.finish()
        try validate()
    }

    public var json: JSONObject {
        tagged([("id", .string(id)), ("name", .string(name)), ("description", .string(description)),
                ("revokable", .bool(revokable)), ("default_value", .string(defaultValue.rawValue)), ("required", .bool(required)),
                ("auto_revoke", autoRevokeSeconds.map { .string(DurationText.text(seconds: $0)) }), ("enabled", .bool(enabled))])
    }

    public func validate() throws(ConfigurationError) {
        try FieldCheck.name(name, kind: Self.kind, id: id)
        try FieldCheck.id(id, kind: Self.kind, objectID: nil, field: "name")
        try FieldCheck.text(description, kind: Self.kind, id: id, field: "description")
        if let seconds = autoRevokeSeconds, seconds < 1 || seconds > DurationText.secondsMax {
            throw ConfigurationError(.invalidObject, kind: Self.kind, id: id, field: "auto_revoke", "must be between 1 s and 100 years")
        }
    }

    /// Durations written as a count and a unit.
    enum DurationText {
        static let units: [(suffix: Character, seconds: Int64)] = [("w", 604_800), ("d", 86_400), ("h", 3600), ("m", 60), ("s", 1)]
        static let secondsMax: Int64 = 100 * 366 * 86_400

        /// `90d` → 7776000; a bare count is seconds. Nil when malformed or over 100 years.
        static func seconds(parsing text: String) -> Int64? {
            var digits = Substring(text)
            var unit: Int64 = 1
            if let last = text.last, let match = units.first(where: { $0.suffix == last }) {
                digits = digits.dropLast()
                unit = match.seconds
            }
            guard !digits.isEmpty, digits.allSatisfy({ $0.isASCII && $0.isNumber }), digits.count <= 12,
                  let count = Int64(digits), count > 0, count <= secondsMax / unit
            else { return nil }
            return count * unit
        }

        /// The shortest text in the largest unit that divides `seconds` (7776000 → `90d`).
        static func text(seconds: Int64) -> String {
            let unit = units.first { seconds % $0.seconds == 0 } ?? units[units.count - 1]
            return "\(seconds / unit.seconds)\(unit.suffix)"
        }
    }
}
