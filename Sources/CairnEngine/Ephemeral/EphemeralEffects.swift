import CairnLog
import CairnStore
import Logging
import Synchronization

/// Finds the recorded effect of a sealed event further on in the event log, for the projector's
/// reading queue. Effects are appended in the order of the events they belong to, so one forward
/// scan serves a whole catch-up: the position only moves on, and the first effect found after the
/// position is kept until the event it belongs to (or a later one) asks.
final class EffectLookahead {
    private let reader: LogReader
    /// The next record to look at.
    private var position: UInt64 = 0
    /// The next effect found and not yet asked for.
    private var found: EphemeralEffect?

    init(_ reader: LogReader) { self.reader = reader }

    /// The effect recorded for the sealed event at `offset`, if one follows it in the log. Asked
    /// in ascending `offset` order.
    func effect(for offset: UInt64) throws -> EphemeralEffect? {
        position = max(position, offset + 1)
        while true {
            if let effect = found {
                if effect.offset == offset {
                    found = nil
                    return effect
                }
                if effect.offset > offset { return nil }
                found = nil  // a duplicate, or the effect of an event before this one
            }
            var next: EphemeralEffect?
            try reader.scan(from: position) { record in
                position = record.offset + 1
                guard record.kind == RecordKind.ephemeralEffect else { return true }
                next = try EphemeralEffect(payload: Array(record.payload), recordOffset: record.offset)
                return false
            }
            guard let next else { return nil }
            found = next
        }
    }
}

/// Moves the effects of sealed events from the projections' `ephemeral_effects` into the event
/// log (``RecordKind/ephemeralEffect`` records), then shreds every retired key whose events all
/// have their effect in the log (see docs/ephemeral.md). Run after the projector has committed,
/// by the process that holds the event log.
///
/// A crash after the append and before the rows are deleted appends the same effects again on
/// the next run; readers take the first record for each event and skip the others.
public final class EphemeralEffectRecorder: Sendable {
    let eventLog: DurableLog
    let store: StoreEnvironment
    let keys: EphemeralKeys
    let logger: Logger
    /// The projection tables, opened at the first run.
    private let opened = Mutex<ProjectionTables?>(nil)
    /// Effects moved per round, at most.
    static let effectsPerRoundMax = 1000

    public init(eventLog: DurableLog, store: StoreEnvironment, keys: EphemeralKeys, logger: Logger = Logger(label: "cairn.ephemeral")) {
        self.eventLog = eventLog
        self.store = store
        self.keys = keys
        self.logger = logger
    }

    /// Records every waiting effect in the event log and shreds the keys no longer needed;
    /// returns how many of each.
    @discardableResult
    public func run() async throws -> (effects: Int, keys: Int) {
        let tables: ProjectionTables
        if let known = opened.withLock({ $0 }) {
            tables = known
        } else {
            tables = try await ProjectionTables.open(store)
            opened.withLock { $0 = tables }
        }
        var recorded = 0
        while true {
            let pending = try store.read { txn in
                var rows: [(offset: UInt64, effect: [UInt8])] = []
                try txn.scan(tables.ephemeralEffects) { offset, effect in
                    rows.append((offset, effect))
                    return rows.count < Self.effectsPerRoundMax
                }
                return rows
            }
            guard !pending.isEmpty else { break }
            var appender = PipelinedAppender(log: eventLog)
            for row in pending { try await appender.add(AppendRecord(kind: RecordKind.ephemeralEffect, payload: row.effect)) }
            try await appender.finish()
            try await store.write { txn in
                for row in pending { _ = try txn.delete(tables.ephemeralEffects, row.offset) }
            }
            recorded += pending.count
        }
        // Every effect before `applied` is in the log now: the keys of events before it can go.
        let applied = try store.read { try $0.get(tables.meta, MetaKey.applied) } ?? 0
        let shredded = try keys.shred(below: applied)
        if recorded > 0 || !shredded.isEmpty {
            logger.debug("ephemeral events", metadata: ["effects recorded": "\(recorded)", "keys shredded": "\(shredded.count)"])
        }
        return (recorded, shredded.count)
    }
}
