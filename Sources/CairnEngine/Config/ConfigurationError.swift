/// The error of the configuration layer: a code to match on, the object (kind and id), the field
/// and the file it concerns when known, and a message naming what was wrong.
///
/// It stands beside ``EngineError`` rather than inside it because configuration errors carry
/// where they happened (file, object and field), which callers match on and the command line
/// prints.
public struct ConfigurationError: Error, Sendable, Equatable, CustomStringConvertible {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Value: String, Sendable {
            case invalidObject, invalidReference, notFound, conflict, invalidFile, invalidRecord
            case missingKey, invalidKey, decryptionFailed
        }
        private let value: Value
        private init(_ value: Value) { self.value = value }

        /// A field is missing, of the wrong type, or out of range.
        public static let invalidObject = Code(.invalidObject)
        /// A field names an object that does not exist, or a deletion would leave one dangling.
        public static let invalidReference = Code(.invalidReference)
        /// No object of that kind has that id.
        public static let notFound = Code(.notFound)
        /// The object exists already, or two files define the same object.
        public static let conflict = Code(.conflict)
        /// A configuration file cannot be read or parsed.
        public static let invalidFile = Code(.invalidFile)
        /// A configuration record in the log cannot be decoded or does not follow the one before.
        public static let invalidRecord = Code(.invalidRecord)
        /// Credentials must be read or written and no secret key is configured.
        public static let missingKey = Code(.missingKey)
        /// The secret key is malformed, or its file is readable by others.
        public static let invalidKey = Code(.invalidKey)
        /// Sealed credentials do not open: wrong key, another object's credentials, or damage.
        public static let decryptionFailed = Code(.decryptionFailed)

        public var description: String { value.rawValue }
    }

    public let code: Code
    /// The object's kind, when the error concerns one object.
    public let kind: ConfigurationKind?
    /// The object's id, when known.
    public let id: String?
    /// The field, as written in files (`bridge`, `graph.nodes[2].id`), when the error concerns one.
    public let field: String?
    /// The configuration file the object was read from, when it was read from one.
    public let file: String?
    public let message: String

    public init(_ code: Code, kind: ConfigurationKind? = nil, id: String? = nil, field: String? = nil, file: String? = nil, _ message: String) {
        self.code = code
        self.kind = kind
        self.id = id
        self.field = field
        self.file = file
        self.message = message
    }

    /// `sources/web.yaml: event-source "web": bridge: must be one of rest, webhook, import (got "ftp")`.
    public var description: String {
        let subject = [kind?.rawValue, id.flatMap { $0.isEmpty ? nil : quoted($0) }].compactMap { $0 }.joined(separator: " ")
        return ([file, subject.isEmpty ? nil : subject, field].compactMap { $0 } + [message]).joined(separator: ": ")
    }

    /// This error located in `file`.
    func located(in file: String) -> ConfigurationError {
        ConfigurationError(code, kind: kind, id: id, field: field, file: self.file ?? file, message)
    }
}
