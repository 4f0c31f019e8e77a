/// A JSON object: string keys in canonical (UTF-8 byte) order, each once.
public typealias JSONObject = SortedMap<JSONValue>

/// A JSON value, as parsed by ``JSONParser`` and stored in events and profiles.
///
/// Numbers keep the form they arrived in: an integer token that fits `Int64` is ``integer(_:)``,
/// anything with a fraction or an exponent, or too large for `Int64`, is ``number(_:)``. The two
/// are different values (`1` is not `1.0`), which keeps parse → serialize → parse an identity.
///
/// Equality is structural and exact: strings and keys compare by their UTF-8 bytes (not by
/// Unicode canonical equivalence) and numbers by their bit pattern (so `-0.0 != 0.0`). Two values
/// are equal exactly when their canonical encodings (``serialized()``, ``binaryEncoded()``) are.
///
/// Only finite numbers can be represented in JSON; a non-finite ``number(_:)``, which no parser
/// here produces, is written as `null` by both encoders.
public enum JSONValue: Sendable {
    case null
    case bool(Bool)
    case integer(Int64)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object(JSONObject)
}

extension JSONValue {
    /// The string, if this is a string.
    public var stringValue: String? {
        if case .string(let value) = self { return value }
        return nil
    }

    /// The object, if this is an object.
    public var objectValue: JSONObject? {
        if case .object(let value) = self { return value }
        return nil
    }

    /// The elements, if this is an array.
    public var arrayValue: [JSONValue]? {
        if case .array(let value) = self { return value }
        return nil
    }

    /// The Boolean, if this is `true` or `false`.
    public var boolValue: Bool? {
        if case .bool(let value) = self { return value }
        return nil
    }

    /// The integer, if this is an integer.
    public var integerValue: Int64? {
        if case .integer(let value) = self { return value }
        return nil
    }

    /// The number as a `Double`, if this is an integer or a number.
    public var doubleValue: Double? {
        switch self {
        case .integer(let value): Double(value)
        case .number(let value): value
        default: nil
        }
    }

    /// Whether this is `null`.
    public var isNull: Bool {
        if case .null = self { return true }
        return false
    }

    /// The member `key` of an object; nil for other values or a missing key.
    public subscript(key: String) -> JSONValue? {
        objectValue?[key]
    }

    /// The value at a dotted path of object keys, e.g. `["context", "page", "url"]`; nil if any
    /// step is missing or not an object. An empty path is the value itself.
    public func value(at path: [String]) -> JSONValue? {
        var current = self
        for key in path {
            guard case .object(let object) = current, let next = object[key] else { return nil }
            current = next
        }
        return current
    }

    /// ``value(at:)`` with a path written with dots: `"context.page.url"`. Keys that contain a
    /// dot cannot be reached this way; use the array form.
    public func value(atDotPath path: String) -> JSONValue? {
        value(at: path.isEmpty ? [] : path.split(separator: ".", omittingEmptySubsequences: false).map(String.init))
    }
}

extension SortedMap where Value == JSONValue {
    /// The value at a path of object keys below this object (see ``JSONValue/value(at:)``).
    public func value(at path: [String]) -> JSONValue? {
        guard let first = path.first, let head = self[first] else { return path.isEmpty ? .object(self) : nil }
        return head.value(at: Array(path.dropFirst()))
    }

    /// The string at `path`, if there is one.
    public func string(at path: [String]) -> String? {
        value(at: path)?.stringValue
    }

    /// This object with `overlay`'s members put over it: where both have an object under the same
    /// key the two are merged the same way, recursively; otherwise `overlay`'s value wins.
    public func merging(_ overlay: JSONObject) -> JSONObject {
        if overlay.isEmpty { return self }
        if isEmpty { return overlay }
        var result = self
        for entry in overlay.entries {
            if case .object(let mine)? = result[entry.key], case .object(let theirs) = entry.value {
                result[entry.key] = .object(mine.merging(theirs))
            } else {
                result[entry.key] = entry.value
            }
        }
        return result
    }
}

extension JSONValue: Equatable {
    public static func == (left: JSONValue, right: JSONValue) -> Bool {
        switch (left, right) {
        case (.null, .null): true
        case (.bool(let a), .bool(let b)): a == b
        case (.integer(let a), .integer(let b)): a == b
        case (.number(let a), .number(let b)): a.bitPattern == b.bitPattern
        case (.string(let a), .string(let b)): compareUTF8(a, b) == 0
        case (.array(let a), .array(let b)): a == b
        case (.object(let a), .object(let b)): a == b
        default: false
        }
    }
}

extension JSONValue: Hashable {
    public func hash(into hasher: inout Hasher) {
        switch self {
        case .null: hasher.combine(0)
        case .bool(let value): hasher.combine(1); hasher.combine(value)
        case .integer(let value): hasher.combine(2); hasher.combine(value)
        case .number(let value): hasher.combine(3); hasher.combine(value.bitPattern)
        case .string(let value):
            hasher.combine(4)
            hasher.combine(value.utf8.count)
            for byte in value.utf8 { hasher.combine(byte) }
        case .array(let value): hasher.combine(5); hasher.combine(value)
        case .object(let value): hasher.combine(6); hasher.combine(value)
        }
    }
}

extension JSONValue: ExpressibleByNilLiteral, ExpressibleByBooleanLiteral, ExpressibleByIntegerLiteral,
    ExpressibleByFloatLiteral, ExpressibleByStringLiteral, ExpressibleByArrayLiteral,
    ExpressibleByDictionaryLiteral
{
    public init(nilLiteral: ()) { self = .null }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(integerLiteral value: Int64) { self = .integer(value) }
    public init(floatLiteral value: Double) { self = .number(value) }
    public init(stringLiteral value: String) { self = .string(value) }
    public init(arrayLiteral elements: JSONValue...) { self = .array(elements) }
    /// An object of the literal's pairs; for duplicate keys the last pair wins.
    public init(dictionaryLiteral elements: (String, JSONValue)...) { self = .object(JSONObject(elements)) }
}

extension JSONValue: CustomStringConvertible {
    /// The canonical compact JSON text (see ``serialized()``).
    public var description: String { String(decoding: serialized(), as: UTF8.self) }
}
