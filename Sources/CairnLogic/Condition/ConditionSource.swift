import CairnModel

/// A condition's text as UTF-8, and the errors that point into it.
struct ConditionSource {
    let text: String
    let bytes: [UInt8]

    init(_ text: String) {
        self.text = text
        self.bytes = Array(text.utf8)
    }

    /// An `invalidCondition` error at the UTF-8 offset `byteOffset`: the offset in Unicode scalars,
    /// up to 20 scalars of the text from there, and `message`.
    func error(at byteOffset: Int, _ message: String) -> LogicError {
        LogicError(.invalidCondition, "\(location(byteOffset)): \(message)")
    }

    /// `at offset 12 (near "AND x")`, or `at offset 17 (the end of the text)`.
    func location(_ byteOffset: Int) -> String {
        let offset = min(max(byteOffset, 0), bytes.count)
        let scalars = bytes[..<offset].reduce(0) { count, byte in count + (byte & 0xC0 == 0x80 ? 0 : 1) }
        guard offset < bytes.count else { return "at offset \(scalars) (the end of the text)" }
        var end = offset
        var taken = 0
        while end < bytes.count, taken < 20 {
            end += 1
            while end < bytes.count, bytes[end] & 0xC0 == 0x80 { end += 1 }
            taken += 1
        }
        let near = String(decoding: bytes[offset..<end], as: UTF8.self)
        let quoted = String(decoding: JSONValue.string(near).serialized(), as: UTF8.self)
        return "at offset \(scalars) (near \(quoted)\(end < bytes.count ? "..." : ""))"
    }
}
