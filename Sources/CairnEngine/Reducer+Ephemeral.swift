import CairnModel
import CairnStore

// The reducer's side of ephemeral sources (see docs/ephemeral.md): an opened sealed event is
// applied like any event while the transaction's journal records what it writes, and that record,
// its effect, waits in `ephemeral_effects` until it is in the event log; a recorded effect is
// applied instead of the event once the event is shredded.
extension Reducer {
    /// Applies an event from an ephemeral source like `apply(_:offset:logMicros:in:batch:)`, and
    /// stores its effect, every row it wrote, under its offset in `ephemeral_effects`.
    func applySealed(_ event: Event, offset: UInt64, logMicros: Int64, in txn: borrowing WriteTransaction,
                     batch: inout Batch) throws -> EventEffects? {
        txn.beginJournal()
        let step = try reduce(event, offset: offset, logMicros: logMicros, in: txn, batch: &batch)
        var writes = txn.endJournal()
        // Profiles and sessions wait in the batch's caches: their state after the event is the effect.
        for entry in step.touched.profiles {
            writes.append(WriteJournalEntry(table: tables.profiles.name, key: Array(entry.id.utf8),
                                            value: batch.profiles.loaded(entry.id).map { ProfileRecord.encode($0) }))
        }
        for entry in step.touched.sessions {
            writes.append(WriteJournalEntry(table: tables.sessions.name, key: Array(entry.id.utf8),
                                            value: batch.sessions.loaded(entry.id).map { SessionRecord.encode($0) }))
        }
        try txn.put(tables.ephemeralEffects, offset, EphemeralEffect(offset: offset, writes: writes).encoded())
        return effects(of: step, batch: batch)
    }

    /// Applies the recorded effect of a shredded event: its rows, in order, with profiles and
    /// sessions through the batch's caches (so that the changes are their diffs, as when the event
    /// was applied).
    func apply(_ effect: EphemeralEffect, eventID: String, in txn: borrowing WriteTransaction, batch: inout Batch) throws -> EventEffects? {
        var step = Step(eventID: eventID, offset: effect.offset, touched: Touched(keepsBefore: emitsChanges))
        for write in effect.writes {
            switch write.table {
            case tables.profiles.name:
                let id = String(decoding: write.key, as: UTF8.self)
                let before = try profile(id, in: txn, batch: &batch)
                step.touched.profile(id, before: before)
                batch.profiles.set(id, try write.value.map { try decode(ProfileRecord.decode, $0, effect) })
            case tables.sessions.name:
                let id = String(decoding: write.key, as: UTF8.self)
                let before = try session(id, in: txn, batch: &batch)
                step.touched.session(id, before: before)
                batch.sessions.set(id, try write.value.map { try decode(SessionRecord.decode, $0, effect) })
            default:
                guard let table = tables.journaled[write.table] else {
                    throw EngineError(.invalidEvent, "the ephemeral effect of event log offset \(effect.offset) writes the table '\(write.table)', which events do not write")
                }
                if let value = write.value { try txn.put(table, write.key, value) } else { _ = try txn.delete(table, write.key) }
            }
        }
        // The effect may have added to `open_sessions` without the sweep looking.
        batch.sweepFloor = nil
        return effects(of: step, batch: batch)
    }

    private func decode<T>(_ decode: ([UInt8]) throws(ModelError) -> T, _ bytes: [UInt8], _ effect: EphemeralEffect) throws -> T {
        do { return try decode(bytes) } catch {
            throw EngineError(.invalidEvent, "the ephemeral effect of event log offset \(effect.offset): \(error)")
        }
    }
}
