/// A strict RFC 8259 JSON parser.
///
/// Accepts exactly one JSON value, optionally surrounded by whitespace (space, tab, LF, CR), in
/// UTF-8 without a byte order mark. Rejected, each with a ``ModelError`` naming the byte position
/// and what was expected there: anything RFC 8259 does not allow (comments, trailing commas,
/// single quotes, leading zeros, `NaN`, `Infinity`, unescaped control characters in strings,
/// invalid UTF-8), numbers too large for a `Double`, input over ``Limits/bytesMax`` and nesting
/// deeper than ``Limits/depthMax``.
///
/// - Integers that fit `Int64` become ``JSONValue/integer(_:)``; other numbers (a fraction, an
///   exponent, or an integer out of range) become ``JSONValue/number(_:)``, correctly rounded.
/// - Duplicate object keys: the last one wins.
/// - Lone UTF-16 surrogates written as `\uD800`-style escapes (JavaScript's `JSON.stringify`
///   produces them for broken strings) are **replaced** with U+FFFD, as WHATWG decoders do, rather
///   than failing the whole payload for one truncated page title. Invalid raw UTF-8 bytes, which
///   no conforming encoder produces, are **rejected**.
///
/// Pure and thread-safe; the input is only read during the call.
///
/// ```swift
/// let value = try JSONParser.parse(Array(#"{"a":[1,2.5,"x"]}"#.utf8))
/// ```
public enum JSONParser {
    /// Bounds on what the parser accepts.
    public struct Limits: Sendable, Hashable {
        /// The largest input, in bytes.
        public var bytesMax: Int
        /// The deepest nesting of arrays and objects; `[[1]]` has depth 2. At most
        /// ``JSONParser/depthMaxSupported``.
        public var depthMax: Int

        /// Creates limits. Traps if `depthMax` exceeds ``JSONParser/depthMaxSupported`` or either
        /// value is not positive (a programmer error).
        public init(bytesMax: Int, depthMax: Int) {
            precondition(bytesMax > 0, "bytesMax must be positive")
            precondition(depthMax > 0 && depthMax <= JSONParser.depthMaxSupported, "depthMax out of range")
            self.bytesMax = bytesMax
            self.depthMax = depthMax
        }

        /// 16 MiB and 64 levels: well above any tracker payload, well below a stack overflow.
        public static let `default` = Limits(bytesMax: 16 << 20, depthMax: 64)
    }

    /// The deepest nesting any JSON value in Cairn may have, for the parser and the binary decoder.
    public static let depthMaxSupported = 256

    /// Parses `bytes` as one JSON value.
    ///
    /// - Throws: ``ModelError`` with code `invalidJSON` (with the byte offset) or `limitExceeded`.
    public static func parse(_ bytes: [UInt8], limits: Limits = .default) throws(ModelError) -> JSONValue {
        let result: Result<JSONValue, ModelError> = bytes.withUnsafeBytes { buffer in
            Result { () throws(ModelError) -> JSONValue in try parse(buffer, limits: limits) }
        }
        return try result.get()
    }

    /// Parses the bytes in `buffer` as one JSON value. The buffer is not retained.
    ///
    /// - Throws: ``ModelError`` with code `invalidJSON` (with the byte offset) or `limitExceeded`.
    public static func parse(_ buffer: UnsafeRawBufferPointer, limits: Limits = .default) throws(ModelError) -> JSONValue {
        guard buffer.count <= limits.bytesMax else {
            throw ModelError(.limitExceeded, "JSON input is \(buffer.count) bytes; the limit is \(limits.bytesMax)")
        }
        var reader = JSONReader(bytes: buffer, depthMax: limits.depthMax)
        reader.skipWhitespace()
        let value = try reader.readValue(depth: 0)
        reader.skipWhitespace()
        if reader.index < buffer.count {
            throw reader.error(at: reader.index, "expected the end of the input after the JSON value, found \(reader.describeByte(at: reader.index))")
        }
        return value
    }
}

/// The parser's cursor over the input. Lives only for one `JSONParser.parse` call.
struct JSONReader {
    let bytes: UnsafeBufferPointer<UInt8>
    let depthMax: Int
    var index = 0

    init(bytes: UnsafeRawBufferPointer, depthMax: Int) {
        // Reading bytes through a `UInt8` view of raw memory is always valid.
        self.bytes = bytes.assumingMemoryBound(to: UInt8.self)
        self.depthMax = depthMax
    }

    func error(at offset: Int, _ message: String) -> ModelError {
        ModelError(.invalidJSON, path: "JSON", offset: offset, message)
    }

