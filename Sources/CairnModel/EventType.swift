/// The type of an event (`page-view`, `purchase`), always in normalized form.
///
/// Normalization, the same for every way an event enters Cairn, follows Tracardi's convention of
/// lower-case, dash-separated names:
///
/// 1. leading and trailing white space (including tabs and newlines) is trimmed;
/// 2. letters are lower-cased (Unicode full case mapping, `"ÄPFEL"` → `"äpfel"`);
/// 3. each remaining space (U+0020) becomes `-` (`"Order Completed"` → `"order-completed"`).
///
/// The result must be non-empty, at most ``bytesMax`` bytes of UTF-8 and free of control
/// characters (Unicode category Cc, e.g. a tab inside the name).
///
/// ```swift
/// let type = try EventType(" Page View ")   // "page-view"
/// ```
public struct EventType: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The longest normalized type, in bytes of UTF-8.
    public static let bytesMax = 128

    /// The normalized name.
    public let rawValue: String

    /// Normalizes `text` (see the type's documentation).
    ///
    /// - Throws: ``ModelError`` with code `invalidEventType`.
    public init(_ text: String) throws(ModelError) {
        rawValue = try Self.normalize(text)
    }

    /// Wraps a name that is already normalized; nil if `normalize(rawValue) != rawValue`.
    public init?(normalized rawValue: String) {
        guard let normalized = try? Self.normalize(rawValue), compareUTF8(normalized, rawValue) == 0 else { return nil }
        self.rawValue = rawValue
    }

    /// The normalized form of `text`.
    ///
    /// - Throws: ``ModelError`` with code `invalidEventType` when the result is empty, longer
    ///   than ``bytesMax`` bytes, or contains a control character.
    public static func normalize(_ text: String) throws(ModelError) -> String {
        if isNormalizedASCII(text) { return text }
        let scalars = text.unicodeScalars
        guard let first = scalars.firstIndex(where: { !$0.properties.isWhitespace }),
              let last = scalars.lastIndex(where: { !$0.properties.isWhitespace })
        else {
            throw ModelError(.invalidEventType, "event type is empty")
        }
        let trimmed = String(scalars[first...last])
        if let control = trimmed.unicodeScalars.first(where: { $0.properties.generalCategory == .control }) {
            let code = String(control.value, radix: 16, uppercase: true)
            let padded = String(repeating: "0", count: max(0, 4 - code.count)) + code
            throw ModelError(.invalidEventType, "event type contains the control character U+\(padded)")
        }
        var view = String.UnicodeScalarView()
        for scalar in trimmed.lowercased().unicodeScalars {
            view.append(scalar == " " ? "-" : scalar)
        }
        let normalized = String(view)
        let length = normalized.utf8.count
        guard length <= bytesMax else {
            throw ModelError(.invalidEventType, "event type is \(length) bytes long; the limit is \(bytesMax)")
        }
        return normalized
    }

    /// The common case, checked cheaply: 1 to `bytesMax` printable ASCII bytes other than
    /// space and upper-case letters, which normalization leaves as they are.
    private static func isNormalizedASCII(_ text: String) -> Bool {
        let utf8 = text.utf8
        guard !utf8.isEmpty, utf8.count <= bytesMax else { return false }
        return utf8.allSatisfy { $0 > 0x20 && $0 < 0x7F && !($0 >= UInt8(ascii: "A") && $0 <= UInt8(ascii: "Z")) }
    }

    public var description: String { rawValue }

    public static func < (left: EventType, right: EventType) -> Bool {
        compareUTF8(left.rawValue, right.rawValue) < 0
    }

    public static func == (left: EventType, right: EventType) -> Bool {
        compareUTF8(left.rawValue, right.rawValue) == 0
    }

    public func hash(into hasher: inout Hasher) {
        for byte in rawValue.utf8 { hasher.combine(byte) }
    }
}

extension EventType: ExpressibleByStringLiteral {
    /// A type from a literal in the source, normalized. Traps if the literal is not a valid type
    /// (a programmer error).
    public init(stringLiteral value: String) {
        do {
            try self.init(value)
        } catch {
            preconditionFailure("invalid event type literal \"\(value)\": \(error)")
        }
    }
}
