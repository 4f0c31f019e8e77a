import CairnLogic
import CairnModel
import CairnStore

/// The deterministic reducer: applies one event to the projections inside the projector's write
/// transaction and returns the changes it made.
///
/// Everything it uses comes from the event, its log offset and log timestamp, the configuration
/// and the projection tables; it reads no clock and no random source, iterates no `Dictionary`,
/// and does no I/O of its own (the transaction is its state). The same log and configuration
/// therefore give byte-identical projections. The rules are in docs/projections.md.
///
/// Profiles and sessions go through the batch's `EntityCache`s (decoded once per batch, written
/// back by `flush`); the index tables are read and written in the transaction directly.
struct Reducer: Sendable {
    let configuration: EngineConfiguration
    let tables: ProjectionTables
    /// Whether `apply` computes changes. A rebuild has nobody to tell, and its projections do not
    /// depend on them.
    let emitsChanges: Bool

    /// The batch's working set: what `apply` reads and changes, written back by `flush`.
    struct Batch {
        var profiles = EntityCache<Profile>()
        var sessions = EntityCache<Session>()
        /// At most the earliest log time in `open_sessions`, once a sweep has looked: lets most
        /// events skip the sweep's cursor.
        var sweepFloor: Int64?
        /// The configuration the reducer works from, compiled from `configuration` as the batch
        /// first needs each part, and again after a configuration record. The projector carries
        /// it from one committed batch to the next (it is the store's only writer).
        var compiled = CompiledConfiguration()
    }

    /// Records a configuration change (a kind-3 log record) in `configuration`: the latest
    /// record of each object, which the reducer reads the configuration from.
    /// Returns, when the reducer emits changes, its `configuration.changed` change.
    func apply(_ change: ConfigurationRecord, offset: UInt64, in txn: borrowing WriteTransaction, batch: inout Batch) throws -> EventEffects? {
        let key = change.key.description
        if change.object == nil {
            _ = try txn.delete(tables.configuration, key)
        } else {
            try txn.put(tables.configuration, key, change.encoded())
        }
        batch.compiled = CompiledConfiguration()
        guard emitsChanges else { return nil }
        let record = Change(kind: .configurationChanged, id: key, fields: [
            FieldChange(path: "action", before: nil, after: .string(change.action.rawValue)),
            FieldChange(path: "author", before: nil, after: .string(change.author)),
            FieldChange(path: "version", before: nil, after: .integer(Int64(change.version))),
        ], offset: offset, eventID: "")
        return EventEffects(offset: offset, eventID: "", links: [record], sessions: [], profiles: [])
    }

    /// Writes every profile and session the batch changed.
    func flush(_ batch: Batch, in txn: borrowing WriteTransaction) throws {
        try batch.profiles.forEachDirty { id, profile in
            if let profile { try txn.put(tables.profiles, id, ProfileValue(profile)) } else { _ = try txn.delete(tables.profiles, id) }
        }
        try batch.sessions.forEachDirty { id, session in
            if let session { try txn.put(tables.sessions, id, SessionValue(session)) } else { _ = try txn.delete(tables.sessions, id) }
        }
    }

    /// Applies `event`; returns what it did, for its changes, when the reducer emits changes.
    func apply(_ event: Event, offset: UInt64, logMicros: Int64, in txn: borrowing WriteTransaction, batch: inout Batch) throws -> EventEffects? {
        effects(of: try reduce(event, offset: offset, logMicros: logMicros, in: txn, batch: &batch), batch: batch)
    }

