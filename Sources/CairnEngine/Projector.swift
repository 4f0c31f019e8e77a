import CairnLog
import CairnModel
import CairnStore
import Dispatch
import Logging
import Synchronization

/// Tails the event log and applies its events to the projections in LMDB, emitting every change
/// to the change log exactly once.
///
/// Each batch runs in one LMDB write transaction on the store's writer thread: it applies up to
/// `eventsPerBatchMax` events after the applied offset with the `Reducer`, and writes the
/// projection updates, the new applied offset and the batch's changes (one *outbox* entry, keyed
/// by the change log offset its first change must land at) together. After the commit the outbox
/// entry is appended to the change log; a later transaction deletes it once the change log's
/// durable end has passed it. At open, outbox entries left by a crash are reconciled against the
/// change log's end: changes already there are skipped, the rest appended. So after any crash the
/// change log holds exactly the changes of the applied prefix, with no gap and no duplicate.
///
/// `catchUp` overlaps three stages: the next batch's events are read and decoded on a queue of
/// their own, the current batch is reduced and committed on the store's writer thread, and the
/// previous batch's changes are written and synced by the change log. At most one change log
/// append is in flight, so changes land in batch order.
///
/// One projector per store and change log: it is their only writer.
public final class Projector: Sendable {
    let eventLog: DurableLog
    let changeLog: DurableLog
    let store: StoreEnvironment
    let configuration: EngineConfiguration
    let tables: ProjectionTables
    /// False for a rebuild: no changes are computed, nothing goes to the outbox or change log.
    let emitsChanges: Bool
    private let source: EventSource
    private let logger: Logger
    /// The configuration compiled by the last committed batch (see `Reducer.Batch.compiled`).
    private let compiledConfiguration = Mutex(CompiledConfiguration())

    /// Opens the projection tables and reconciles a pending outbox with the change log.
    ///
    /// Throws `EngineError.changeLogMismatch` when the change log lost changes the projection
    /// recorded as appended, or holds changes the projection never made, and the errors of the
    /// store and logs.
    public static func open(eventLog: DurableLog, changeLog: DurableLog, store: StoreEnvironment,
                            configuration: EngineConfiguration = EngineConfiguration(), ephemeralKeys: EphemeralKeys? = nil,
                            logger: Logger = Logger(label: "cairn.projector")) async throws -> Projector {
        let projector = try await openProjector(eventLog: eventLog, changeLog: changeLog, store: store, configuration: configuration,
                                                ephemeralKeys: ephemeralKeys, emitsChanges: true, logger: logger)
        try await projector.completeOutbox()
        return projector
    }

    /// A projector that computes no changes (a rebuild's); its `changeLog` is never written.
    static func openRebuilding(eventLog: DurableLog, changeLog: DurableLog, store: StoreEnvironment,
                               configuration: EngineConfiguration, ephemeralKeys: EphemeralKeys?, logger: Logger) async throws -> Projector {
        try await openProjector(eventLog: eventLog, changeLog: changeLog, store: store, configuration: configuration,
                                ephemeralKeys: ephemeralKeys, emitsChanges: false, logger: logger)
    }

    private static func openProjector(eventLog: DurableLog, changeLog: DurableLog, store: StoreEnvironment, configuration: EngineConfiguration,
                                      ephemeralKeys: EphemeralKeys?, emitsChanges: Bool, logger: Logger) async throws -> Projector {
        try configuration.validate()
        let tables = try await ProjectionTables.open(store)
        return Projector(eventLog: eventLog, changeLog: changeLog, store: store, configuration: configuration, tables: tables,
                         ephemeralKeys: ephemeralKeys, emitsChanges: emitsChanges, logger: logger)
    }

    private init(eventLog: DurableLog, changeLog: DurableLog, store: StoreEnvironment, configuration: EngineConfiguration,
                 tables: ProjectionTables, ephemeralKeys: EphemeralKeys?, emitsChanges: Bool, logger: Logger) {
        self.eventLog = eventLog
        self.changeLog = changeLog
        self.store = store
        self.configuration = configuration
        self.tables = tables
        self.emitsChanges = emitsChanges
        self.source = EventSource(eventLog, keys: ephemeralKeys)
        self.logger = logger
    }

    /// The offset of the next event to apply.
    public func appliedOffset() throws -> UInt64 {
        try store.read { try $0.get(tables.meta, MetaKey.applied) } ?? 0
    }

