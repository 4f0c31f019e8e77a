import Glibc

/// The one error type of `CairnLog`.
///
/// Operating errors (disk full, I/O failure, corruption found on disk, overload) are thrown as a
/// `LogError`; programmer errors (a negative count, an API used after `close()` where documented)
/// trap. `code` is stable and meant for `switch`/`==`; `message` is for humans and names what was
/// wrong and where.
public struct LogError: Error, CustomStringConvertible, Sendable {
    /// What went wrong, in a form callers can match on. New codes may be added.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Value: String, Sendable {
            case io, noSpace, corrupted, overloaded, closed, invalidArgument, invalidConfiguration
            case locked, failed, notFound
        }
        private let value: Value
        private init(_ value: Value) { self.value = value }

        /// A read, write, sync or other file operation failed (EIO and friends).
        public static let io = Code(.io)
        /// The file system is full (ENOSPC, EDQUOT). Appends fail until space returns.
        public static let noSpace = Code(.noSpace)
        /// Data on disk failed a check (CRC, hash chain, framing) where it cannot be a torn tail.
        public static let corrupted = Code(.corrupted)
        /// The append queue is full; retry later.
        public static let overloaded = Code(.overloaded)
        /// The log was closed.
        public static let closed = Code(.closed)
        /// An argument was out of range (a record larger than the limit, an offset past the end).
        public static let invalidArgument = Code(.invalidArgument)
        /// A configuration value is out of range.
        public static let invalidConfiguration = Code(.invalidConfiguration)
        /// Another process holds the log directory's lock.
        public static let locked = Code(.locked)
        /// The writer could not re-establish a consistent state after a disk error.
        public static let failed = Code(.failed)
        /// A file or directory does not exist.
        public static let notFound = Code(.notFound)

        public var description: String { value.rawValue }
    }

    public let code: Code
    /// A sentence naming what was wrong and where.
    public let message: String
    /// The file the error concerns, when there is one.
    public let path: String?
    /// The `errno` behind an I/O error, when there is one.
    public let errno: Int32?

    public init(_ code: Code, _ message: String, path: String? = nil, errno: Int32? = nil) {
        self.code = code
        self.message = message
        self.path = path
        self.errno = errno
    }

    /// An error for a failed system call, classified by `errno`.
    static func system(_ call: String, path: String?, errno err: Int32) -> LogError {
        let code: Code
        switch err {
        case ENOSPC, EDQUOT: code = .noSpace
        case ENOENT: code = .notFound
        default: code = .io
        }
        let reason = String(cString: strerror(err))
        let location = path.map { " on \($0)" } ?? ""
        return LogError(code, "\(call) failed\(location): \(reason) (errno \(err))", path: path, errno: err)
    }

    public var description: String { "\(code): \(message)" }
}