    /// Applies `event`; returns what it touched and the changes that are not field diffs.
    func reduce(_ event: Event, offset: UInt64, logMicros: Int64, in txn: borrowing WriteTransaction, batch: inout Batch) throws -> Step {
        var step = Step(eventID: event.id, offset: offset, touched: Touched(keepsBefore: emitsChanges))
        try closeIdleSessions(at: logMicros, in: txn, batch: &batch, step: &step)
        let time = eventTime(event, logMicros: logMicros)

        var profileID: String?
        if let clientID = event.profileID {
            profileID = try resolveOrCreate(clientID, time: time, in: txn, batch: &batch, step: &step)
            for field in configuration.identifyingFields {
                guard let value = identifyingValue(event, field: field), let current = profileID else { continue }
                profileID = try identify(current, identifier: field + ":" + value, time: time, in: txn, batch: &batch, step: &step)
            }
            if batch.compiled.identificationPoints == nil {
                batch.compiled.identificationPoints = try configurationRecords(.identificationPoint, in: txn).compactMap { record in
                    guard case .identificationPoint(let point)? = record.object, point.enabled else { return nil }
                    return point
                }
            }
            for point in batch.compiled.identificationPoints ?? []
            where point.eventType == event.type.rawValue && (point.sourceID == nil || point.sourceID == event.sourceID) {
                for pair in point.fields {
                    guard let value = identifyingValue(event, path: pair.eventProperty), let current = profileID else { continue }
                    profileID = try identify(current, identifier: pair.profileField + ":" + value, time: time, in: txn, batch: &batch, step: &step)
                }
            }
        }
        if let sessionID = event.sessionID, event.options.saveSession {
            try touchSession(sessionID, profileID: profileID, event: event, time: time, logMicros: logMicros, in: txn, batch: &batch, step: &step)
        }
        if let profileID, event.options.saveProfile {
            try updateProfile(profileID, event: event, time: time, offset: offset, in: txn, batch: &batch, step: &step)
            try applyConsents(profileID, event: event, time: time, in: txn, batch: &batch, step: &step)
            try runWorkflows(profileID, event: event, time: time, in: txn, batch: &batch, step: &step)
            try evaluateSegments(profileID, event: event, time: time, in: txn, batch: &batch, step: &step)
        }
        return step
    }

    /// What `step` did, for its changes, when the reducer emits changes.
    func effects(of step: Step, batch: Batch) -> EventEffects? {
        guard emitsChanges else { return nil }
        // Entities deleted by the event (merged away) have no after state and no field diff.
        return EventEffects(
            offset: step.offset, eventID: step.eventID, links: step.changes,
            sessions: step.touched.sessions.compactMap { entry in batch.sessions.loaded(entry.id).map { (entry.id, entry.before, $0) } },
            profiles: step.touched.profiles.compactMap { entry in batch.profiles.loaded(entry.id).map { (entry.id, entry.before, $0) } }
        )
    }

    /// What one event has done so far: the entities it touched (with their state before it) and
    /// the changes that are not field diffs (links, merges).
    struct Step {
        let eventID: String
        let offset: UInt64
        var touched: Touched
        var changes: [Change] = []
        /// Whether the event started a visit: a new session, or a new visit in a closed one.
        var opensVisit = false

        mutating func record(_ kind: Change.Kind, _ id: String, target: String? = nil) {
            changes.append(Change(kind: kind, id: id, offset: offset, eventID: eventID, target: target))
        }
    }

    // MARK: Time

    /// The client's time when present and not implausibly ahead of the log; else the log's.
    func eventTime(_ event: Event, logMicros: Int64) -> Int64 {
        guard let client = event.clientTime, client <= logMicros &+ configuration.clientTimeAheadMaxMicros else { return logMicros }
        return client
    }

    /// The identifying value of `field` in the event, trimmed and lower-cased: from the personal
    /// data moved out of the properties (`personal.properties.<field>`), else the properties.
    func identifyingValue(_ event: Event, field: String) -> String? {
        normalizedIdentifier(event.personal.value(at: ["properties", field])?.stringValue ?? event.properties[field]?.stringValue)
    }

