// Strings and numbers for `JSONReader`: the two tokens with real grammar inside them.

extension JSONReader {
    /// Reads a string token starting at the opening quote; leaves `index` after the closing quote.
    mutating func readString() throws(ModelError) -> String {
        let start = index
        index += 1
        let contentStart = index
        // Fast path: no escapes, so the content is the bytes as they stand.
        var allBits: UInt8 = 0
        while index < bytes.count {
            let byte = bytes[index]
            allBits |= byte
            if byte == UInt8(ascii: "\"") {
                let content = UnsafeBufferPointer(rebasing: bytes[contentStart..<index])
                // ASCII needs no validation.
                let text = allBits < 0x80 ? String(decoding: content, as: UTF8.self) : try makeString(content, stringStart: start)
                index += 1
                return text
            }
            if byte == UInt8(ascii: "\\") {
                return try readEscapedString(start: start, contentStart: contentStart)
            }
            if byte < 0x20 {
                throw error(at: index, "expected '\"' or more string content, found \(describeByte(at: index)) (control characters must be escaped)")
            }
            index += 1
        }
        throw error(at: start, "unterminated string: expected a closing '\"' before the end of the input")
    }

    private func makeString(_ content: UnsafeBufferPointer<UInt8>, stringStart: Int) throws(ModelError) -> String {
        guard let text = UTF8Validation.string(content) else {
            throw error(at: stringStart, "invalid UTF-8 in the string starting here")
        }
        return text
    }

    private mutating func readEscapedString(start: Int, contentStart: Int) throws(ModelError) -> String {
        var content: [UInt8] = Array(bytes[contentStart..<index])
        content.reserveCapacity(content.count + 32)
        while index < bytes.count {
            let byte = bytes[index]
            switch byte {
            case UInt8(ascii: "\""):
                index += 1
                let text: String? = content.withUnsafeBufferPointer { UTF8Validation.string($0) }
                guard let text else { throw error(at: start, "invalid UTF-8 in the string starting here") }
                return text
            case UInt8(ascii: "\\"):
                try readEscape(into: &content)
            case 0x00..<0x20:
                throw error(at: index, "expected '\"' or more string content, found \(describeByte(at: index)) (control characters must be escaped)")
            default:
                content.append(byte)
                index += 1
            }
        }
        throw error(at: start, "unterminated string: expected a closing '\"' before the end of the input")
    }

