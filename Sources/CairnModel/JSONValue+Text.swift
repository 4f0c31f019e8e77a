// Canonical compact JSON text for `JSONValue`.

extension JSONValue {
    /// The canonical compact JSON text of this value, as UTF-8.
    ///
    /// Canonical means one text per value, whatever the input looked like: no whitespace; object
    /// keys in UTF-8 byte order (they are stored that way); strings escape only `"`, `\` and
    /// control characters (`\b \f \n \r \t`, others as `\u00xx`), everything else is raw UTF-8;
    /// integers in decimal; doubles in the shortest form that reads back to the same bits, always
    /// with a `.` or an exponent so they stay doubles when parsed again (`1.0`, `0.1`, `1e-07`,
    /// `1.2345e+20`). Non-finite doubles are written as `null`.
    ///
    /// `JSONParser.parse(value.serialized()) == value` holds for every value with finite numbers.
    public func serialized() -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(256)
        serialize(into: &output)
        return output
    }

    /// Appends ``serialized()`` to `output`.
    public func serialize(into output: inout [UInt8]) {
        switch self {
        case .null:
            output.append(contentsOf: "null".utf8)
        case .bool(let value):
            output.append(contentsOf: (value ? "true" : "false").utf8)
        case .integer(let value):
            appendDecimal(value, to: &output)
        case .number(let value):
            appendDouble(value, to: &output)
        case .string(let value):
            appendQuoted(value, to: &output)
        case .array(let elements):
            output.append(UInt8(ascii: "["))
            for (position, element) in elements.enumerated() {
                if position > 0 { output.append(UInt8(ascii: ",")) }
                element.serialize(into: &output)
            }
            output.append(UInt8(ascii: "]"))
        case .object(let object):
            output.append(UInt8(ascii: "{"))
            for (position, entry) in object.entries.enumerated() {
                if position > 0 { output.append(UInt8(ascii: ",")) }
                appendQuoted(entry.key, to: &output)
                output.append(UInt8(ascii: ":"))
                entry.value.serialize(into: &output)
            }
            output.append(UInt8(ascii: "}"))
        }
    }
}

/// Appends `value` in decimal.
private func appendDecimal(_ value: Int64, to output: inout [UInt8]) {
    output.append(contentsOf: value.description.utf8)
}

/// Appends the shortest round-trip form of `value` (Swift's `description`, which is
/// locale-independent and always has a `.` or an exponent), or `null` when it is not finite.
private func appendDouble(_ value: Double, to output: inout [UInt8]) {
    guard value.isFinite else {
        output.append(contentsOf: "null".utf8)
        return
    }
    output.append(contentsOf: value.description.utf8)
}

private let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)

/// Appends `text` as a JSON string, quoted and escaped.
func appendQuoted(_ text: String, to output: inout [UInt8]) {
    output.append(UInt8(ascii: "\""))
    var text = text
    text.withUTF8 { bytes in
        var runStart = 0
        for (position, byte) in bytes.enumerated() where byte < 0x20 || byte == 0x22 || byte == 0x5C {
            output.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart..<position]))
            runStart = position + 1
            switch byte {
            case 0x22: output.append(contentsOf: [0x5C, 0x22])
            case 0x5C: output.append(contentsOf: [0x5C, 0x5C])
            case 0x08: output.append(contentsOf: [0x5C, UInt8(ascii: "b")])
            case 0x0C: output.append(contentsOf: [0x5C, UInt8(ascii: "f")])
            case 0x0A: output.append(contentsOf: [0x5C, UInt8(ascii: "n")])
            case 0x0D: output.append(contentsOf: [0x5C, UInt8(ascii: "r")])
            case 0x09: output.append(contentsOf: [0x5C, UInt8(ascii: "t")])
            default:
                output.append(contentsOf: [0x5C, UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0")])
                output.append(hexDigits[Int(byte >> 4)])
                output.append(hexDigits[Int(byte & 0xF)])
            }
        }
        output.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart...]))
    }
    output.append(UInt8(ascii: "\""))
}
