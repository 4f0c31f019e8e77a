import CairnModel
import CairnStore

/// The LMDB tables that hold Cairn's projections (see docs/projections.md).
///
/// | table | key | value |
/// |---|---|---|
/// | `profiles` | profile id | `ProfileRecord` |
/// | `identities` | identifier: `id:<profile id>` or `<field>:<value>` | canonical profile id |
/// | `profile_identifiers` | (profile id, identifier) | empty |
/// | `sessions` | session id | `SessionRecord` |
/// | `open_sessions` | (log time of the last event, session id) | empty |
/// | `session_sweep` | session id | its key's log time in `open_sessions` |
/// | `profile_sessions` | (profile id, session id) | empty |
/// | `profile_events` | (profile id, event time, log offset) | event id |
/// | `configuration` | `<kind>/<id>` (e.g. `segment/vip`) | the object's latest configuration record (version and object) |
/// | `workflow_state` | (workflow id, profile id) | the workflow's gate state for the profile (binary JSON object) |
/// | `meta` | name | UInt64 (`applied`: next event offset; `changes.next`: change log offset of the next change) |
/// | `outbox` | change log offset of a batch's first change | the batch's changes, until durable in the change log (see `Outbox`) |
/// | `ephemeral_effects` | event log offset of a sealed event | its `EphemeralEffect`, until that is in the event log (see docs/ephemeral.md) |
struct ProjectionTables: Sendable {
    let profiles: Table<String, ProfileValue>
    let identities: Table<String, String>
    let profileIdentifiers: Table<CompositeKey<String, String>, [UInt8]>
    let sessions: Table<String, SessionValue>
    let openSessions: Table<CompositeKey<Int64, String>, [UInt8]>
    let sessionSweep: Table<String, Int64>
    let profileSessions: Table<CompositeKey<String, String>, [UInt8]>
    let profileEvents: Table<CompositeKey<String, Int64, UInt64>, String>
    let configuration: Table<String, [UInt8]>
    let workflowState: Table<CompositeKey<String, String>, [UInt8]>
    let meta: Table<String, UInt64>
    let outbox: Table<UInt64, [UInt8]>
    /// `outbox` read for its entries' change counts only (no copy of the changes).
    let outboxCounts: Table<UInt64, OutboxCount>
    let ephemeralEffects: Table<UInt64, [UInt8]>
    /// The tables events write directly (not through the batch's caches), as bytes, by name: what
    /// an `EphemeralEffect` may write besides profiles and sessions. Looked up only, never walked.
    let journaled: [String: Table<[UInt8], [UInt8]>]

    static let journaledNames = [
        "identities", "profile_identifiers", "open_sessions", "session_sweep", "profile_sessions", "profile_events", "workflow_state",
    ]

    /// The tables whose content is the projection (the digest covers these, in this order).
    static let projectionNames = [
        "profiles", "identities", "profile_identifiers", "sessions", "open_sessions", "session_sweep",
        "profile_sessions", "profile_events", "configuration", "workflow_state",
    ]

    /// Opens (creating where needed) every table, in one write transaction.
    static func open(_ store: StoreEnvironment) async throws -> ProjectionTables {
        try await store.write { txn in
            var journaled: [String: Table<[UInt8], [UInt8]>] = [:]
            for name in journaledNames { journaled[name] = try txn.openTable(name) }
            return ProjectionTables(
                profiles: try txn.openTable("profiles"),
                identities: try txn.openTable("identities"),
                profileIdentifiers: try txn.openTable("profile_identifiers"),
                sessions: try txn.openTable("sessions"),
                openSessions: try txn.openTable("open_sessions"),
                sessionSweep: try txn.openTable("session_sweep"),
                profileSessions: try txn.openTable("profile_sessions"),
                profileEvents: try txn.openTable("profile_events"),
                configuration: try txn.openTable("configuration"),
                workflowState: try txn.openTable("workflow_state"),
                meta: try txn.openTable("meta"),
                outbox: try txn.openTable("outbox"),
                outboxCounts: try txn.openTable("outbox"),
                ephemeralEffects: try txn.openTable("ephemeral_effects"),
                journaled: journaled
            )
        }
    }
}

/// `Profile` stored as a `ProfileRecord`.
struct ProfileValue: StoreCodec {
    var profile: Profile
    init(_ profile: Profile) { self.profile = profile }

    func encode(into bytes: inout [UInt8]) { bytes += ProfileRecord.encode(profile) }

    static func decode(from buffer: UnsafeRawBufferPointer) throws -> ProfileValue {
        do { return ProfileValue(try ProfileRecord.decode(buffer)) } catch {
            throw EngineError(.corruptedProjection, "profiles: \(error)")
        }
    }
}

/// `Session` stored as a `SessionRecord`.
struct SessionValue: StoreCodec {
    var session: Session
    init(_ session: Session) { self.session = session }

    func encode(into bytes: inout [UInt8]) { bytes += SessionRecord.encode(session) }

    static func decode(from buffer: UnsafeRawBufferPointer) throws -> SessionValue {
        do { return SessionValue(try SessionRecord.decode(buffer)) } catch {
            throw EngineError(.corruptedProjection, "sessions: \(error)")
        }
    }
}

/// The change count at the head of an outbox entry (see `Outbox`); read-only.
struct OutboxCount: StoreCodec {
    let count: Int

    func encode(into bytes: inout [UInt8]) {
        preconditionFailure("outbox entries are written whole, as bytes")
    }

    static func decode(from buffer: UnsafeRawBufferPointer) throws -> OutboxCount {
        guard buffer.count >= 4 else { throw EngineError(.corruptedProjection, "outbox: an entry of \(buffer.count) bytes has no count") }
        return OutboxCount(count: Int(buffer.loadUnaligned(as: UInt32.self).littleEndian))
    }
}