    /// Reads one escape sequence starting at the backslash and appends its UTF-8 to `content`.
    private mutating func readEscape(into content: inout [UInt8]) throws(ModelError) {
        let escapeStart = index
        index += 1
        guard index < bytes.count else {
            throw error(at: index, "expected an escape character after '\\', found the end of the input")
        }
        let letter = bytes[index]
        index += 1
        switch letter {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): content.append(letter)
        case UInt8(ascii: "b"): content.append(0x08)
        case UInt8(ascii: "f"): content.append(0x0C)
        case UInt8(ascii: "n"): content.append(0x0A)
        case UInt8(ascii: "r"): content.append(0x0D)
        case UInt8(ascii: "t"): content.append(0x09)
        case UInt8(ascii: "u"):
            let unit = try readHex4()
            var scalar: Unicode.Scalar
            switch unit {
            case 0xD800...0xDBFF:
                // A high surrogate must be followed by `\u` and a low one; otherwise it is lone.
                if index + 6 <= bytes.count, bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u"),
                   let low = hex4(at: index + 2), (0xDC00...0xDFFF).contains(low)
                {
                    index += 6
                    let combined = 0x10000 + ((UInt32(unit) - 0xD800) << 10) + (UInt32(low) - 0xDC00)
                    scalar = Unicode.Scalar(combined) ?? "\u{FFFD}"
                } else {
                    scalar = "\u{FFFD}"
                }
            case 0xDC00...0xDFFF:
                scalar = "\u{FFFD}"
            default:
                scalar = Unicode.Scalar(unit) ?? "\u{FFFD}"
            }
            UTF8.encode(scalar) { content.append($0) }
        default:
            throw error(at: escapeStart, "expected one of \\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX, found '\\' followed by \(describeByte(at: escapeStart + 1))")
        }
    }

    private mutating func readHex4() throws(ModelError) -> UInt16 {
        guard let value = hex4(at: index) else {
            throw error(at: index, "expected four hexadecimal digits after '\\u'")
        }
        index += 4
        return value
    }

    private func hex4(at offset: Int) -> UInt16? {
        guard offset + 4 <= bytes.count else { return nil }
        var value: UInt16 = 0
        for position in offset..<offset + 4 {
            let byte = bytes[position]
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: return nil
            }
            value = value << 4 | UInt16(digit)
        }
        return value
    }

    private func isDigit(at offset: Int) -> Bool {
        offset < bytes.count && bytes[offset] >= UInt8(ascii: "0") && bytes[offset] <= UInt8(ascii: "9")
    }

    private mutating func skipDigits() {
        while isDigit(at: index) { index += 1 }
    }

    /// Reads a number token: `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`.
    mutating func readNumber() throws(ModelError) -> JSONValue {
        let start = index
        let negative = bytes[index] == UInt8(ascii: "-")
        if negative { index += 1 }
        guard isDigit(at: index) else {
            throw error(at: index, "expected a digit after '-', found \(describeByte(at: index))")
        }
        if bytes[index] == UInt8(ascii: "0") {
            index += 1
            if isDigit(at: index) { throw error(at: start, "numbers must not have leading zeros") }
        } else {
            skipDigits()
        }
        let integerEnd = index
        var fractionRange = index..<index
        var exponentRange = index..<index
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            index += 1
            guard isDigit(at: index) else {
                throw error(at: index, "expected a digit after '.', found \(describeByte(at: index))")
            }
            let fractionStart = index
            skipDigits()
            fractionRange = fractionStart..<index
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") {
            index += 1
            let exponentStart = index
            if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") { index += 1 }
            guard isDigit(at: index) else {
                throw error(at: index, "expected a digit in the exponent, found \(describeByte(at: index))")
            }
            skipDigits()
            exponentRange = exponentStart..<index
        }
        let integerStart = negative ? start + 1 : start
        if fractionRange.isEmpty, exponentRange.isEmpty, let integer = int64(integerStart..<integerEnd, negative: negative) {
            return .integer(integer)
        }
        if let fast = fastDouble(integer: integerStart..<integerEnd, fraction: fractionRange, exponent: exponentRange) {
            return .number(negative ? -fast : fast)
        }
        let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
        guard let value = Double(text), value.isFinite else {
            throw error(at: start, "number \(text) is out of the range of a 64-bit floating point value")
        }
        return .number(value)
    }

    /// The digits in `range` as an `Int64`, or nil when they do not fit.
    private func int64(_ range: Range<Int>, negative: Bool) -> Int64? {
        guard range.count <= 19 else { return nil }
        var magnitude: UInt64 = 0
        for position in range {
            magnitude = magnitude * 10 + UInt64(bytes[position] &- UInt8(ascii: "0"))
        }
        if negative {
            if magnitude <= UInt64(Int64.max) { return -Int64(magnitude) }
            return magnitude == UInt64(Int64.max) + 1 ? Int64.min : nil
        }
        return magnitude <= UInt64(Int64.max) ? Int64(magnitude) : nil
    }

    /// Clinger's fast path: when the significant digits fit in 2^53 and the power of ten is at
    /// most 10^22, both are exact doubles and one multiplication or division rounds correctly.
    /// Returns nil when the slow, general conversion is needed.
    private func fastDouble(integer: Range<Int>, fraction: Range<Int>, exponent: Range<Int>) -> Double? {
        var mantissa: UInt64 = 0
        var significant = 0
        for position in integer.lowerBound..<fraction.upperBound {
            if position >= integer.upperBound, position < fraction.lowerBound { continue }  // the '.'
            let digit = UInt64(bytes[position] &- UInt8(ascii: "0"))
            if significant > 0 || digit != 0 { significant += 1 }
            if significant > 15 { return nil }
            mantissa = mantissa * 10 + digit
        }
        var exponentValue = 0
        if !exponent.isEmpty {
            var position = exponent.lowerBound
            var exponentNegative = false
            if bytes[position] == UInt8(ascii: "-") || bytes[position] == UInt8(ascii: "+") {
                exponentNegative = bytes[position] == UInt8(ascii: "-")
                position += 1
            }
            guard exponent.upperBound - position <= 4 else { return nil }
            while position < exponent.upperBound {
                exponentValue = exponentValue * 10 + Int(bytes[position] &- UInt8(ascii: "0"))
                position += 1
            }
            if exponentNegative { exponentValue = -exponentValue }
        }
        if mantissa == 0 { return 0 }
        let power = exponentValue - fraction.count
        guard power >= -22, power <= 22 else { return nil }
        let value = Double(mantissa)
        return power < 0 ? value / powersOfTen[-power] : value * powersOfTen[power]
    }
}

/// 10^0 through 10^22, every one exactly representable as a `Double`.
private let powersOfTen: [Double] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
    1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
]
