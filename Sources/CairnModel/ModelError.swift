/// The one error type of `CairnModel`.
///
/// Everything in this module that can fail on input it does not control (JSON text, binary
/// records read back from the log, tracker payloads) throws a `ModelError`; misuse of the API
/// by the caller (a programmer error) traps instead, and the doc comment of each such API says so.
///
/// `code` is stable and meant for `switch`/`==`. `path` names the field the error concerns in
/// dotted form (`events[2].type`, `EventRecord.sessionID`) or is empty when the error concerns the
/// input as a whole; `offset` is the byte position in the input where the problem was found, when
/// there is one. `description` puts them together:
///
///     events[2].type: expected a non-empty string
///     JSON at byte 17: expected ':' after an object key, found '}'
///
/// Mapping these to HTTP statuses is the server's business, not this module's.
public struct ModelError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What went wrong, in a form callers can match on. New codes may be added.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Value: String, Sendable {
            case invalidJSON, limitExceeded, invalidField, invalidEventType, malformedRecord, unsupportedVersion
        }
        private let value: Value
        private init(_ value: Value) { self.value = value }

        /// The input is not valid JSON text (RFC 8259), or not valid UTF-8.
        public static let invalidJSON = Code(.invalidJSON)
        /// The input is larger, deeper or longer than a documented limit allows.
        public static let limitExceeded = Code(.limitExceeded)
        /// A payload field is missing or has the wrong type or value.
        public static let invalidField = Code(.invalidField)
        /// An event type is empty, too long or contains control characters.
        public static let invalidEventType = Code(.invalidEventType)
        /// A binary record or binary JSON value is truncated, has trailing bytes or breaks a rule
        /// of its format (a bad tag, a non-minimal varint, unsorted keys, invalid UTF-8).
        public static let malformedRecord = Code(.malformedRecord)
        /// A binary record carries a format version this build does not know (written by a newer Cairn).
        public static let unsupportedVersion = Code(.unsupportedVersion)

        public var description: String { value.rawValue }
    }

    public let code: Code
    /// The field the error concerns, dotted (`events[2].type`), or empty for the input as a whole.
    public let path: String
    /// The byte position in the input where the problem was found, when there is one.
    public let offset: Int?
    /// A sentence saying what was expected and what was found.
    public let message: String

    public init(_ code: Code, path: String = "", offset: Int? = nil, _ message: String) {
        self.code = code
        self.path = path
        self.offset = offset
        self.message = message
    }

    public var description: String {
        var location = path
        if let offset {
            location += location.isEmpty ? "byte \(offset)" : " at byte \(offset)"
        }
        return location.isEmpty ? message : "\(location): \(message)"
    }

    /// The same error with `prefix` put in front of its path (`prefix.path`, or `prefix[3]` for an index).
    func prefixed(with prefix: String) -> ModelError {
        let joined: String
        if path.isEmpty {
            joined = prefix
        } else if path.hasPrefix("[") {
            joined = prefix + path
        } else {
            joined = prefix + "." + path
        }
        return ModelError(code, path: joined, offset: offset, message)
    }
}
