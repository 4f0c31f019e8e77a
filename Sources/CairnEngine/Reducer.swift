import CairnModel
import CairnStore

/// The deterministic reducer: applies one event to the projections inside the projector's write
/// transaction and returns the changes it made.
///
/// Everything it uses comes from the event, its log offset and log timestamp, the configuration
/// and the projection tables; it reads no clock and no random source, iterates no `Dictionary`,
/// and does no I/O of its own (the transaction is its state). The same log and configuration
/// therefore give byte-identical projections. The rules are in docs/projections.md.
struct Reducer: Sendable {
    let configuration: EngineConfiguration
    let tables: ProjectionTables

    func apply(_ event: Event, offset: UInt64, logMicros: Int64, in txn: borrowing WriteTransaction) throws -> [Change] {
        var touched = Touched()
        var changes: [Change] = []
        func record(_ kind: Change.Kind, _ id: String, target: String? = nil) {
            changes.append(Change(kind: kind, id: id, offset: offset, eventID: event.id, target: target))
        }

        try closeIdleSessions(at: logMicros, in: txn, touched: &touched)
        let time = eventTime(event, logMicros: logMicros)

        var profileID: String?
        if let clientID = event.profileID {
            profileID = try resolveOrCreate(clientID, time: time, in: txn, touched: &touched, record: record)
            for field in configuration.identifyingFields {
                guard let value = identifyingValue(event, field: field), let current = profileID else { continue }
                profileID = try identify(current, identifier: field + ":" + value, time: time, in: txn, touched: &touched, record: record)
            }
        }
        if let sessionID = event.sessionID, event.options.saveSession {
            try touchSession(sessionID, profileID: profileID, event: event, time: time, logMicros: logMicros, in: txn, touched: &touched)
        }
        if let profileID, event.options.saveProfile {
            try updateProfile(profileID, event: event, time: time, offset: offset, in: txn, touched: &touched)
        }

        // One change per touched entity, in the order they were first touched.
        for (id, before) in touched.sessions {
            guard let after = try txn.get(tables.sessions, id)?.session else { continue }
            let wasClosed = before?.value(at: ["metadata", "status"]) == .string(SessionStatus.closed.rawValue)
            let kind: Change.Kind = before == nil || (wasClosed && after.status == .open)
                ? .sessionOpened : after.status == .closed ? .sessionClosed : .sessionUpdated
            let fields = FieldChange.diff(before, after.jsonValue)
            if !fields.isEmpty { changes.append(Change(kind: kind, id: id, fields: fields, offset: offset, eventID: event.id)) }
        }
        for (id, before) in touched.profiles {
            guard let after = try txn.get(tables.profiles, id)?.profile else { continue }
            let fields = FieldChange.diff(before, after.jsonValue)
            if !fields.isEmpty {
                changes.append(Change(kind: before == nil ? .profileCreated : .profileUpdated, id: id, fields: fields, offset: offset, eventID: event.id))
            }
        }
        for i in changes.indices { changes[i].seq = i }
        return changes
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
        let raw = event.personal.value(at: ["properties", field])?.stringValue ?? event.properties[field]?.stringValue
        guard let raw else { return nil }
        let trimmed = raw.drop(while: \.isWhitespace).reversed().drop(while: \.isWhitespace).reversed()
        let value = String(trimmed).lowercased()
        return value.isEmpty ? nil : value
    }

    // MARK: Profiles and identities

    private func resolveOrCreate(_ clientID: String, time: Int64, in txn: borrowing WriteTransaction, touched: inout Touched,
                                 record: (Change.Kind, String, String?) -> Void) throws -> String {
        let identifier = "id:" + clientID
        if let canonical = try txn.get(tables.identities, identifier) { return canonical }
        if try txn.get(tables.profiles, clientID) == nil {
            touched.profile(clientID, before: nil)
            try txn.put(tables.profiles, clientID, ProfileValue(Profile(id: clientID, insertMicros: time)))
        }
        try link(identifier, to: clientID, in: txn)
        record(.identityLinked, identifier, clientID)
        return clientID
    }

