import CairnModel
import CairnStore

/// One page of a key-ordered listing: at most the limit asked for, and whether more follow.
public struct QueryPage<Element: Sendable>: Sendable {
    public var items: [Element]
    /// True when the listing has entries after the last item.
    public var hasMore: Bool
}

/// One entry of a profile's trail: the event's time (microseconds since the epoch), its offset
/// in the event log and its id. `(time, offset)` is the entry's key, and so a page's cursor.
public struct TrailEntry: Sendable, Equatable {
    public let time: Int64
    public let offset: UInt64
    public let eventID: String
}

/// What a scan of profiles found: the matching profiles, and where it stopped.
public struct ProfileScan: Sendable {
    public var profiles: [Profile]
    /// The id of the last profile read (matching or not): the next scan starts after it. Nil
    /// when no profile was read.
    public var lastReadID: String?
    /// True when the scan reached the last profile.
    public var reachedEnd: Bool
}

/// Pages over the projections for the admin API: each call reads one LMDB snapshot and at most
/// the entries it returns plus one (to tell whether more follow), except ``scanProfiles(after:readMax:limit:where:)``,
/// which reads up to `readMax` profiles. Every cursor is exclusive: a page starts after it.
extension ProfileQueries {
    /// Up to `limit` entries of the profile's trail after `after` (from its start when nil), in
    /// time order.
    public func trail(of profileID: String, after: (time: Int64, offset: UInt64)?, limit: Int) throws -> QueryPage<TrailEntry> {
        precondition(limit > 0, "a page holds at least one entry")
        var range = ScanRange<CompositeKey<String, Int64, UInt64>>.prefix(CompositeKey(profileID))
        if let after { range = range.starting(at: CompositeKey(profileID, after.time, after.offset)) }
        var page = QueryPage<TrailEntry>(items: [], hasMore: false)
        try store.read { txn in
            try txn.scan(tables.profileEvents, range) { key, eventID in
                let (_, time, offset) = key.components
                if let after, time == after.time, offset == after.offset { return true }
                guard page.items.count < limit else { page.hasMore = true; return false }
                page.items.append(TrailEntry(time: time, offset: offset, eventID: eventID))
                return true
            }
        }
        return page
    }

    /// Up to `limit` of the profile's sessions whose ids follow `after` (from the first when nil),
    /// in id order (UTF-8 bytes).
    public func sessions(of profileID: String, after: String?, limit: Int) throws -> QueryPage<Session> {
        precondition(limit > 0, "a page holds at least one entry")
        var range = ScanRange<CompositeKey<String, String>>.prefix(CompositeKey(profileID))
        if let after { range = range.starting(at: CompositeKey(profileID, after)) }
        var page = QueryPage<Session>(items: [], hasMore: false)
        try store.read { txn in
            var sessionIDs: [String] = []
            try txn.scan(tables.profileSessions, range) { key, _ in
                let (_, sessionID) = key.components
                if sessionID == after { return true }
                guard sessionIDs.count < limit else { page.hasMore = true; return false }
                sessionIDs.append(sessionID)
                return true
            }
            for sessionID in sessionIDs {
                if let session = try txn.get(tables.sessions, sessionID)?.session { page.items.append(session) }
            }
        }
        return page
    }

    /// Reads profiles in id order after `after` (from the first when nil) and returns those
    /// `matches` accepts: stops at `limit` matches, after `readMax` profiles, or at the last one.
    /// Costs one decoded profile record per profile read, matching or not.
    public func scanProfiles(after: String?, readMax: Int, limit: Int, where matches: (Profile) -> Bool) throws -> ProfileScan {
        precondition(readMax > 0 && limit > 0, "a scan reads and returns at least one profile")
        var scan = ProfileScan(profiles: [], lastReadID: nil, reachedEnd: true)
        var read = 0
        let range: ScanRange<String> = after.map { .from($0) } ?? .all
        try store.read { txn in
            try txn.scan(tables.profiles, range) { id, value in
                if id == after { return true }
                guard read < readMax, scan.profiles.count < limit else { scan.reachedEnd = false; return false }
                read += 1
                scan.lastReadID = id
                if matches(value.profile) { scan.profiles.append(value.profile) }
                return true
            }
        }
        return scan
    }
}
