/// Splits a condition's text into tokens, one at a time, on demand of the parser.
///
/// Works on the UTF-8 bytes; every token starts and ends on a Unicode scalar boundary, since all
/// the bytes it stops at are ASCII.
struct ConditionLexer {
    let source: ConditionSource
    private var index = 0

    init(_ source: ConditionSource) {
        self.source = source
    }

    private var bytes: [UInt8] { source.bytes }

    /// The next token, or `.end` (repeatedly) after the last one.
    mutating func next() throws(LogicError) -> ConditionToken {
        while index < bytes.count, Self.isSpace(bytes[index]) { index += 1 }
        let start = index
        guard index < bytes.count else { return ConditionToken(kind: .end, start: start) }
        let byte = bytes[index]
        let kind: ConditionToken.Kind
        if Self.isWordStart(byte) {
            kind = try word()
        } else if Self.isDigit(byte) {
            kind = try number()
        } else if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "'") {
            kind = .string(try string())
        } else {
            kind = .symbol(try symbol())
        }
        return ConditionToken(kind: kind, start: start)
    }

    // MARK: - Words and field references

    /// A name, or a field reference when the name is followed by `@`.
    private mutating func word() throws(LogicError) -> ConditionToken.Kind {
        let start = index
        while index < bytes.count, Self.isWordByte(bytes[index]) { index += 1 }
        guard index < bytes.count, bytes[index] == UInt8(ascii: "@") else {
            return .word(String(decoding: bytes[start..<index], as: UTF8.self))
        }
        index += 1
        index = FieldReference.conditionTextEnd(in: bytes, pathStart: index)
        let text = String(decoding: bytes[start..<index], as: UTF8.self)
        do {
            return .reference(try FieldReference(parsing: text))
        } catch {
            throw source.error(at: start, "invalid field reference: \(error.message)")
        }
    }

    // MARK: - Numbers and durations

    /// `12`, `0.5`, `2.5e-3`, or a duration `15m`; the sign is the parser's business.
    private mutating func number() throws(LogicError) -> ConditionToken.Kind {
        let start = index
        skipDigits()
        var isInteger = true
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            index += 1
            guard index < bytes.count, Self.isDigit(bytes[index]) else { throw source.error(at: index, "expected a digit after '.'") }
            skipDigits()
            isInteger = false
        }
        if index < bytes.count, bytes[index] | 0x20 == UInt8(ascii: "e"),
           index + 1 < bytes.count, Self.isDigit(bytes[index + 1]) || bytes[index + 1] == UInt8(ascii: "+") || bytes[index + 1] == UInt8(ascii: "-")
        {
            index += 1
            if bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") { index += 1 }
            guard index < bytes.count, Self.isDigit(bytes[index]) else { throw source.error(at: index, "expected a digit in the exponent") }
            skipDigits()
            isInteger = false
        }
        let digitsEnd = index
        guard index < bytes.count, Self.isWordByte(bytes[index]) else {
            return .number(String(decoding: bytes[start..<digitsEnd], as: UTF8.self))
        }
        // A unit right after the digits makes a duration.
        let unitStart = index
        while index < bytes.count, Self.isWordByte(bytes[index]) { index += 1 }
        let unit = String(decoding: bytes[unitStart..<index], as: UTF8.self).lowercased()
        guard let unitMicros = Self.durationUnits[unit] else {
            throw source.error(at: unitStart, "expected a duration unit (s, m, h or d) or a space after the number")
        }
        guard isInteger else { throw source.error(at: start, "a duration is a whole number of units (write 90m, not 1.5h)") }
        guard let count = Int64(String(decoding: bytes[start..<digitsEnd], as: UTF8.self)) else {
            throw source.error(at: start, "duration out of range")
        }
        let (micros, overflow) = count.multipliedReportingOverflow(by: unitMicros)
        guard !overflow else { throw source.error(at: start, "duration out of range") }
        return .duration(micros: micros)
    }

    /// Microseconds per duration unit.
    static let durationUnits: [String: Int64] = ["s": 1_000_000, "m": 60_000_000, "h": 3_600_000_000, "d": 86_400_000_000]

    private mutating func skipDigits() {
        while index < bytes.count, Self.isDigit(bytes[index]) { index += 1 }
    }

    // MARK: - Strings

    /// A string in single or double quotes, with JSON's escapes plus `\'`.
    private mutating func string() throws(LogicError) -> String {
        let start = index
        let quote = bytes[index]
        index += 1
        var output: [UInt8] = []
        while true {
            guard index < bytes.count else { throw source.error(at: start, "unterminated string: expected a closing \(quote == UInt8(ascii: "'") ? "'" : "\"")") }
            let byte = bytes[index]
            if byte == quote {
                index += 1
                return String(decoding: output, as: UTF8.self)
            }
            guard byte == UInt8(ascii: "\\") else {
                output.append(byte)
                index += 1
                continue
            }
            let escapeStart = index
            index += 1
            guard index < bytes.count else { throw source.error(at: escapeStart, "expected an escape after '\\'") }
            let escaped = bytes[index]
            index += 1
            switch escaped {
            case UInt8(ascii: "\""), UInt8(ascii: "'"), UInt8(ascii: "\\"), UInt8(ascii: "/"): output.append(escaped)
            case UInt8(ascii: "b"): output.append(0x08)
            case UInt8(ascii: "f"): output.append(0x0C)
            case UInt8(ascii: "n"): output.append(0x0A)
            case UInt8(ascii: "r"): output.append(0x0D)
            case UInt8(ascii: "t"): output.append(0x09)
            case UInt8(ascii: "u"):
                let scalar = try unicodeEscape(escapeStart)
                output.append(contentsOf: String(Character(scalar)).utf8)
            default:
                throw source.error(at: escapeStart, "unknown escape; expected one of \\\" \\' \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX")
            }
        }
    }

    /// The scalar of `\uXXXX` (the `\u` already read), or of a surrogate pair `\uD83D\uDE00`.
    private mutating func unicodeEscape(_ escapeStart: Int) throws(LogicError) -> Unicode.Scalar {
        let first = try hex4(escapeStart)
        if (0xDC00...0xDFFF).contains(first) { throw source.error(at: escapeStart, "a low surrogate without a high one before it") }
        guard (0xD800...0xDBFF).contains(first) else {
            // Every value outside the surrogates is a scalar.
            return Unicode.Scalar(first)!
        }
        guard index + 1 < bytes.count, bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u") else {
            throw source.error(at: escapeStart, "a high surrogate must be followed by a low one (\\uDC00-\\uDFFF)")
        }
        index += 2
        let second = try hex4(escapeStart)
        guard (0xDC00...0xDFFF).contains(second) else {
            throw source.error(at: escapeStart, "a high surrogate must be followed by a low one (\\uDC00-\\uDFFF)")
        }
        return Unicode.Scalar(0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00))!
    }

    private mutating func hex4(_ escapeStart: Int) throws(LogicError) -> UInt32 {
        var value: UInt32 = 0
        for _ in 0..<4 {
            guard index < bytes.count, let digit = Self.hexValue(bytes[index]) else {
                throw source.error(at: escapeStart, "expected four hex digits after \\u")
            }
            value = value << 4 | digit
            index += 1
        }
        return value
    }

    // MARK: - Symbols

    private mutating func symbol() throws(LogicError) -> ConditionToken.Symbol {
        let start = index
        let byte = bytes[index]
        let next = index + 1 < bytes.count ? bytes[index + 1] : 0
        index += 1
        func pair(_ symbol: ConditionToken.Symbol) -> ConditionToken.Symbol {
            index += 1
            return symbol
        }
        switch byte {
        case UInt8(ascii: "("): return .openParen
        case UInt8(ascii: ")"): return .closeParen
        case UInt8(ascii: "["): return .openBracket
        case UInt8(ascii: "]"): return .closeBracket
        case UInt8(ascii: "{"): return .openBrace
        case UInt8(ascii: "}"): return .closeBrace
        case UInt8(ascii: ","): return .comma
        case UInt8(ascii: ":"): return .colon
        case UInt8(ascii: "+"): return .plus
        case UInt8(ascii: "-"): return .minus
        case UInt8(ascii: "="):
            // `=>` and `=<` are Tracardi's spellings of `>=` and `<=`.
            switch next {
            case UInt8(ascii: "="): return pair(.equal)
            case UInt8(ascii: ">"): return pair(.greaterOrEqual)
            case UInt8(ascii: "<"): return pair(.lessOrEqual)
            default: throw source.error(at: start, "a single '=' is not an operator; expected '=='")
            }
        case UInt8(ascii: "!"):
            guard next == UInt8(ascii: "=") else { throw source.error(at: start, "expected '!=' (negation is the keyword NOT)") }
            return pair(.notEqual)
        case UInt8(ascii: "<"):
            if next == UInt8(ascii: "=") { return pair(.lessOrEqual) }
            if next == UInt8(ascii: ">") { return pair(.notEqual) }
            return .less
        case UInt8(ascii: ">"):
            return next == UInt8(ascii: "=") ? pair(.greaterOrEqual) : .greater
        default:
            throw source.error(at: start, "unexpected character; expected a field (profile@...), a literal, a function, an operator or a parenthesis")
        }
    }

    // MARK: - Bytes

    static func isSpace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D
    }

    static func isDigit(_ byte: UInt8) -> Bool {
        byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
    }

    static func isWordStart(_ byte: UInt8) -> Bool {
        let lower = byte | 0x20
        return (lower >= UInt8(ascii: "a") && lower <= UInt8(ascii: "z")) || byte == UInt8(ascii: "_")
    }

    static func isWordByte(_ byte: UInt8) -> Bool {
        isWordStart(byte) || isDigit(byte)
    }

    private static func hexValue(_ byte: UInt8) -> UInt32? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): UInt32(byte - UInt8(ascii: "0"))
        case UInt8(ascii: "a")...UInt8(ascii: "f"): UInt32(byte - UInt8(ascii: "a") + 10)
        case UInt8(ascii: "A")...UInt8(ascii: "F"): UInt32(byte - UInt8(ascii: "A") + 10)
        default: nil
        }
    }
}
