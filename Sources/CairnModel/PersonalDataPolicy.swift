/// Which event fields are personal data, to be kept apart in ``Event/personal``.
///
/// At ingest, every top-level member of an event's `properties` and of its `context` whose key
/// matches one of ``keys`` (ASCII case-insensitively: `Email`, `EMAIL` and `email` all match) is
/// moved into `personal["properties"]` or `personal["context"]` under its original key. Nothing
/// else is touched: nested members (`context.page.url`) are not searched, because the same word
/// means different things at different depths and a guess would scatter personal data across
/// both sections.
///
/// The default list deliberately leaves out a bare `name`: in the corpus and in common
/// e-commerce events, `properties.name` is a product's name on `product-view` and `add-to-cart`.
/// Personal names arrive as `firstname`/`lastname` (or `fullname`); add `name` with
/// ``init(keys:)`` for sources that use it for people.
public struct PersonalDataPolicy: Sendable, Hashable {
    /// The personal keys, lower-cased, sorted and unique.
    public let keys: [String]
    /// Bit n set when some key is n bytes long (n < 64; bit 63 stands for 63 and longer): a
    /// cheap first test, since almost every key of an event is not personal.
    private let lengthMask: UInt64

    /// A policy treating `keys` as personal (matched case-insensitively; order and duplicates
    /// do not matter).
    public init(keys: some Sequence<String>) {
        self.keys = sortedUnique(keys.map { Self.fold($0) })
        lengthMask = self.keys.reduce(0) { $0 | Self.lengthBit($1) }
    }

    private static func lengthBit(_ key: String) -> UInt64 {
        1 << UInt64(min(key.utf8.count, 63))
    }

    /// address, birthday, email, firstname, fullname, ip, lastname, login, mobile, phone,
    /// surname, username.
    public static let `default` = PersonalDataPolicy(keys: [
        "address", "birthday", "email", "firstname", "fullname", "ip", "lastname", "login", "mobile",
        "phone", "surname", "username",
    ])

    /// A policy that moves nothing.
    public static let none = PersonalDataPolicy(keys: [])

    /// Whether `key` names personal data under this policy.
    public func isPersonal(_ key: String) -> Bool {
        guard lengthMask & Self.lengthBit(key) != 0 else { return false }
        let folded = Self.fold(key)
        var low = 0
        var high = keys.count
        while low < high {
            let middle = (low + high) / 2
            let comparison = compareUTF8(keys[middle], folded)
            if comparison == 0 { return true }
            if comparison < 0 { low = middle + 1 } else { high = middle }
        }
        return false
    }

    /// `event` with its personal members moved from `properties` and `context` into `personal`.
    /// Members already in `personal` stay; a moved member replaces one with the same key there.
    public func separate(_ event: Event) -> Event {
        if keys.isEmpty { return event }
        var event = event
        let (properties, personalProperties) = split(event.properties)
        let (context, personalContext) = split(event.context)
        if personalProperties.isEmpty, personalContext.isEmpty { return event }
        event.properties = properties
        event.context = context
        for (section, moved) in [("properties", personalProperties), ("context", personalContext)] where !moved.isEmpty {
            var merged = event.personal[section]?.objectValue ?? [:]
            for entry in moved.entries { merged[entry.key] = entry.value }
            event.personal[section] = .object(merged)
        }
        return event
    }

    /// The members of `object` that are not personal, and those that are.
    private func split(_ object: JSONObject) -> (kept: JSONObject, personal: JSONObject) {
        guard object.entries.contains(where: { isPersonal($0.key) }) else { return (object, [:]) }
        return (object.filter { !isPersonal($0.key) }, object.filter { isPersonal($0.key) })
    }

    /// ASCII lower case: deterministic and independent of Unicode tables, which is all that the
    /// keys of this policy need.
    private static func fold(_ key: String) -> String {
        guard key.utf8.contains(where: { $0 >= UInt8(ascii: "A") && $0 <= UInt8(ascii: "Z") }) else { return key }
        return String(decoding: key.utf8.map { $0 >= UInt8(ascii: "A") && $0 <= UInt8(ascii: "Z") ? $0 + 32 : $0 }, as: UTF8.self)
    }
}
