import CairnLog
import Dispatch

/// The configuration of a data directory: reads the current state from the event log and
/// appends changes to it as records of kind `RecordKind.configuration`.
///
/// The state is found by scanning the whole event log for configuration records at open
/// (``load(from:)``), which costs a read of the log; a projection of the configuration can
/// replace the scan later without changing the records. Changes go through one store (an actor)
/// per process, and the log's lock keeps other processes out, so plans are made on the state
/// they are appended to: the records of one ``commit(_:author:checks:key:)`` are planned and
/// submitted without a suspension in between, then awaited.
public actor ConfigurationStore {
    private let log: DurableLog
    /// The state including every record submitted; nil after an append failed (the store must
    /// be opened again, as what reached the log is then unknown).
    private var current: ConfigurationState?

    private init(log: DurableLog, state: ConfigurationState) {
        self.log = log
        self.current = state
    }

    /// Opens the configuration of `log`, folding its configuration records.
    ///
    /// - Throws: ``ConfigurationError`` `invalidRecord` for a record that does not decode or
    ///   follow; the log's errors for unreadable files.
    public static func open(log: DurableLog) async throws -> ConfigurationStore {
        ConfigurationStore(log: log, state: try await load(from: log))
    }

    /// Folds the configuration records of `log` (every record of kind 3, in log order), reading
    /// on a Dispatch thread since reads block on file I/O.
    public static func load(from log: DurableLog) async throws -> ConfigurationState {
        let reader = UncheckedReader(log.makeReader())
        return try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async {
                continuation.resume(with: Result { try fold(reader.value) })
            }
        }
    }

    /// Folds the configuration records a reader sees. Blocks on file I/O.
    static func fold(_ reader: LogReader) throws -> ConfigurationState {
        defer { reader.close() }
        var state = ConfigurationState()
        try reader.scan(from: 0) { view in
            guard view.kind == RecordKind.configuration else { return true }
            let record = try ConfigurationRecord(payload: Array(view.payload))
            try state.apply(record, offset: view.offset, timestampMicros: view.timestamp)
            return true
        }
        return state
    }

    /// The current configuration.
    ///
    /// - Throws: ``ConfigurationError`` `invalidRecord` after a failed append.
    public func state() throws -> ConfigurationState {
        guard let current else { throw Self.brokenError }
        return current
    }

    /// Plans `changes` on the current state (see ``ConfigurationState/plan(_:author:checks:key:)``)
    /// and appends the records in one append; returns them (empty when nothing changed).
    ///
    /// - Throws: the plan's ``ConfigurationError``s (nothing is appended then); the log's errors
    ///   when the append fails, after which the store refuses further use.
    @discardableResult
    public func commit(_ changes: [ConfigurationChange], author: String = "", checks: some ConfigurationChecks,
                       key: @Sendable () throws(ConfigurationError) -> SecretKey = ConfigurationStore.noKey) async throws -> [ConfigurationRecord] {
        guard var state = current else { throw Self.brokenError }
        let records = try state.plan(changes, author: author, checks: checks, key: key)
        guard !records.isEmpty else { return [] }
        let ticket = try log.submit(records.map { AppendRecord(kind: RecordKind.configuration, key: $0.logKey, payload: $0.encoded()) })
        current = nil
        let first = try await ticket.offset()
        for (index, record) in records.enumerated() {
            // The log stamps the records; this state learns their times at the next load.
            try state.apply(record, offset: first + UInt64(index), timestampMicros: 0)
        }
        current = state
        return records
    }

    /// A key source for changes that involve no credentials: fails with `missingKey`.
    public static func noKey() throws(ConfigurationError) -> SecretKey {
        throw ConfigurationError(.missingKey, "these changes need a secret key for credentials and none was given")
    }

    private static let brokenError = ConfigurationError(.invalidRecord, "an append of configuration failed; open the configuration again")
}

/// A log reader handed to one Dispatch thread and used only there.
private struct UncheckedReader: @unchecked Sendable {
    // Safe: the reader is created, moved to one thread, used and closed there, never shared.
    let value: LogReader
    init(_ value: LogReader) { self.value = value }
}

/// One configuration record as the log holds it.
public struct ConfigurationHistoryEntry: Sendable, Equatable {
    public let offset: UInt64
    public let timestampMicros: Int64
    public let record: ConfigurationRecord
}

extension ConfigurationStore {
    /// Every configuration record of `log`, in log order, read on a Dispatch thread.
    ///
    /// - Throws: ``ConfigurationError`` `invalidRecord` for a record that does not decode; the
    ///   log's errors.
    public static func history(of log: DurableLog) async throws -> [ConfigurationHistoryEntry] {
        let reader = UncheckedReader(log.makeReader())
        return try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async {
                continuation.resume(with: Result {
                    defer { reader.value.close() }
                    var entries: [ConfigurationHistoryEntry] = []
                    try reader.value.scan(from: 0) { view in
                        guard view.kind == RecordKind.configuration else { return true }
                        entries.append(ConfigurationHistoryEntry(offset: view.offset, timestampMicros: view.timestamp,
                                                                 record: try ConfigurationRecord(payload: Array(view.payload))))
                        return true
                    }
                    return entries
                })
            }
        }
    }
}
