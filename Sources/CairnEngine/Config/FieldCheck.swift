import CairnModel

/// Checks shared by the configuration objects; each throws an error naming the field.
enum FieldCheck {
    static let idBytesMax = 128
    static let nameBytesMax = 256
    static let textBytesMax = 64 << 10
    static let listCountMax = 1000

    /// An id: 1...128 bytes of UTF-8 without white space, control characters, `/` or `\`, not
    /// starting with `.` (ids name files when configuration is exported). `objectID` is the id of
    /// the object holding the field when it refers to another object (nil for the object's own id).
    static func id(_ id: String, kind: ConfigurationKind, objectID: String? = nil, field: String = "id") throws(ConfigurationError) {
        let problem: String? =
            if id.isEmpty { "must not be empty" }
            else if id.utf8.count > idBytesMax { "is \(id.utf8.count) bytes long; the limit is \(idBytesMax)" }
            else if id.hasPrefix(".") { "must not start with '.'" }
            else if id.unicodeScalars.contains(where: { $0.properties.isWhitespace || $0.properties.generalCategory == .control || $0 == "/" || $0 == "\\" }) {
                "must not contain white space, control characters, '/' or '\\' (got \(quoted(id)))"
            } else { nil }
        if let problem { throw ConfigurationError(.invalidObject, kind: kind, id: objectID, field: field, problem) }
    }

    /// A name: non-empty after trimming, at most 256 bytes, no control characters.
    static func name(_ name: String, kind: ConfigurationKind, id: String, field: String = "name") throws(ConfigurationError) {
        if name.allSatisfy(\.isWhitespace) { throw ConfigurationError(.invalidObject, kind: kind, id: id, field: field, "must not be empty") }
        if name.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) {
            throw ConfigurationError(.invalidObject, kind: kind, id: id, field: field, "must not contain control characters")
        }
        try text(name, kind: kind, id: id, field: field, bytesMax: nameBytesMax)
    }

    /// Free text: at most `bytesMax` bytes, no control characters other than tab and newline.
    static func text(_ text: String, kind: ConfigurationKind, id: String, field: String, bytesMax: Int = textBytesMax) throws(ConfigurationError) {
        guard text.utf8.count <= bytesMax else {
            throw ConfigurationError(.invalidObject, kind: kind, id: id, field: field, "is \(text.utf8.count) bytes long; the limit is \(bytesMax)")
        }
        if text.unicodeScalars.contains(where: { $0.properties.generalCategory == .control && $0 != "\n" && $0 != "\t" }) {
            throw ConfigurationError(.invalidObject, kind: kind, id: id, field: field, "must not contain control characters")
        }
    }

    /// A list of at most 1000 elements.
    static func count(_ count: Int, kind: ConfigurationKind, id: String, field: String) throws(ConfigurationError) {
        guard count <= listCountMax else {
            throw ConfigurationError(.invalidObject, kind: kind, id: id, field: field, "has \(count) elements; the limit is \(listCountMax)")
        }
    }

    /// A normalized event type (see `EventType`).
    static func eventType(_ text: String, kind: ConfigurationKind, id: String, field: String) throws(ConfigurationError) -> String {
        do {
            return try EventType.normalize(text)
        } catch {
            throw ConfigurationError(.invalidObject, kind: kind, id: id, field: field, error.message)
        }
    }

    /// An event type already in normalized form, as `validate()` requires of a stored object.
    static func normalizedEventType(_ text: String, kind: ConfigurationKind, id: String, field: String = "event_type") throws(ConfigurationError) {
        guard try eventType(text, kind: kind, id: id, field: field) == text else {
            throw ConfigurationError(.invalidObject, kind: kind, id: id, field: field, "must be normalized (\(quoted(text)))")
        }
    }

    /// A dotted field path such as `properties.email`: non-empty segments, at most 256 bytes.
    static func path(_ path: String, kind: ConfigurationKind, id: String, field: String) throws(ConfigurationError) {
        guard !path.isEmpty, path.utf8.count <= nameBytesMax,
              !path.split(separator: ".", omittingEmptySubsequences: false).contains(where: \.isEmpty),
              !path.unicodeScalars.contains(where: { $0.properties.isWhitespace || $0.properties.generalCategory == .control })
        else {
            throw ConfigurationError(.invalidObject, kind: kind, id: id, field: field, "must be a dotted field path such as properties.email (got \(quoted(path)))")
        }
    }

    /// One of `allowed`.
    static func oneOf(_ value: String, _ allowed: [String], kind: ConfigurationKind, id: String, field: String) throws(ConfigurationError) {
        guard allowed.contains(value) else {
            throw ConfigurationError(.invalidObject, kind: kind, id: id, field: field, "must be one of \(allowed.joined(separator: ", ")) (got \(quoted(value)))")
        }
    }
}

/// `text` as a JSON string literal, for messages.
func quoted(_ text: String) -> String {
    String(decoding: JSONValue.string(text).serialized(), as: UTF8.self)
}

extension JSONObject {
    /// An object of `pairs`, leaving out the nil values.
    static func compacting(_ pairs: [(String, JSONValue?)]) -> JSONObject {
        JSONObject(pairs.compactMap { pair in pair.1.map { (pair.0, $0) } })
    }
}

extension Array where Element == String {
    var jsonValue: JSONValue { .array(map { .string($0) }) }
}

extension FieldCheck {
    /// Tags: at most 1000 names.
    static func tags(_ tags: [String], kind: ConfigurationKind, id: String) throws(ConfigurationError) {
        try count(tags.count, kind: kind, id: id, field: "tags")
        for (index, tag) in tags.enumerated() {
            try name(tag, kind: kind, id: id, field: "tags[\(index)]")
        }
    }
}
