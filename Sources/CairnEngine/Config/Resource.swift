import CairnModel

/// An external system Cairn talks to (a mail service, a CRM), with its credentials for
/// production and for tests, each sealed (``SealedCredentials``): a `Resource` never holds
/// credentials in clear, and its `description` shows only their size.
///
/// JSON fields: `id`, `name`, `type` (what kind of system, e.g. `smtp`), `enabled`, `tags`,
/// `credentials`: `{"production": "aes-256-gcm:…", "test": "aes-256-gcm:…"}` (either may be
/// absent). A configuration file may give a slot as a plain object instead; it is sealed when
/// the file is read (``ConfigurationFiles``).
public struct Resource: ConfigurationValue, CustomStringConvertible, CustomDebugStringConvertible {
    public static let kind = ConfigurationKind.resource
    public var id: String
    public var name: String
    public var type: String
    public var enabled: Bool
    public var tags: [String]
    public var credentials: SealedCredentials?
    public var testCredentials: SealedCredentials?

    public init(id: String, name: String, type: String, enabled: Bool = true, tags: [String] = [],
                credentials: SealedCredentials? = nil, testCredentials: SealedCredentials? = nil) {
        self.id = id
        self.name = name
        self.type = type
        self.enabled = enabled
        self.tags = tags
        self.credentials = credentials
        self.testCredentials = testCredentials
    }

    public init(json: JSONObject) throws(ConfigurationError) {
        var reader = FieldReader(json, kind: Self.kind)
        var sealed: [SealedCredentials.Slot: SealedCredentials] = [:]
        if let slots = try reader.object("credentials") {
            var slotReader = FieldReader(slots, kind: Self.kind, id: reader.id, prefix: "credentials")
            for slot in [SealedCredentials.Slot.production, .test] {
                guard let text = try slotReader.optionalString(slot.rawValue) else { continue }
                do {
                    sealed[slot] = try SealedCredentials(text: text)
                } catch {
                    throw slotReader.error(slot.rawValue, error.message)
                }
            }
            try slotReader.finish()
        }
        self.init(id: try reader.string("id"), name: try reader.string("name"), type: try reader.string("type"),
                  enabled: try reader.bool("enabled", default: true), tags: try reader.strings("tags"),
                  credentials: sealed[.production], testCredentials: sealed[.test])
        try reader.finish()
        try validate()
    }

    public var json: JSONObject {
        let slots = JSONObject.compacting([("production", credentials.map { .string($0.text) }),
                                           ("test", testCredentials.map { .string($0.text) })])
        return tagged([("id", .string(id)), ("name", .string(name)), ("type", .string(type)), ("enabled", .bool(enabled)),
                       ("tags", tags.jsonValue), ("credentials", .object(slots))])
    }

    /// The JSON form with each sealed slot replaced by `"<sealed: n bytes>"`, for showing.
    public var maskedJSON: JSONObject {
        var object = json
        let slots = JSONObject.compacting([("production", credentials.map { .string("<sealed: \($0.bytes.count) bytes>") }),
                                           ("test", testCredentials.map { .string("<sealed: \($0.bytes.count) bytes>") })])
        object["credentials"] = .object(slots)
        return object
    }

    public func validate() throws(ConfigurationError) {
        try FieldCheck.id(id, kind: Self.kind)
        try FieldCheck.name(name, kind: Self.kind, id: id)
        try FieldCheck.name(type, kind: Self.kind, id: id, field: "type")
        try FieldCheck.tags(tags, kind: Self.kind, id: id)
    }

    /// The sealed credentials of `slot`.
    public func sealed(_ slot: SealedCredentials.Slot) -> SealedCredentials? {
        slot == .production ? credentials : testCredentials
    }

    /// The credentials of `slot` in clear, nil when the slot is empty.
    ///
    /// - Throws: ``ConfigurationError`` `decryptionFailed` (see ``SealedCredentials/open(key:resourceID:slot:)``).
    public func openCredentials(_ slot: SealedCredentials.Slot, key: SecretKey) throws(ConfigurationError) -> JSONObject? {
        try sealed(slot)?.open(key: key, resourceID: id, slot: slot)
    }

    /// This resource as it would be stored over `current` (the stored version, if any): each
    /// slot's sealed credentials must open with the key, and where they hold the same plaintext
    /// as `current`'s, `current`'s bytes are kept (sealing the same credentials twice gives
    /// different bytes, as each sealing draws a fresh nonce), so that an unchanged resource
    /// compares equal.
    ///
    /// - Throws: ``ConfigurationError`` `missingKey` when credentials must be opened and no key
    ///   is configured, `decryptionFailed` when they do not open.
    func reconciled(with current: Resource?, key: () throws(ConfigurationError) -> SecretKey) throws(ConfigurationError) -> Resource {
        var result = self
        for slot in [SealedCredentials.Slot.production, .test] {
            guard let new = sealed(slot) else { continue }
            let old = current?.sealed(slot)
            if old == new { continue }
            let secret = try key()
            let plaintext = try new.open(key: secret, resourceID: id, slot: slot)
            if let old, try old.open(key: secret, resourceID: id, slot: slot) == plaintext {
                if slot == .production { result.credentials = old } else { result.testCredentials = old }
            }
        }
        return result
    }

    public var description: String {
        "Resource(id: \(quoted(id)), name: \(quoted(name)), type: \(quoted(type)), credentials: \(credentials?.description ?? "none"), test credentials: \(testCredentials?.description ?? "none"))"
    }

    public var debugDescription: String { description }
}
