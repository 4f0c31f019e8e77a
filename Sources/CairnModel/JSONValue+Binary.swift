// The compact binary encoding of `JSONValue`.
//
// A value is one tag byte followed by its content, built from the primitives of `BinaryWriter`:
//
// | tag | value | content |
// |---|---|---|
// | 0x00 | null | none |
// | 0x01 | false | none |
// | 0x02 | true | none |
// | 0x03 | integer | signed (zigzag varint) |
// | 0x04 | number | double (8 bytes LE); finite only |
// | 0x05 | string | string (varint length + UTF-8) |
// | 0x06 | array | varint count, then count values |
// | 0x07 | object | varint count, then count × (string key, value), keys strictly ascending by UTF-8 bytes |
//
// The encoding is deterministic (keys are stored sorted, varints minimal) and the decoder accepts
// only canonical input, so encode(decode(bytes)) == bytes for every accepted input.

private enum BinaryTag {
    static let null: UInt8 = 0x00
    static let `false`: UInt8 = 0x01
    static let `true`: UInt8 = 0x02
    static let integer: UInt8 = 0x03
    static let number: UInt8 = 0x04
    static let string: UInt8 = 0x05
    static let array: UInt8 = 0x06
    static let object: UInt8 = 0x07
}

extension JSONValue {
    /// The binary encoding of this value (see the table at the top of `JSONValue+Binary.swift`).
    ///
    /// Non-finite numbers are written as null. Traps if the value is nested deeper than
    /// ``JSONParser/depthMaxSupported`` (a programmer error: nothing parsed can be that deep, and
    /// a value that deep could not be decoded again).
    public func binaryEncoded() -> [UInt8] {
        var writer = BinaryWriter()
        encode(into: &writer, depth: 0)
        return writer.bytes
    }

    /// Decodes one value that must fill all of `bytes`.
    ///
    /// - Throws: ``ModelError`` with code `malformedRecord` on any deviation from the canonical
    ///   encoding. Never traps on any input.
    public init(binary bytes: [UInt8]) throws(ModelError) {
        self = try withReader(bytes, format: "JSONValue") { (reader) throws(ModelError) -> JSONValue in
            let value = try reader.jsonValue("", depth: 0)
            try reader.expectEnd()
            return value
        }
    }

    /// Decodes one value that must fill all of `buffer`. The buffer is not retained.
    ///
    /// - Throws: ``ModelError`` with code `malformedRecord`. Never traps on any input.
    public init(binary buffer: UnsafeRawBufferPointer) throws(ModelError) {
        var reader = BinaryReader(buffer, format: "JSONValue")
        self = try reader.jsonValue("", depth: 0)
        try reader.expectEnd()
    }

    func encode(into writer: inout BinaryWriter, depth: Int) {
        switch self {
        case .null: writer.byte(BinaryTag.null)
        case .bool(let value): writer.byte(value ? BinaryTag.true : BinaryTag.false)
        case .integer(let value):
            writer.byte(BinaryTag.integer)
            writer.signed(value)
        case .number(let value):
            if value.isFinite {
                writer.byte(BinaryTag.number)
                writer.double(value)
            } else {
                writer.byte(BinaryTag.null)
            }
        case .string(let value):
            writer.byte(BinaryTag.string)
            writer.string(value)
        case .array(let elements):
            precondition(depth < JSONParser.depthMaxSupported, "JSON value nested too deeply to encode")
            writer.byte(BinaryTag.array)
            writer.count(elements.count)
            for element in elements { element.encode(into: &writer, depth: depth + 1) }
        case .object(let object):
            precondition(depth < JSONParser.depthMaxSupported, "JSON value nested too deeply to encode")
            writer.byte(BinaryTag.object)
            object.encodeBody(into: &writer, depth: depth + 1)
        }
    }
}

extension SortedMap where Value == JSONValue {
    /// The count and members of an object, without the tag: how records store their objects.
    func encodeBody(into writer: inout BinaryWriter, depth: Int) {
        writer.count(count)
        for entry in entries {
            writer.string(entry.key)
            entry.value.encode(into: &writer, depth: depth)
        }
    }
}

