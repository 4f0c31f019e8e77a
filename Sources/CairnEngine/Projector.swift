import CairnLog
import CairnModel
import CairnStore
import Logging

/// Tails the event log and applies its events to the projections in LMDB, emitting every change
/// to the change log exactly once.
///
/// Each batch runs in one LMDB write transaction on the store's writer thread: it reads up to
/// `eventsPerBatchMax` events after the applied offset, applies them with the `Reducer`, and
/// writes the projection updates, the new applied offset and the batch's changes (the *outbox*)
/// together. After the commit the outbox is appended to the change log (durably), and the next
/// transaction clears it. At open, an outbox left by a crash is reconciled against the change
/// log's end: the changes already there are skipped, the rest appended. So after any crash the
/// change log holds exactly the changes of the applied prefix, with no gap and no duplicate.
///
/// One projector per store and change log: it is their only writer.
public final class Projector: Sendable {
    let eventLog: DurableLog
    let changeLog: DurableLog
    let store: StoreEnvironment
    let configuration: EngineConfiguration
    let tables: ProjectionTables
    private let reader: ReaderBox
    private let logger: Logger

    /// Opens the projection tables and reconciles a pending outbox with the change log.
    ///
    /// Throws `EngineError.changeLogMismatch` when the change log lost changes the projection
    /// recorded as appended, and the errors of the store and logs.
    public static func open(eventLog: DurableLog, changeLog: DurableLog, store: StoreEnvironment,
                            configuration: EngineConfiguration = EngineConfiguration(),
                            logger: Logger = Logger(label: "cairn.projector")) async throws -> Projector {
        try configuration.validate()
        let tables = try await ProjectionTables.open(store)
        let projector = Projector(eventLog: eventLog, changeLog: changeLog, store: store, configuration: configuration,
                                  tables: tables, logger: logger)
        try await projector.completeOutbox(clear: true)
        return projector
    }

    private init(eventLog: DurableLog, changeLog: DurableLog, store: StoreEnvironment, configuration: EngineConfiguration,
                 tables: ProjectionTables, logger: Logger) {
        self.eventLog = eventLog
        self.changeLog = changeLog
        self.store = store
        self.configuration = configuration
        self.tables = tables
        self.reader = ReaderBox(eventLog.makeReader())
        self.logger = logger
    }

    /// The offset of the next event to apply.
    public func appliedOffset() throws -> UInt64 {
        try store.read { try $0.get(tables.meta, MetaKey.applied) } ?? 0
    }

    /// Applies every event visible in the event log now; returns the applied offset.
    @discardableResult
    public func catchUp() async throws -> UInt64 {
        var applied = try appliedOffset()
        while applied < eventLog.endOffset {
            applied = try await applyOneBatch()
        }
        return applied
    }

    /// Applies events as they arrive until the task is cancelled or a log closes.
    public func run() async throws {
        while true {
            let applied = try await catchUp()
            _ = try await eventLog.waitForEnd(beyond: applied)
        }
    }

    /// After a rebuild against a scratch change log: clears the outbox (its changes went to the
    /// scratch log) and records `changeLogEnd` as where the next changes land in the live one.
    func adopt(changeLogEnd: UInt64) async throws {
        let tables = self.tables
        try await store.write { txn in
            try txn.clear(tables.outbox)
            try txn.put(tables.meta, MetaKey.changesBase, changeLogEnd)
        }
    }

    // MARK: Batches

