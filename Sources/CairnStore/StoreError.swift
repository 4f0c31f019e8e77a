import CLMDB
import Glibc

/// The one error type of `CairnStore`.
///
/// Operating errors (the map or the disk is full, I/O failed, the file is damaged, a value does not
/// decode) are thrown as a `StoreError`; programmer errors (a table used with another environment,
/// `writeBlocking` called on the writer thread) trap. `code` is stable and meant for `switch`/`==`;
/// `message` is for humans and names what was wrong and where. LMDB's integer return codes never
/// travel further than this file: `lmdbCode` keeps the original for diagnostics only.
public struct StoreError: Error, CustomStringConvertible, Sendable {
    /// What went wrong, in a form callers can match on. New codes may be added.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Value: String, Sendable {
            case io, noSpace, mapFull, mapResized, notFound, corrupted, incompatible
            case readersFull, tablesFull, transactionFull, keyTooLarge, outOfOrder
            case invalidArgument, invalidConfiguration, closed, failed
        }
        private let value: Value
        private init(_ value: Value) { self.value = value }

        /// A read, write, sync or other file operation failed (EIO and friends, EACCES).
        public static let io = Code(.io)
        /// The file system is full (ENOSPC, EDQUOT).
        public static let noSpace = Code(.noSpace)
        /// The map reached `StoreConfiguration.mapSizeMaxBytes` (`MDB_MAP_FULL` after growth).
        public static let mapFull = Code(.mapFull)
        /// Another process grew the map (`MDB_MAP_RESIZED`); the store is meant for one process.
        public static let mapResized = Code(.mapResized)
        /// The environment directory or a table does not exist (ENOENT, `MDB_NOTFOUND`).
        public static let notFound = Code(.notFound)
        /// A page or a stored key/value failed a check (`MDB_CORRUPTED`, `MDB_PAGE_NOTFOUND`, a
        /// value that its codec cannot decode).
        public static let corrupted = Code(.corrupted)
        /// The file was written by another LMDB version or is not an LMDB file
        /// (`MDB_VERSION_MISMATCH`, `MDB_INVALID`, `MDB_INCOMPATIBLE`).
        public static let incompatible = Code(.incompatible)
        /// Every reader slot is taken (`MDB_READERS_FULL`); see `StoreConfiguration.readersMax`.
        public static let readersFull = Code(.readersFull)
        /// Every table slot is taken (`MDB_DBS_FULL`); see `StoreConfiguration.tablesMax`.
        public static let tablesFull = Code(.tablesFull)
        /// One write transaction dirtied too many pages (`MDB_TXN_FULL`); split it.
        public static let transactionFull = Code(.transactionFull)
        /// A key is empty or longer than LMDB's limit (`MDB_BAD_VALSIZE`, 511 bytes by default).
        public static let keyTooLarge = Code(.keyTooLarge)
        /// `put(..., append: true)` with a key not greater than the table's last key.
        public static let outOfOrder = Code(.outOfOrder)
        /// An argument was out of range (EINVAL).
        public static let invalidArgument = Code(.invalidArgument)
        /// A configuration value is out of range.
        public static let invalidConfiguration = Code(.invalidConfiguration)
        /// The environment was closed.
        public static let closed = Code(.closed)
        /// LMDB reported an internal failure (`MDB_PANIC`, `MDB_BAD_TXN`, ...): close the store.
        public static let failed = Code(.failed)

        public var description: String { value.rawValue }
    }

    public let code: Code
    /// A sentence naming what was wrong and where.
    public let message: String
    /// The table the error concerns, when there is one.
    public let table: String?
    /// LMDB's return code (an `MDB_*` value or an errno), when the error came from LMDB.
    public let lmdbCode: Int32?

    public init(_ code: Code, _ message: String, table: String? = nil, lmdbCode: Int32? = nil) {
        self.code = code
        self.message = message
        self.table = table
        self.lmdbCode = lmdbCode
    }

    public var description: String {
        let location = table.map { " (table '\($0)')" } ?? ""
        return "\(code): \(message)\(location)"
    }

    /// The same error, attributed to `table` unless it already names one.
    func attributed(to table: String) -> StoreError {
        self.table == nil ? StoreError(code, message, table: table, lmdbCode: lmdbCode) : self
    }

    static let closedError = StoreError(.closed, "the store is closed")

    /// An error for a failed LMDB call, classified by its return code.
    static func lmdb(_ rc: Int32, _ call: String, table: String? = nil, path: String? = nil) -> StoreError {
        let location = path.map { " on \($0)" } ?? ""
        let reason = String(cString: mdb_strerror(rc))
        return StoreError(code(for: rc), "\(call) failed\(location): \(reason) (\(rc))", table: table, lmdbCode: rc)
    }

    /// The code for an LMDB return value. Every `MDB_*` error is listed; errno values are grouped.
    static func code(for rc: Int32) -> Code {
        switch rc {
        case MDB_MAP_FULL: return .mapFull
        case MDB_MAP_RESIZED: return .mapResized
        case MDB_NOTFOUND, ENOENT: return .notFound
        case MDB_CORRUPTED, MDB_PAGE_NOTFOUND: return .corrupted
        case MDB_VERSION_MISMATCH, MDB_INVALID, MDB_INCOMPATIBLE: return .incompatible
        case MDB_READERS_FULL: return .readersFull
        case MDB_DBS_FULL: return .tablesFull
        case MDB_TXN_FULL: return .transactionFull
        case MDB_BAD_VALSIZE: return .keyTooLarge
        // The store passes MDB_NOOVERWRITE nowhere, so KEYEXIST only comes from MDB_APPEND.
        case MDB_KEYEXIST: return .outOfOrder
        case MDB_PANIC, MDB_BAD_TXN, MDB_BAD_RSLOT, MDB_BAD_DBI, MDB_TLS_FULL, MDB_CURSOR_FULL,
             MDB_PAGE_FULL, ENOMEM:
            return .failed
        case ENOSPC, EDQUOT: return .noSpace
        case EINVAL: return .invalidArgument
        default: return .io
        }
    }
}