    /// Applies every event visible in the event log when it is called (and any that arrive
    /// meanwhile, batch by batch); returns the applied offset. `progress` sees (applied, end of
    /// the event log) after each batch.
    @discardableResult
    public func catchUp(progress: (UInt64, UInt64) -> Void = { _, _ in }) async throws -> UInt64 {
        try await catchUp(onBatch: { batch in progress(batch.end, batch.logEnd) })
    }

    /// `catchUp(progress:)`, telling `onBatch` what each committed batch did.
    @discardableResult
    public func catchUp(onBatch: (ProjectedBatch) -> Void) async throws -> UInt64 {
        var applied = try appliedOffset()
        guard applied < eventLog.endOffset else { return applied }
        let (source, limit) = (self.source, configuration.eventsPerBatchMax)
        let start = applied
        var next: Task<DecodedBatch, any Error>? = Task { try await source.read(from: start, maxRecords: limit) }
        var inFlight: ChangeAppend?
        do {
            while let reading = next {
                let batch = try await reading.value
                let end = eventLog.endOffset
                next = batch.end < end ? Task { try await source.read(from: batch.end, maxRecords: limit) } : nil
                let outcome = try await commit(batch)
                try await inFlight?.wait()
                inFlight = nil
                inFlight = try submit(outcome)
                applied = batch.end
                onBatch(ProjectedBatch(end: applied, logEnd: end, replies: outcome.replies))
            }
            try await inFlight?.wait()
        } catch {
            // Leave nothing in flight: the outbox reconciliation of whoever goes on next relies on
            // the change log's end being settled.
            _ = try? await next?.value
            try? await inFlight?.wait()
            throw error
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

    /// Applies one batch without overlapping anything: read, reduce, commit, append its changes.
    /// Returns the applied offset.
    public func applyOneBatch() async throws -> UInt64 {
        let applied = try appliedOffset()
        guard applied < eventLog.endOffset else { return applied }
        let batch = try await source.read(from: applied, maxRecords: configuration.eventsPerBatchMax)
        try await submit(try await commit(batch))?.wait()
        return batch.end
    }

    /// After a rebuild: records `changeLogEnd` as where the next changes land in the live change
    /// log (a rebuild emits none).
    func adopt(changeLogEnd: UInt64) async throws {
        let tables = self.tables
        try await store.write { txn in
            try txn.clear(tables.outbox)
            try txn.put(tables.meta, MetaKey.changesNext, changeLogEnd)
        }
    }

    // MARK: Batches

    /// What a committed batch left to append to the change log.
    private struct Outcome {
        let base: UInt64
        let changes: [EncodedChange]
        /// The configuration as the batch left it compiled, for the next batch.
        let compiled: CompiledConfiguration
        let replies: [ProjectedBatch.Reply]
    }

    /// Reduces `batch` and commits the projection updates, the applied offset and the outbox
    /// entry in one transaction.
    private func commit(_ batch: DecodedBatch) async throws -> Outcome {
        let reducer = Reducer(configuration: configuration, tables: tables, emitsChanges: emitsChanges)
        let tables = self.tables
        // Everything below this offset is durable in the change log.
        let confirmed = changeLog.endOffset
        let compiled = compiledConfiguration.withLock { $0 }
        let outcome = try await store.write { txn -> Outcome in
            let start = try txn.get(tables.meta, MetaKey.applied) ?? 0
            guard start == batch.start else {
                throw EngineError(.concurrentWriter, "the projections are applied up to offset \(start), not \(batch.start): another projector writes to this store")
            }
            try Outbox.deleteConfirmed(below: confirmed, in: tables, txn)
            var replies: [ProjectedBatch.Reply] = []
            var working = Reducer.Batch()
            working.compiled = compiled
            let encoder = ChangeEncoder()
            for item in batch.events {
                switch item.content {
                case .event(let event):
                    if let effects = try reducer.apply(event, offset: item.offset, logMicros: item.logMicros, in: txn, batch: &working) {
                        ProjectedBatch.collectReplies(effects, into: &replies)
                        encoder.add(effects)
                    }
                case .sealedEvent(let event):
                    if let effects = try reducer.applySealed(event, offset: item.offset, logMicros: item.logMicros, in: txn, batch: &working) {
                        ProjectedBatch.collectReplies(effects, into: &replies)
                        encoder.add(effects)
                    }
                case .effect(let effect, let eventID):
                    if let effects = try reducer.apply(effect, eventID: eventID, in: txn, batch: &working) { encoder.add(effects) }
                case .configuration(let change):
                    if let effects = try reducer.apply(change, offset: item.offset, in: txn, batch: &working) { encoder.add(effects) }
                }
            }
            try reducer.flush(working, in: txn)
            let changes = encoder.finish()
            let base = try txn.get(tables.meta, MetaKey.changesNext) ?? 0
            if !changes.isEmpty {
                try txn.put(tables.outbox, base, Outbox.encode(changes))
                try txn.put(tables.meta, MetaKey.changesNext, base + UInt64(changes.count))
            }
            try txn.put(tables.meta, MetaKey.applied, batch.end)
            return Outcome(base: base, changes: changes, compiled: working.compiled, replies: replies)
        }
        // Committed: the next batch starts from this configuration.
        compiledConfiguration.withLock { $0 = outcome.compiled }
        return outcome
    }

    /// Hands a batch's changes to the change log; nil when there are none.
    private func submit(_ outcome: Outcome) throws -> ChangeAppend? {
        try ChangeAppend.submit(outcome.changes[...], to: changeLog, expectedFirst: outcome.base)
    }

    /// Appends whatever part of the outbox is not in the change log yet (after a crash or a failed
    /// append), then empties the outbox. Checks that the change log and the projection agree.
    private func completeOutbox() async throws {
        let end = changeLog.endOffset
        let (next, entries) = try store.read { txn in
            (try txn.get(tables.meta, MetaKey.changesNext) ?? 0, try txn.entries(tables.outbox).map { ($0.key, $0.value) })
        }
        let pending = try Outbox.pending(entries, next: next, changeLogEnd: end)
        if !pending.isEmpty {
            logger.notice("finishing an interrupted change log append", metadata: ["from": "\(end)", "remaining": "\(pending.count)"])
            try await ChangeAppend.submit(pending[...], to: changeLog, expectedFirst: end)?.wait()
        }
        guard !entries.isEmpty else { return }
        let outbox = tables.outbox
        try await store.write { txn in try txn.clear(outbox) }
    }
}

/// A change as stored in the outbox and the change log: its entity id (the record key) and its
/// binary JSON, encoded once.
struct EncodedChange: Sendable, Equatable {
    let id: String
    let bytes: [UInt8]
}

enum MetaKey {
    /// The offset of the next event to apply.
    static let applied = "applied"
    /// The change log offset the next change lands at.
    static let changesNext = "changes.next"
}

/// One batch's changes on their way into the change log: the tickets of its appends.
struct ChangeAppend {
    let tickets: [AppendTicket]
    let expectedFirst: UInt64

    /// Submits `changes` (in chunks of the log's `appendRecordsMax`) without waiting.
    static func submit(_ changes: ArraySlice<EncodedChange>, to log: DurableLog, expectedFirst: UInt64) throws -> ChangeAppend? {
        guard !changes.isEmpty else { return nil }
        var tickets: [AppendTicket] = []
        var index = changes.startIndex
        while index < changes.endIndex {
            let chunk = changes[index..<min(changes.endIndex, index + log.configuration.appendRecordsMax)]
            tickets.append(try log.submit(chunk.map { AppendRecord(kind: RecordKind.change, key: Array($0.id.utf8), payload: $0.bytes) }))
            index = chunk.endIndex
        }
        return ChangeAppend(tickets: tickets, expectedFirst: expectedFirst)
    }

    /// Waits until every chunk is durable; checks the changes landed where the projection said.
    func wait() async throws {
        var first: UInt64?
        for ticket in tickets {
            let offset = try await ticket.offset()
            if first == nil { first = offset }
        }
        guard first == expectedFirst else {
            throw EngineError(.changeLogMismatch, "changes landed at change log offset \(first ?? 0), expected \(expectedFirst): another writer appends to the change log")
        }
    }
}

/// What one committed batch did, for whoever waits on the projection (the server's `/track`
/// replies): the applied offset after it and the reply values its workflows requested.
public struct ProjectedBatch: Sendable {
    /// A `response` or `ux` request of a workflow run for the event at `offset`.
    public struct Reply: Sendable {
        public let offset: UInt64
        /// The request as in a `workflow.effect` change: `{"type": "response", "key", "value"}`
        /// or `{"type": "ux", "item"}`, with the requesting `node`.
        public let request: JSONValue
    }

    public let end: UInt64
    /// The event log's end when the batch was read.
    public let logEnd: UInt64
    public let replies: [Reply]

    static func collectReplies(_ effects: EventEffects, into replies: inout [Reply]) {
        for link in effects.links where link.kind == .workflowEffect {
            guard let request = link.fields.first?.after, let type = request["type"]?.stringValue, type == "response" || type == "ux" else { continue }
            replies.append(Reply(offset: effects.offset, request: request))
        }
    }
}

/// A run of records read and decoded from the event log: `[start, end)`, of which `events` are the
/// event, sealed event and configuration records (other kinds are skipped).
struct DecodedBatch: Sendable {
    struct Item: Sendable {
        enum Content: Sendable {
            case event(Event)
            case configuration(ConfigurationRecord)
            /// An event from an ephemeral source, opened with its key.
            case sealedEvent(Event)
            /// The recorded effect of a sealed event, applied in its place (at its offset).
            case effect(EphemeralEffect, eventID: String)
        }

        let content: Content
        let offset: UInt64
        let logMicros: Int64
    }

    let start: UInt64
    let end: UInt64
    let events: [Item]
}

/// Reads and decodes events on a serial queue of its own, off the cooperative pool and off the
/// store's writer thread, so that decoding the next batch overlaps reducing the current one.
///
/// A sealed event (from an ephemeral source) becomes its recorded effect when one follows it in
/// the log, else the event opened with its key; with neither, it is an error.
final class EventSource: @unchecked Sendable {
    // Safe by use: `reader` and `effects` are touched only on `queue`, one block at a time.
    private let reader: LogReader
    private let effects: EffectLookahead
    private let keys: EphemeralKeys?
    private let queue = DispatchQueue(label: "cairn.projector.read")

    init(_ log: DurableLog, keys: EphemeralKeys?) {
        reader = log.makeReader()
        effects = EffectLookahead(log.makeReader())
        self.keys = keys
    }

    func read(from offset: UInt64, maxRecords: Int) async throws -> DecodedBatch {
        try await withCheckedThrowingContinuation { continuation in
            queue.async { continuation.resume(with: Result { try self.readNow(from: offset, maxRecords: maxRecords) }) }
        }
    }

    private func readNow(from offset: UInt64, maxRecords: Int) throws -> DecodedBatch {
        var items: [DecodedBatch.Item] = []
        var end = offset
        for record in try reader.read(from: offset, maxRecords: maxRecords) {
            switch record.kind {
            case RecordKind.event:
                let event: Event
                do { event = try EventRecord.decode(record.payload) } catch {
                    throw EngineError(.invalidEvent, "event log offset \(record.offset): \(error)")
                }
                items.append(DecodedBatch.Item(content: .event(event), offset: record.offset, logMicros: record.timestamp))
            case RecordKind.configuration:
                let change: ConfigurationRecord
                do { change = try ConfigurationRecord(payload: record.payload) } catch {
                    throw EngineError(.invalidEvent, "event log offset \(record.offset): configuration record: \(error)")
                }
                items.append(DecodedBatch.Item(content: .configuration(change), offset: record.offset, logMicros: record.timestamp))
            case RecordKind.sealedEvent:
                let eventID = record.key.map { String(decoding: $0, as: UTF8.self) } ?? ""
                if let effect = try effects.effect(for: record.offset) {
                    items.append(DecodedBatch.Item(content: .effect(effect, eventID: eventID), offset: record.offset, logMicros: record.timestamp))
                    break
                }
                let keyID = try SealedEvent.keyID(record.payload, offset: record.offset)
                guard let key = try keys?.key(keyID) else {
                    throw EngineError(.notFound, "event log offset \(record.offset): the ephemeral event \(eventID) was sealed with key \(EphemeralKeys.hex(keyID)), which is shredded (or not in \(keys?.directory ?? "any key directory given")), and no record of its effect follows it in the log: its effect cannot be reproduced")
                }
                let event = try SealedEvent.open(record.payload, key: key, offset: record.offset)
                items.append(DecodedBatch.Item(content: .sealedEvent(event), offset: record.offset, logMicros: record.timestamp))
            default:
                break
            }
            end = record.offset + 1
        }
        return DecodedBatch(start: offset, end: end, events: items)
    }
}
