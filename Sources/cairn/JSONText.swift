import CairnModel
import Foundation

/// Minimal JSON text building for the CLI's line output.
enum JSONText {
    /// A JSON string literal for `bytes` when they are valid UTF-8, else nil.
    static func string(utf8 bytes: some Collection<UInt8>) -> String? {
        guard let text = String(validating: bytes, as: UTF8.self) else { return nil }
        return String(decoding: JSONValue.string(text).serialized(), as: UTF8.self)
    }

    /// Standard base64 with padding.
    static func base64(_ bytes: [UInt8]) -> String {
        Data(bytes).base64EncodedString()
    }

    /// `"name":value` for bytes: a string when UTF-8, else `"name_base64":"…"`; `null` for nil.
    static func bytesField(_ name: String, _ bytes: [UInt8]?) -> String {
        guard let bytes else { return "\"\(name)\":null" }
        if let text = string(utf8: bytes) { return "\"\(name)\":\(text)" }
        return "\"\(name)_base64\":\"\(base64(bytes))\""
    }
}
