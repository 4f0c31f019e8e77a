import CairnModel

/// A reference to a field of the data a condition or an action works on, written as in Tracardi:
/// `profile@traits.city`, `event@properties.items[0].price`, `session@context.page["url"]`,
/// `payload@data`, `memory@step.result`.
///
/// The part after `@` is a path of object keys separated by dots, with `[N]` for an array index
/// and `["key"]` for a key that contains dots, brackets or spaces (JSON string escapes allowed).
/// An empty path (`event@`) refers to the whole value.
public struct FieldReference: Sendable, Hashable, CustomStringConvertible {
    /// What the path starts from.
    public enum Root: String, Sendable, CaseIterable {
        case profile, event, session, payload, memory
    }

    public enum Component: Sendable, Hashable {
        case key(String)
        case index(Int)
    }

    public let root: Root
    public let path: [Component]

    public init(root: Root, path: [Component]) {
        self.root = root
        self.path = path
    }

    /// Parses a reference; throws naming the position and what was expected.
    public init(parsing text: String) throws(LogicError) {
        let bytes = Array(text.utf8)
        guard let at = bytes.firstIndex(of: UInt8(ascii: "@")) else {
            throw LogicError(.invalidReference, "'\(text)': expected ROOT@PATH with ROOT one of \(Root.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        let rootName = String(decoding: bytes[..<at], as: UTF8.self)
        guard let root = Root(rawValue: rootName) else {
            throw LogicError(.invalidReference, "'\(text)': unknown root '\(rootName)', expected one of \(Root.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        self.root = root
        self.path = try Self.parsePath(bytes, from: at + 1, text: text)
    }

    /// The text form, which parses back to an equal reference.
    public var description: String {
        var text = root.rawValue + "@"
        for (i, component) in path.enumerated() {
            switch component {
            case .index(let index): text += "[\(index)]"
            case .key(let key) where Self.isPlain(key):
                text += (i == 0 ? "" : ".") + key
            case .key(let key):
                text += "[" + String(decoding: JSONValue.string(key).serialized(), as: UTF8.self) + "]"
            }
        }
        return text
    }

    /// The value at `path` below `value`, or nil when any step is missing or of the wrong kind.
    public func resolve(in value: JSONValue) -> JSONValue? {
        var current = value
        for component in path {
            switch (component, current) {
            case (.key(let key), .object(let object)):
                guard let next = object[key] else { return nil }
                current = next
            case (.index(let index), .array(let elements)):
                guard index >= 0, index < elements.count else { return nil }
                current = elements[index]
            default:
                return nil
            }
        }
        return current
    }

    private static func isPlain(_ key: String) -> Bool {
        !key.isEmpty && key.utf8.allSatisfy { byte in
            byte != UInt8(ascii: ".") && byte != UInt8(ascii: "[") && byte != UInt8(ascii: "]") && byte > 0x20 && byte != UInt8(ascii: "\"")
        }
    }

    private static func parsePath(_ bytes: [UInt8], from start: Int, text: String) throws(LogicError) -> [Component] {
        var path: [Component] = []
        var index = start
        func fail(_ expected: String) -> LogicError {
            LogicError(.invalidReference, "'\(text)' at position \(index): expected \(expected)")
        }
        while index < bytes.count {
            if bytes[index] == UInt8(ascii: "[") {
                index += 1
                if index < bytes.count, bytes[index] == UInt8(ascii: "\"") {
                    // A quoted key: a JSON string up to the closing quote.
                    var end = index + 1
                    while end < bytes.count, bytes[end] != UInt8(ascii: "\"") { end += bytes[end] == UInt8(ascii: "\\") ? 2 : 1 }
                    guard end < bytes.count, case .string(let key)? = try? JSONParser.parse(Array(bytes[index...end])) else {
                        throw fail("a JSON string key")
                    }
                    path.append(.key(key))
                    index = end + 1
                } else {
                    var end = index
                    while end < bytes.count, bytes[end] >= UInt8(ascii: "0"), bytes[end] <= UInt8(ascii: "9") { end += 1 }
                    guard end > index, end - index <= 9, let number = Int(String(decoding: bytes[index..<end], as: UTF8.self)) else {
                        throw fail("an array index or a quoted key")
                    }
                    path.append(.index(number))
                    index = end
                }
                guard index < bytes.count, bytes[index] == UInt8(ascii: "]") else { throw fail("']'") }
                index += 1
            } else {
                if !path.isEmpty || index > start {
                    guard bytes[index] == UInt8(ascii: ".") else { throw fail("'.' or '['") }
                    index += 1
                }
                var end = index
                while end < bytes.count, bytes[end] != UInt8(ascii: "."), bytes[end] != UInt8(ascii: "[") {
                    guard bytes[end] > 0x20, bytes[end] != UInt8(ascii: "]"), bytes[end] != UInt8(ascii: "\"") else {
                        index = end
                        throw fail("a key character (quote keys with spaces or brackets: [\"a b\"])")
                    }
                    end += 1
                }
                guard end > index else { throw fail("a key") }
                path.append(.key(String(decoding: bytes[index..<end], as: UTF8.self)))
                index = end
            }
        }
        return path
    }
}

/// The one error type of `CairnLogic`: a code to match on and a message naming what was wrong
/// (and where, for text that was parsed).
public struct LogicError: Error, CustomStringConvertible, Sendable, Equatable {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        public let name: String
        public init(_ name: String) { self.name = name }
        public var description: String { name }

        /// A field reference that does not parse.
        public static let invalidReference = Code("invalidReference")
    }

    public let code: Code
    public let message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(code): \(message)" }
}
