import CairnModel
import CairnStore

/// Read-only lookups on the projections (for the CLI and, later, the admin API).
public struct ProfileQueries: Sendable {
    let store: StoreEnvironment
    let tables: ProjectionTables

    public static func open(_ store: StoreEnvironment) async throws -> ProfileQueries {
        ProfileQueries(store: store, tables: try await ProjectionTables.open(store))
    }

    /// The canonical profile id for a profile id (merged ids resolve to the survivor) or an
    /// identifier such as `email:ada@example.com`; nil when unknown.
    public func resolve(_ idOrIdentifier: String) throws -> String? {
        try store.read { txn in
            if let canonical = try txn.get(tables.identities, "id:" + idOrIdentifier) { return canonical }
            return try txn.get(tables.identities, idOrIdentifier)
        }
    }

    /// The profile for an id or identifier (resolved to the survivor of merges).
    public func profile(_ idOrIdentifier: String) throws -> Profile? {
        guard let id = try resolve(idOrIdentifier) else { return nil }
        return try store.read { try $0.get(tables.profiles, id)?.profile }
    }

    /// The profile's events in time order: (event time, log offset, event id), at most `limit`.
    public func events(of profileID: String, limit: Int = 1000) throws -> [(time: Int64, offset: UInt64, eventID: String)] {
        try store.read { txn in
            try txn.entries(tables.profileEvents, ScanRange.prefix(CompositeKey(profileID)).limited(to: limit)).map { entry in
                let (_, time, offset) = entry.key.components
                return (time, offset, entry.value)
            }
        }
    }

    /// The profile's sessions.
    public func sessions(of profileID: String) throws -> [Session] {
        try store.read { txn in
            try txn.entries(tables.profileSessions, .prefix(CompositeKey(profileID))).compactMap { entry in
                let (_, sessionID) = entry.key.components
                return try txn.get(tables.sessions, sessionID)?.session
            }
        }
    }

    /// Profiles in the projection.
    public func profileCount() throws -> Int {
        try store.read { try $0.count(tables.profiles) }
    }
}
