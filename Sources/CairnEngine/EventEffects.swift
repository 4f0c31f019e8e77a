import CairnModel
import Dispatch

/// What one event did to the projections, as the reducer leaves it: the changes that are not
/// field diffs (identity links and merges) and the state before and after of every profile and
/// session it touched. Its changes are a pure function of it, computed off the reducer's path.
struct EventEffects: Sendable {
    let offset: UInt64
    let eventID: String
    /// Identity links and merges, in the order they happened (for a configuration record: its
    /// `configuration.changed` change).
    let links: [Change]
    /// Touched sessions that exist after the event, in first-touch order; `before` nil: created.
    let sessions: [(id: String, before: Session?, after: Session)]
    /// Touched profiles that exist after the event, in first-touch order; `before` nil: created.
    let profiles: [(id: String, before: Profile?, after: Profile)]

    /// The event's changes: its links, then one change per touched session and profile that
    /// differs, numbered by `seq` in that order.
    func changes() -> [Change] {
        var changes = links
        forEachDiff(FieldChangeList()) { kind, id, fields in
            changes.append(Change(kind: kind, id: id, fields: fields.changes, offset: offset, eventID: eventID, seq: changes.count))
        }
        return changes
    }

    /// `changes()` encoded, written straight from the diffs (no `Change` values in between).
    func encodedChanges(into encoded: inout [EncodedChange]) {
        for link in links { encoded.append(EncodedChange(id: link.id, bytes: link.binaryEncoded())) }
        var seq = links.count
        forEachDiff(BinaryFieldSink()) { kind, id, fields in
            let bytes = Change.encode(kind: kind, id: id, offset: offset, eventID: eventID, seq: seq, target: nil, fieldCount: fields.count) {
                $0.append(fields.writer)
            }
            encoded.append(EncodedChange(id: id, bytes: bytes))
            seq += 1
        }
    }

    /// Calls `body` with the kind, id and fields of each touched session, then profile, whose
    /// fields differ.
    private func forEachDiff<Sink: FieldSink>(_ empty: Sink, _ body: (Change.Kind, String, Sink) -> Void) {
        for (id, before, after) in sessions {
            var sink = empty
            FieldDiff.session(before, after, into: &sink)
            // A new visit: a new session, or a closed one opened again, also when the idle sweep
            // closed it during this same event (its start moved).
            let opened = before.map { after.status == .open && ($0.status == .closed || $0.startMicros != after.startMicros) } ?? true
            let kind: Change.Kind = opened ? .sessionOpened : after.status == .closed ? .sessionClosed : .sessionUpdated
            if sink.isEmpty == false { body(kind, id, sink) }
        }
        for (id, before, after) in profiles {
            var sink = empty
            FieldDiff.profile(before, after, into: &sink)
            if sink.isEmpty == false { body(before == nil ? .profileCreated : .profileUpdated, id, sink) }
        }
    }

    static func encode(_ effects: ArraySlice<EventEffects>) -> [EncodedChange] {
        var encoded: [EncodedChange] = []
        encoded.reserveCapacity(effects.count * 3)
        for effect in effects { effect.encodedChanges(into: &encoded) }
        return encoded
    }
}

/// Encodes a batch's changes while the reducer is still working on it: every `chunkEvents`
/// events' effects are diffed and encoded on a Dispatch worker, so the reducer (on the store's
/// writer thread) and the encoding use both cores at once. `finish` waits for the chunks and
/// returns their changes in event order.
final class ChangeEncoder {
    static let chunkEvents = 256
    private let group = DispatchGroup()
    private var chunks: [EncodedChunk] = []
    private var pending: [EventEffects] = []

    func add(_ effects: EventEffects) {
        pending.append(effects)
        if pending.count >= Self.chunkEvents { dispatchPending() }
    }

    func finish() -> [EncodedChange] {
        if !pending.isEmpty { dispatchPending() }
        group.wait()
        return chunks.flatMap(\.changes)
    }

    private func dispatchPending() {
        let chunk = EncodedChunk()
        let effects = pending
        pending = []
        pending.reserveCapacity(Self.chunkEvents)
        chunks.append(chunk)
        DispatchQueue.global().async(group: group) { chunk.changes = EventEffects.encode(effects[...]) }
    }
}

/// One chunk's result in `ChangeEncoder`.
private final class EncodedChunk: @unchecked Sendable {
    // Sendable for the Dispatch worker: written by exactly one work item, and read only after the
    // group has waited for it.
    var changes: [EncodedChange] = []
}