    /// The identifying value at an identification point's event property path (`properties.email`,
    /// `context.x.y`), looked up in the personal block first (where the personal-data policy moves
    /// such fields at ingest), then in the event; trimmed and lower-cased.
    func identifyingValue(_ event: Event, path: String) -> String? {
        let keys = path.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        guard let root = keys.first, keys.count >= 2, root == "properties" || root == "context" else { return nil }
        let rest = Array(keys.dropFirst())
        let inEvent = (root == "properties" ? event.properties : event.context).value(at: rest)
        return normalizedIdentifier(event.personal.value(at: keys)?.stringValue ?? inEvent?.stringValue)
    }

    private func normalizedIdentifier(_ raw: String?) -> String? {
        guard let raw else { return nil }
        let scalars = raw.unicodeScalars
        guard let first = scalars.firstIndex(where: { !$0.properties.isWhitespace }),
              let last = scalars.lastIndex(where: { !$0.properties.isWhitespace }) else { return nil }
        return String(scalars[first...last]).lowercased()
    }

    // MARK: Entities

    func profile(_ id: String, in txn: borrowing WriteTransaction, batch: inout Batch) throws -> Profile? {
        try batch.profiles.value(id) { try txn.get(tables.profiles, $0)?.profile }
    }

    func session(_ id: String, in txn: borrowing WriteTransaction, batch: inout Batch) throws -> Session? {
        try batch.sessions.value(id) { try txn.get(tables.sessions, $0)?.session }
    }

    /// Stores a profile's new state; `before` is its state when the event found it.
    func store(_ profile: Profile, before: Profile?, batch: inout Batch, step: inout Step) {
        step.touched.profile(profile.id, before: before)
        batch.profiles.set(profile.id, profile)
    }

    func store(_ session: Session, before: Session?, batch: inout Batch, step: inout Step) {
        step.touched.session(session.id, before: before)
        batch.sessions.set(session.id, session)
    }

    // MARK: Profiles and identities

    private func resolveOrCreate(_ clientID: String, time: Int64, in txn: borrowing WriteTransaction, batch: inout Batch,
                                 step: inout Step) throws -> String {
        let identifier = "id:" + clientID
        if let canonical = try txn.get(tables.identities, identifier) { return canonical }
        if try profile(clientID, in: txn, batch: &batch) == nil {
            store(Profile(id: clientID, insertMicros: time), before: nil, batch: &batch, step: &step)
        }
        try link(identifier, to: clientID, in: txn)
        step.record(.identityLinked, identifier, target: clientID)
        return clientID
    }

    private func link(_ identifier: String, to profileID: String, in txn: borrowing WriteTransaction) throws {
        try txn.put(tables.identities, identifier, profileID)
        try txn.put(tables.profileIdentifiers, CompositeKey(profileID, identifier), [])
    }

    /// Links `identifier` to the profile, or merges the profile with the one that already has it.
    /// Returns the profile the event belongs to afterwards.
    private func identify(_ profileID: String, identifier: String, time: Int64, in txn: borrowing WriteTransaction,
                          batch: inout Batch, step: inout Step) throws -> String {
        guard let owner = try txn.get(tables.identities, identifier) else {
            try link(identifier, to: profileID, in: txn)
            step.record(.identityLinked, identifier, target: profileID)
            return profileID
        }
        guard owner != profileID else { return profileID }
        return try merge(owner, profileID, time: time, in: txn, batch: &batch, step: &step)
    }

