import CairnModel

// Field references inside a condition's text. There a reference ends at the first byte that
// cannot be part of it, so its plain keys are narrower than on their own: letters, digits, `_`,
// `-` and any non-ASCII character (`profile@traits.city==` must stop before `==`). Other keys are
// written quoted: `profile@traits["first name"]`.
extension FieldReference {
    /// The UTF-8 offset just past a reference whose path starts at `pathStart` (just after `@`).
    ///
    /// Takes plain key bytes, dots and bracketed parts (`[0]`, `["a b"]`, escapes skipped);
    /// stops at anything else. What it takes may still be malformed (`a..b`, `[x]`):
    /// ``init(parsing:)`` checks it.
    static func conditionTextEnd(in bytes: [UInt8], pathStart: Int) -> Int {
        var index = pathStart
        while index < bytes.count {
            let byte = bytes[index]
            if isConditionKeyByte(byte) || byte == UInt8(ascii: ".") {
                index += 1
            } else if byte == UInt8(ascii: "[") {
                index += 1
                if index < bytes.count, bytes[index] == UInt8(ascii: "\"") {
                    index += 1
                    while index < bytes.count, bytes[index] != UInt8(ascii: "\"") {
                        index += bytes[index] == UInt8(ascii: "\\") ? 2 : 1
                    }
                    index = min(index + 1, bytes.count)
                } else {
                    while index < bytes.count, bytes[index] >= UInt8(ascii: "0"), bytes[index] <= UInt8(ascii: "9") { index += 1 }
                }
                guard index < bytes.count, bytes[index] == UInt8(ascii: "]") else { return index }
                index += 1
            } else {
                break
            }
        }
        return index
    }

    /// Whether `byte` may appear in an unquoted key of a reference inside a condition.
    static func isConditionKeyByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
             UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "_"), UInt8(ascii: "-"), 0x80...:
            true
        default:
            false
        }
    }

    /// The reference as written in a condition: like ``description``, but with every key that
    /// holds a byte outside the condition's plain keys quoted, so the text reads back the same
    /// inside a larger condition.
    var conditionText: String {
        var text = root.rawValue + "@"
        for (position, component) in path.enumerated() {
            switch component {
            case .index(let index):
                text += "[\(index)]"
            case .key(let key) where !key.isEmpty && key.utf8.allSatisfy(Self.isConditionKeyByte):
                text += (position == 0 ? "" : ".") + key
            case .key(let key):
                text += "[" + String(decoding: JSONValue.string(key).serialized(), as: UTF8.self) + "]"
            }
        }
        return text
    }
}