    /// Applies one batch: read, reduce, commit with the outbox; then append the outbox to the
    /// change log. Returns the applied offset (callers that report progress call it in a loop).
    public func applyOneBatch() async throws -> UInt64 {
        // If the last batch's append failed, its changes are still only in the outbox.
        try await completeOutbox(clear: false)
        let base = changeLog.endOffset
        let reducer = Reducer(configuration: configuration, tables: tables)
        let (tables, reader, limit) = (self.tables, self.reader, configuration.eventsPerBatchMax)
        let (changes, applied) = try await store.write { txn -> ([EncodedChange], UInt64) in
            // The previous batch's outbox is in the change log by now.
            try txn.clear(tables.outbox)
            let start = try txn.get(tables.meta, MetaKey.applied) ?? 0
            var changes: [EncodedChange] = []
            var next = start
            for record in try reader.read(from: start, maxRecords: limit) {
                if record.kind == RecordKind.event {
                    let event: Event
                    do { event = try EventRecord.decode(record.payload) } catch {
                        throw EngineError(.invalidEvent, "event log offset \(record.offset): \(error)")
                    }
                    for change in try reducer.apply(event, offset: record.offset, logMicros: record.timestamp, in: txn) {
                        changes.append(EncodedChange(id: change.id, bytes: change.jsonValue.binaryEncoded()))
                    }
                }
                next = record.offset + 1
            }
            for (i, change) in changes.enumerated() {
                try txn.put(tables.outbox, UInt64(i), change.bytes, append: true)
            }
            try txn.put(tables.meta, MetaKey.changesBase, base)
            try txn.put(tables.meta, MetaKey.applied, next)
            return (changes, next)
        }
        try await appendChanges(changes[...], expectedFirst: base)
        return applied
    }

    private func appendChanges(_ changes: ArraySlice<EncodedChange>, expectedFirst: UInt64) async throws {
        guard !changes.isEmpty else { return }
        let records = changes.map { AppendRecord(kind: RecordKind.change, key: Array($0.id.utf8), payload: $0.bytes) }
        var first: UInt64?
        var index = 0
        while index < records.count {
            let chunk = Array(records[index..<min(records.count, index + changeLog.configuration.appendRecordsMax)])
            let offset = try await changeLog.append(chunk)
            if first == nil { first = offset }
            index += chunk.count
        }
        guard first == expectedFirst else {
            throw EngineError(.changeLogMismatch, "changes landed at change log offset \(first ?? 0), expected \(expectedFirst): another writer appends to the change log")
        }
    }

    /// Appends whatever part of the outbox is not in the change log yet (after a crash or a failed
    /// append), then clears the outbox when asked (otherwise the next batch does).
    private func completeOutbox(clear: Bool) async throws {
        let end = changeLog.endOffset
        // The usual case (the last batch's append completed) needs only the count, not the changes.
        let (base, count) = try store.read { txn in
            (try txn.get(tables.meta, MetaKey.changesBase) ?? 0, try txn.count(tables.outbox))
        }
        guard count > 0 else { return }
        if !clear && end == base + UInt64(count) { return }
        guard end >= base, end - base <= UInt64(count) else {
            throw EngineError(.changeLogMismatch, "the change log ends at \(end) but the projection's \(count) pending changes start at \(base)")
        }
        let done = Int(end - base)
        let pending = try store.read { txn in
            try txn.entries(tables.outbox, ScanRange.from(UInt64(done))).map(\.value)
        }
        let rest = try pending.map { EncodedChange(id: try Change(jsonValue: try JSONValue(binary: $0)).id, bytes: $0) }
        if !rest.isEmpty { logger.notice("finishing an interrupted change log append", metadata: ["appended": "\(done)", "remaining": "\(rest.count)"]) }
        try await appendChanges(rest[...], expectedFirst: end)
        guard clear else { return }
        let outbox = tables.outbox
        try await store.write { txn in try txn.clear(outbox) }
    }
}

/// A change as stored in the outbox and the change log: its entity id (the record key) and its
/// binary JSON, encoded once.
struct EncodedChange: Sendable {
    let id: String
    let bytes: [UInt8]
}

enum MetaKey {
    static let applied = "applied"
    static let changesBase = "changes.base"
}

/// The projector's event log reader, used only inside write bodies, which all run one at a time
/// on the store's single writer thread.
final class ReaderBox: @unchecked Sendable {
    // Safe by use: every call happens on the store's writer thread, one write body at a time.
    private let reader: LogReader
    init(_ reader: LogReader) { self.reader = reader }
    func read(from offset: UInt64, maxRecords: Int) throws -> [LogRecord] { try reader.read(from: offset, maxRecords: maxRecords) }
}