    private func link(_ identifier: String, to profileID: String, in txn: borrowing WriteTransaction) throws {
        try txn.put(tables.identities, identifier, profileID)
        try txn.put(tables.profileIdentifiers, CompositeKey(profileID, identifier), [])
    }

    /// Links `identifier` to the profile, or merges the profile with the one that already has it.
    /// Returns the profile the event belongs to afterwards.
    private func identify(_ profileID: String, identifier: String, time: Int64, in txn: borrowing WriteTransaction,
                          touched: inout Touched, record: (Change.Kind, String, String?) -> Void) throws -> String {
        guard let owner = try txn.get(tables.identities, identifier) else {
            try link(identifier, to: profileID, in: txn)
            record(.identityLinked, identifier, profileID)
            return profileID
        }
        guard owner != profileID else { return profileID }
        return try merge(owner, profileID, time: time, in: txn, touched: &touched, record: record)
    }

    /// Merges two profiles: the survivor is the one first seen (earliest insert time; on a tie the
    /// smaller id); the other's ids, identifiers, sessions and events move to it and its data is
    /// folded in (see `Profile.absorb`). Returns the survivor's id.
    private func merge(_ a: String, _ b: String, time: Int64, in txn: borrowing WriteTransaction, touched: inout Touched,
                       record: (Change.Kind, String, String?) -> Void) throws -> String {
        guard let first = try txn.get(tables.profiles, a)?.profile, let second = try txn.get(tables.profiles, b)?.profile else {
            throw EngineError(.corruptedProjection, "identities point at a missing profile (\(a) or \(b))")
        }
        let firstWins = first.metadata.insertMicros < second.metadata.insertMicros
            || (first.metadata.insertMicros == second.metadata.insertMicros && first.id.utf8.lexicographicallyPrecedes(second.id.utf8))
        var survivor = firstWins ? first : second
        let merged = firstWins ? second : first
        touched.profile(survivor.id, before: survivor.jsonValue)
        touched.profile(merged.id, before: merged.jsonValue)
        survivor.absorb(merged, at: time)

        for (key, _) in try txn.entries(tables.profileIdentifiers, .prefix(CompositeKey(merged.id))) {
            let (_, identifier) = key.components
            try txn.delete(tables.profileIdentifiers, key)
            try link(identifier, to: survivor.id, in: txn)
        }
        for (key, _) in try txn.entries(tables.profileSessions, .prefix(CompositeKey(merged.id))) {
            let (_, sessionID) = key.components
            try txn.delete(tables.profileSessions, key)
            try txn.put(tables.profileSessions, CompositeKey(survivor.id, sessionID), [])
            if var session = try txn.get(tables.sessions, sessionID)?.session {
                touched.session(sessionID, before: session.jsonValue)
                session.profileID = survivor.id
                try txn.put(tables.sessions, sessionID, SessionValue(session))
            }
        }
        for (key, eventID) in try txn.entries(tables.profileEvents, .prefix(CompositeKey(merged.id))) {
            let (_, eventTime, offset) = key.components
            try txn.delete(tables.profileEvents, key)
            try txn.put(tables.profileEvents, CompositeKey(survivor.id, eventTime, offset), eventID)
        }
        try txn.delete(tables.profiles, merged.id)
        try txn.put(tables.profiles, survivor.id, ProfileValue(survivor))
        record(.profileMerged, merged.id, survivor.id)
        return survivor.id
    }

    private func updateProfile(_ profileID: String, event: Event, time: Int64, offset: UInt64, in txn: borrowing WriteTransaction,
                               touched: inout Touched) throws {
        guard var profile = try txn.get(tables.profiles, profileID)?.profile else {
            throw EngineError(.corruptedProjection, "profile \(profileID) is linked but missing")
        }
        touched.profile(profileID, before: profile.jsonValue)
        let type = event.type.rawValue
        if type == "page-view" { profile.stats.views += 1 }
        profile.stats.counters[type] = (profile.stats.counters[type] ?? 0) + 1
        if type == "identify" {
            profile.traits = profile.traits.merging(event.properties)
            profile.pii = profile.pii.merging(event.personal["properties"]?.objectValue ?? [:])
        }
        profile.metadata.lastVisitMicros = max(profile.metadata.lastVisitMicros, time)
        profile.metadata.updateMicros = max(profile.metadata.updateMicros, time)
        try txn.put(tables.profiles, profileID, ProfileValue(profile))
        if event.options.saveEvent {
            try txn.put(tables.profileEvents, CompositeKey(profileID, time, offset), event.id)
        }
    }