    /// Merges two profiles: the survivor is the one first seen (earliest insert time; on a tie the
    /// smaller id); the other's ids, identifiers, sessions and events move to it and its data is
    /// folded in (see `Profile.absorb`). Returns the survivor's id.
    private func merge(_ a: String, _ b: String, time: Int64, in txn: borrowing WriteTransaction, batch: inout Batch,
                       step: inout Step) throws -> String {
        guard let first = try profile(a, in: txn, batch: &batch), let second = try profile(b, in: txn, batch: &batch) else {
            throw EngineError(.corruptedProjection, "identities point at a missing profile (\(a) or \(b))")
        }
        let firstWins = first.metadata.insertMicros < second.metadata.insertMicros
            || (first.metadata.insertMicros == second.metadata.insertMicros && first.id.utf8.lexicographicallyPrecedes(second.id.utf8))
        var survivor = firstWins ? first : second
        let merged = firstWins ? second : first
        survivor.absorb(merged, at: time)

        for (key, _) in try txn.entries(tables.profileIdentifiers, .prefix(CompositeKey(merged.id))) {
            let (_, identifier) = key.components
            _ = try txn.delete(tables.profileIdentifiers, key)
            try link(identifier, to: survivor.id, in: txn)
        }
        for (key, _) in try txn.entries(tables.profileSessions, .prefix(CompositeKey(merged.id))) {
            let (_, sessionID) = key.components
            _ = try txn.delete(tables.profileSessions, key)
            try txn.put(tables.profileSessions, CompositeKey(survivor.id, sessionID), [])
            if let before = try session(sessionID, in: txn, batch: &batch) {
                var moved = before
                moved.profileID = survivor.id
                store(moved, before: before, batch: &batch, step: &step)
            }
        }
        for (key, eventID) in try txn.entries(tables.profileEvents, .prefix(CompositeKey(merged.id))) {
            let (_, eventTime, offset) = key.components
            _ = try txn.delete(tables.profileEvents, key)
            try txn.put(tables.profileEvents, CompositeKey(survivor.id, eventTime, offset), eventID)
        }
        store(survivor, before: firstWins ? first : second, batch: &batch, step: &step)
        step.touched.profile(merged.id, before: merged)
        batch.profiles.set(merged.id, nil)
        step.record(.profileMerged, merged.id, target: survivor.id)
        return survivor.id
    }

    private func updateProfile(_ profileID: String, event: Event, time: Int64, offset: UInt64, in txn: borrowing WriteTransaction,
                               batch: inout Batch, step: inout Step) throws {
        guard let before = try profile(profileID, in: txn, batch: &batch) else {
            throw EngineError(.corruptedProjection, "profile \(profileID) is linked but missing")
        }
        var profile = before
        let type = event.type.rawValue
        if type == "page-view" { profile.stats.views += 1 }
        profile.stats.counters[type] = (profile.stats.counters[type] ?? 0) + 1
        if type == "identify" {
            profile.traits = profile.traits.merging(event.properties)
            profile.pii = profile.pii.merging(event.personal["properties"]?.objectValue ?? [:])
        }
        profile.metadata.lastVisitMicros = max(profile.metadata.lastVisitMicros, time)
        profile.metadata.updateMicros = max(profile.metadata.updateMicros, time)
        store(profile, before: before, batch: &batch, step: &step)
        if event.options.saveEvent {
            try txn.put(tables.profileEvents, CompositeKey(profileID, time, offset), event.id)
        }
    }

    // MARK: Sessions