extension BinaryReader {
    /// One tagged value. `depth` counts the arrays and objects around it.
    mutating func jsonValue(_ field: String, depth: Int) throws(ModelError) -> JSONValue {
        let start = index
        switch try byte(field) {
        case BinaryTag.null: return .null
        case BinaryTag.false: return .bool(false)
        case BinaryTag.true: return .bool(true)
        case BinaryTag.integer: return .integer(try signed(field))
        case BinaryTag.number:
            let value = try double(field)
            guard value.isFinite else { throw error(field, at: start, "non-finite number") }
            return .number(value)
        case BinaryTag.string: return .string(try string(field))
        case BinaryTag.array:
            guard depth < JSONParser.depthMaxSupported else { throw error(field, at: start, "nested deeper than \(JSONParser.depthMaxSupported) levels") }
            let count = try count(field, elementBytesMin: 1)
            var elements: [JSONValue] = []
            elements.reserveCapacity(count)
            for _ in 0..<count { elements.append(try jsonValue(field, depth: depth + 1)) }
            return .array(elements)
        case BinaryTag.object:
            guard depth < JSONParser.depthMaxSupported else { throw error(field, at: start, "nested deeper than \(JSONParser.depthMaxSupported) levels") }
            return .object(try jsonObjectBody(field, depth: depth + 1))
        case let tag:
            throw error(field, at: start, "unknown JSON value tag \(tag)")
        }
    }

    /// An object's count and members without a tag (see `SortedMap.encodeBody`).
    mutating func jsonObjectBody(_ field: String, depth: Int) throws(ModelError) -> JSONObject {
        // Each member takes at least 2 bytes: an empty key's length and a value's tag.
        let count = try count(field, elementBytesMin: 2)
        var entries: [JSONObject.Entry] = []
        entries.reserveCapacity(count)
        for _ in 0..<count {
            let keyStart = index
            let key = try string(field)
            if let last = entries.last, compareUTF8(last.key, key) >= 0 {
                throw error(field, at: keyStart, "object keys are not in strictly ascending order")
            }
            entries.append(JSONObject.Entry(key: key, value: try jsonValue(field, depth: depth)))
        }
        return JSONObject(trustedSortedEntries: entries)
    }
}

/// Writes the binary encoding of a JSON object member by member, for callers that know their
/// object's shape and would otherwise build a `JSONValue` only to encode it (the projector's
/// changes). The caller gives each object's member count up front and its keys in ascending UTF-8
/// order, so the bytes equal `binaryEncoded()` of the same value; the decoder rejects anything else.
public struct JSONBinaryWriter {
    private var writer: BinaryWriter

    public init(capacity: Int = 256) {
        writer = BinaryWriter(capacity: capacity)
    }

    /// The bytes written so far.
    public var bytes: [UInt8] { writer.bytes }

    /// Starts an object of `count` members: then `count` times `key` and a value.
    public mutating func object(count: Int) {
        writer.byte(BinaryTag.object)
        writer.count(count)
    }

    /// Starts an array of `count` values.
    public mutating func array(count: Int) {
        writer.byte(BinaryTag.array)
        writer.count(count)
    }

    public mutating func key(_ key: String) {
        writer.string(key)
    }

    public mutating func string(_ value: String) {
        writer.byte(BinaryTag.string)
        writer.string(value)
    }

    /// The string `prefix.suffix` (just `prefix` when `suffix` is nil, just `suffix` when
    /// `prefix` is empty), without building it.
    public mutating func string(_ prefix: String, joinedWith suffix: String?) {
        guard let suffix, !prefix.isEmpty else {
            string(suffix ?? prefix)
            return
        }
        writer.byte(BinaryTag.string)
        writer.count(prefix.utf8.count + 1 + suffix.utf8.count)
        writer.utf8(prefix)
        writer.byte(UInt8(ascii: "."))
        writer.utf8(suffix)
    }

    public mutating func integer(_ value: Int64) {
        writer.byte(BinaryTag.integer)
        writer.signed(value)
    }

    public mutating func bool(_ value: Bool) {
        writer.byte(value ? BinaryTag.true : BinaryTag.false)
    }

    public mutating func value(_ value: JSONValue) {
        value.encode(into: &writer, depth: 1)
    }

    /// Appends what another writer wrote (e.g. an object's members, counted while written).
    public mutating func append(_ other: JSONBinaryWriter) {
        writer.append(other.writer.bytes)
    }
}