    // MARK: Sessions

    /// Opens, reopens or extends the event's session, counting a visit on the profile whenever a
    /// session opens.
    private func touchSession(_ sessionID: String, profileID: String?, event: Event, time: Int64, logMicros: Int64,
                              in txn: borrowing WriteTransaction, touched: inout Touched) throws {
        var session: Session
        var opens = false
        if let existing = try txn.get(tables.sessions, sessionID)?.session {
            touched.session(sessionID, before: existing.jsonValue)
            session = existing
            if session.status == .closed {
                session.status = .open
                session.startMicros = time
                session.lastEventMicros = time
                opens = true
            }
        } else {
            touched.session(sessionID, before: nil)
            session = Session(id: sessionID, profileID: profileID, context: SessionContext(event.context), startMicros: time)
            opens = true
        }
        session.lastEventMicros = max(session.lastEventMicros, time)
        session.durationMicros = session.lastEventMicros - session.startMicros
        session.eventCount += 1
        if let page = event.context["page"]?.objectValue { session.context.page = page }
        if let profileID, session.profileID != profileID {
            if let old = session.profileID { try txn.delete(tables.profileSessions, CompositeKey(old, sessionID)) }
            session.profileID = profileID
        }
        if let profileID {
            try txn.put(tables.profileSessions, CompositeKey(profileID, sessionID), [])
            if opens, var profile = try txn.get(tables.profiles, profileID)?.profile {
                touched.profile(profileID, before: profile.jsonValue)
                profile.stats.visits += 1
                try txn.put(tables.profiles, profileID, ProfileValue(profile))
            }
        }
        try txn.put(tables.sessions, sessionID, SessionValue(session))
        // Re-key the session in the idle index by the log time of this event.
        if let previous = try txn.get(tables.sessionSweep, sessionID) {
            try txn.delete(tables.openSessions, CompositeKey(previous, sessionID))
        }
        try txn.put(tables.openSessions, CompositeKey(logMicros, sessionID), [])
        try txn.put(tables.sessionSweep, sessionID, logMicros)
    }

    /// Closes every open session whose last event is older (in log time) than the timeout.
    private func closeIdleSessions(at logMicros: Int64, in txn: borrowing WriteTransaction, touched: inout Touched) throws {
        let cutoff = logMicros &- configuration.sessionTimeoutMicros
        var idle: [CompositeKey<Int64, String>] = []
        try txn.scan(tables.openSessions) { key, _ in
            let (last, _) = key.components
            guard last < cutoff else { return false }
            idle.append(key)
            return true
        }
        for key in idle {
            let (_, sessionID) = key.components
            try txn.delete(tables.openSessions, key)
            try txn.delete(tables.sessionSweep, sessionID)
            guard var session = try txn.get(tables.sessions, sessionID)?.session else { continue }
            touched.session(sessionID, before: session.jsonValue)
            session.status = .closed
            try txn.put(tables.sessions, sessionID, SessionValue(session))
        }
    }
}

/// The entities an event touched, with their state before it (nil: created), in first-touch order.
struct Touched {
    private(set) var profiles: [(String, JSONValue?)] = []
    private(set) var sessions: [(String, JSONValue?)] = []

    mutating func profile(_ id: String, before: JSONValue?) {
        if !profiles.contains(where: { $0.0 == id }) { profiles.append((id, before)) }
    }

    mutating func session(_ id: String, before: JSONValue?) {
        if !sessions.contains(where: { $0.0 == id }) { sessions.append((id, before)) }
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