    /// Opens, reopens or extends the event's session, counting a visit on the profile whenever a
    /// session opens.
    private func touchSession(_ sessionID: String, profileID: String?, event: Event, time: Int64, logMicros: Int64,
                              in txn: borrowing WriteTransaction, batch: inout Batch, step: inout Step) throws {
        let before = try session(sessionID, in: txn, batch: &batch)
        var session: Session
        var opens = false
        if let before {
            session = before
            if session.status == .closed {
                session.status = .open
                session.startMicros = time
                session.lastEventMicros = time
                opens = true
            }
        } else {
            session = Session(id: sessionID, profileID: profileID, context: SessionContext(event.context), startMicros: time)
            opens = true
        }
        session.lastEventMicros = max(session.lastEventMicros, time)
        session.durationMicros = session.lastEventMicros - session.startMicros
        session.eventCount += 1
        if let page = event.context["page"]?.objectValue { session.context.page = page }
        var indexed = before != nil && before?.profileID == profileID
        if let profileID, session.profileID != profileID {
            if let old = session.profileID { _ = try txn.delete(tables.profileSessions, CompositeKey(old, sessionID)) }
            session.profileID = profileID
            indexed = false
        }
        if let profileID {
            if !indexed { try txn.put(tables.profileSessions, CompositeKey(profileID, sessionID), []) }
            if opens, let profileBefore = try profile(profileID, in: txn, batch: &batch) {
                var profile = profileBefore
                profile.stats.visits += 1
                store(profile, before: profileBefore, batch: &batch, step: &step)
            }
        }
        if opens { step.opensVisit = true }
        store(session, before: before, batch: &batch, step: &step)
        // Re-key the session in the idle index by the log time of this event.
        let previous = try txn.get(tables.sessionSweep, sessionID)
        guard previous != logMicros else { return }
        if let previous { _ = try txn.delete(tables.openSessions, CompositeKey(previous, sessionID)) }
        try txn.put(tables.openSessions, CompositeKey(logMicros, sessionID), [])
        batch.sweepFloor = batch.sweepFloor.map { min($0, logMicros) }
        try txn.put(tables.sessionSweep, sessionID, logMicros)
    }

    /// Closes every open session whose last event is older (in log time) than the timeout.
    private func closeIdleSessions(at logMicros: Int64, in txn: borrowing WriteTransaction, batch: inout Batch, step: inout Step) throws {
        let cutoff = logMicros &- configuration.sessionTimeoutMicros
        if let floor = batch.sweepFloor, floor >= cutoff { return }
        var idle: [CompositeKey<Int64, String>] = []
        var floor = Int64.max
        try txn.scan(tables.openSessions) { key, _ in
            let (last, _) = key.components
            guard last < cutoff else {
                floor = last
                return false
            }
            idle.append(key)
            return true
        }
        batch.sweepFloor = floor
        for key in idle {
            let (_, sessionID) = key.components
            _ = try txn.delete(tables.openSessions, key)
            _ = try txn.delete(tables.sessionSweep, sessionID)
            guard let before = try session(sessionID, in: txn, batch: &batch) else { continue }
            var session = before
            session.status = .closed
            store(session, before: before, batch: &batch, step: &step)
        }
    }
}

extension SessionContext {
    /// The session surroundings found in an event's context.
    init(_ context: JSONObject) {
        self.init(
            device: context["device"]?.objectValue ?? [:], os: context["os"]?.objectValue ?? [:],
            app: context["app"]?.objectValue ?? [:], utm: context["utm"]?.objectValue ?? [:],
            page: context["page"]?.objectValue ?? [:]
        )
    }
}

extension Profile {
    /// Folds `other` into this profile at a merge: ids united; traits and pii keep this profile's
    /// values and gain the other's missing keys; visits, views, counters and interests add up;
    /// segments and consents unite (this profile's consent wins on a clash); first seen is the
    /// earlier, last visit the later; updated at `time`.
    mutating func absorb(_ other: Profile, at time: Int64) {
        for id in other.ids { addID(id) }
        traits = other.traits.merging(traits)
        pii = other.pii.merging(pii)
        stats.visits += other.stats.visits
        stats.views += other.stats.views
        for entry in other.stats.counters.entries { stats.counters[entry.key] = (stats.counters[entry.key] ?? 0) + entry.value }
        for entry in other.interests.entries { interests[entry.key] = (interests[entry.key] ?? 0) + entry.value }
        for segment in other.segments { addSegment(segment) }
        for entry in other.consents.entries where consents[entry.key] == nil { consents[entry.key] = entry.value }
        metadata.insertMicros = min(metadata.insertMicros, other.metadata.insertMicros)
        metadata.lastVisitMicros = max(metadata.lastVisitMicros, other.metadata.lastVisitMicros)
        metadata.updateMicros = max(metadata.updateMicros, time)
    }
}