    /// A readable name for the byte at `offset`: `'x'`, `byte 0xC3` or `the end of the input`.
    func describeByte(at offset: Int) -> String {
        guard offset < bytes.count else { return "the end of the input" }
        let byte = bytes[offset]
        if byte >= 0x20, byte < 0x7F { return "'\(Character(Unicode.Scalar(byte)))'" }
        let hex = String(byte, radix: 16, uppercase: true)
        return "byte 0x\(byte < 16 ? "0" : "")\(hex)"
    }

    mutating func skipWhitespace() {
        while index < bytes.count {
            switch bytes[index] {
            case 0x20, 0x09, 0x0A, 0x0D: index += 1
            default: return
            }
        }
    }

    mutating func readValue(depth: Int) throws(ModelError) -> JSONValue {
        guard index < bytes.count else {
            throw error(at: index, "expected a JSON value, found the end of the input")
        }
        switch bytes[index] {
        case UInt8(ascii: "{"): return try readObject(depth: depth + 1)
        case UInt8(ascii: "["): return try readArray(depth: depth + 1)
        case UInt8(ascii: "\""): return .string(try readString())
        case UInt8(ascii: "t"): try readLiteral("true"); return .bool(true)
        case UInt8(ascii: "f"): try readLiteral("false"); return .bool(false)
        case UInt8(ascii: "n"): try readLiteral("null"); return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try readNumber()
        case 0xEF where index + 2 < bytes.count && bytes[index + 1] == 0xBB && bytes[index + 2] == 0xBF:
            throw error(at: index, "expected a JSON value, found a UTF-8 byte order mark (not allowed)")
        default:
            throw error(at: index, "expected a JSON value, found \(describeByte(at: index))")
        }
    }

    private mutating func readLiteral(_ literal: StaticString) throws(ModelError) {
        let start = index
        let count = literal.utf8CodeUnitCount
        let text = UnsafeBufferPointer(start: literal.utf8Start, count: count)
        for offset in 0..<count where start + offset >= bytes.count || bytes[start + offset] != text[offset] {
            throw error(at: start + offset, "expected '\(literal)', found \(describeByte(at: start + offset))")
        }
        index += count
    }

    private mutating func enter(_ depth: Int) throws(ModelError) {
        if depth > depthMax {
            throw ModelError(.limitExceeded, path: "JSON", offset: index, "nesting deeper than \(depthMax) levels")
        }
    }

    private mutating func readArray(depth: Int) throws(ModelError) -> JSONValue {
        try enter(depth)
        index += 1  // [
        var elements: [JSONValue] = []
        elements.reserveCapacity(4)
        skipWhitespace()
        if index < bytes.count, bytes[index] == UInt8(ascii: "]") {
            index += 1
            return .array(elements)
        }
        while true {
            skipWhitespace()
            elements.append(try readValue(depth: depth))
            skipWhitespace()
            guard index < bytes.count else {
                throw error(at: index, "expected ',' or ']' in an array, found the end of the input")
            }
            switch bytes[index] {
            case UInt8(ascii: ","): index += 1
            case UInt8(ascii: "]"): index += 1; return .array(elements)
            default: throw error(at: index, "expected ',' or ']' in an array, found \(describeByte(at: index))")
            }
        }
    }

    private mutating func readObject(depth: Int) throws(ModelError) -> JSONValue {
        try enter(depth)
        index += 1  // {
        var entries: [JSONObject.Entry] = []
        entries.reserveCapacity(8)
        skipWhitespace()
        if index < bytes.count, bytes[index] == UInt8(ascii: "}") {
            index += 1
            return .object(JSONObject())
        }
        while true {
            skipWhitespace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else {
                throw error(at: index, "expected a string key in an object, found \(describeByte(at: index))")
            }
            let key = try readString()
            skipWhitespace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else {
                throw error(at: index, "expected ':' after an object key, found \(describeByte(at: index))")
            }
            index += 1
            skipWhitespace()
            let value = try readValue(depth: depth)
            entries.append(JSONObject.Entry(key: key, value: value))
            skipWhitespace()
            guard index < bytes.count else {
                throw error(at: index, "expected ',' or '}' in an object, found the end of the input")
            }
            switch bytes[index] {
            case UInt8(ascii: ","): index += 1
            case UInt8(ascii: "}"): index += 1; return .object(JSONObject(unsortedEntries: entries))
            default: throw error(at: index, "expected ',' or '}' in an object, found \(describeByte(at: index))")
            }
        }
    }
}
