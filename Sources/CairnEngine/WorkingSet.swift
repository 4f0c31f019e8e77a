import CairnModel

/// Entities of one kind that a batch works on: each is decoded from the transaction at most once
/// per batch, changed in memory by any number of events, and written back once when the batch
/// ends (`ProjectionBatch.flush`).
///
/// The dictionary is only for lookup; every walk goes through `slots`, in first-touch order, so
/// nothing depends on `Dictionary` order.
struct EntityCache<Value> {
    private struct Slot {
        let id: String
        /// The current value; nil when the entity does not exist (not stored, or deleted).
        var value: Value?
        /// Whether `value` differs from what the transaction holds.
        var dirty: Bool
    }

    private var index: [String: Int] = [:]
    private var slots: [Slot] = []

    /// The current value of `id`, loading it with `load` the first time the batch asks.
    mutating func value(_ id: String, load: (String) throws -> Value?) rethrows -> Value? {
        if let slot = index[id] { return slots[slot].value }
        let loaded = try load(id)
        index[id] = slots.count
        slots.append(Slot(id: id, value: loaded, dirty: false))
        return loaded
    }

    /// The current value of an entity the batch has already loaded or set; nil otherwise.
    func loaded(_ id: String) -> Value? {
        index[id].flatMap { slots[$0].value }
    }

    /// Sets (or, with nil, deletes) `id` for the rest of the batch; written back at the flush.
    mutating func set(_ id: String, _ value: Value?) {
        if let slot = index[id] {
            slots[slot].value = value
            slots[slot].dirty = true
        } else {
            index[id] = slots.count
            slots.append(Slot(id: id, value: value, dirty: true))
        }
    }

    /// Every entity set during the batch with its final value (nil: delete), in first-touch order.
    func forEachDirty(_ body: (String, Value?) throws -> Void) rethrows {
        for slot in slots where slot.dirty { try body(slot.id, slot.value) }
    }

    var count: Int { slots.count }
}

/// The entities one event touched, each with its state before the event (nil: it did not exist),
/// in first-touch order: the input of the event's changes. Without `keepsBefore` (a rebuild,
/// which computes no changes) only whether each was created is kept, sparing the copies.
struct Touched {
    let keepsBefore: Bool
    private(set) var profiles: [(id: String, before: Profile?, created: Bool)] = []
    private(set) var sessions: [(id: String, before: Session?, created: Bool)] = []

    init(keepsBefore: Bool = true) {
        self.keepsBefore = keepsBefore
    }

    /// Notes `before` as the profile's state before the event, unless the event touched it already.
    mutating func profile(_ id: String, before: Profile?) {
        if !profiles.contains(where: { $0.id == id }) { profiles.append((id, keepsBefore ? before : nil, before == nil)) }
    }

    mutating func session(_ id: String, before: Session?) {
        if !sessions.contains(where: { $0.id == id }) { sessions.append((id, keepsBefore ? before : nil, before == nil)) }
    }
}
