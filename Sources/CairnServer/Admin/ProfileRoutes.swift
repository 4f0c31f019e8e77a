import CairnEngine
import CairnLog
import CairnModel
import Hummingbird

/// `GET /profiles/{id}`, `/profiles/{id}/sessions`, `/profiles/{id}/events` and
/// `/segments/{id}/members`. `{id}` is a profile id, an id merged away (answered with the
/// survivor), or an identifier such as `email:ada@example.com`.
extension AdminEndpoints {
    /// Profiles a members page reads at most, matching or not (see docs/api.md).
    static let memberScanProfilesMax = 10_000

    func profile(_ request: Request, _ context: BasicRequestContext) async throws -> Response {
        let id = try AdminParameters.path("id", context)
        guard let profile = try queries.profile(id) else { throw APIError(.notFound, "no profile for '\(id)'") }
        return Reply.json(profile.jsonValue)
    }

    func sessions(_ request: Request, _ context: BasicRequestContext) async throws -> Response {
        let profileID = try resolve(context)
        let limit = try AdminParameters.limit(request)
        let after = AdminParameters.text("after", request)
        let page = try queries.sessions(of: profileID, after: after, limit: limit)
        return Reply.json([
            "profile": .string(profileID),
            "sessions": .array(page.items.map(\.jsonValue)),
            "next": page.hasMore ? page.items.last.map { .string($0.id) } ?? .null : .null,
        ])
    }

    /// The trail with each event as the event log holds it; an event from an ephemeral source
    /// by its id only, marked `"ephemeral": true` (its content is sealed, then shredded).
    func trail(_ request: Request, _ context: BasicRequestContext) async throws -> Response {
        let profileID = try resolve(context)
        let limit = try AdminParameters.limit(request)
        let after = try AdminParameters.text("after", request).map(Self.trailPosition)
        let queries = self.queries, log = data.eventLog
        let (entries, next): ([JSONValue], JSONValue) = try await offPool {
            let page = try queries.trail(of: profileID, after: after, limit: limit)
            let reader = log.makeReader()
            defer { reader.close() }
            var entries: [JSONValue] = []
            for entry in page.items {
                guard let record = try reader.record(at: entry.offset) else { continue }
                var object: JSONObject = ["offset": .integer(Int64(entry.offset)), "time": .string(ClientTime.iso8601(micros: entry.time))]
                if record.kind == RecordKind.sealedEvent {
                    object["ephemeral"] = true
                    object["event"] = ["id": .string(entry.eventID)]
                } else {
                    object["event"] = try EventRecord.decode(record.payload).jsonValue(includingPersonal: true)
                }
                entries.append(.object(object))
            }
            let next: JSONValue = page.hasMore ? page.items.last.map { .string("\($0.time)_\($0.offset)") } ?? .null : .null
            return (entries, next)
        }
        return Reply.json(["profile": .string(profileID), "events": .array(entries), "next": next])
    }

    /// Members of a segment, found by reading profiles in id order: a page reads at most
    /// ``memberScanProfilesMax`` profiles, so it may hold fewer than `limit` members (even none)
    /// and still have a `next`.
    func members(_ request: Request, _ context: BasicRequestContext) async throws -> Response {
        let segmentID = try AdminParameters.path("id", context)
        guard try await configuration.state().object(ConfigurationKey(.segment, segmentID)) != nil else {
            throw APIError(.notFound, "no segment '\(segmentID)'")
        }
        let limit = try AdminParameters.limit(request)
        let after = AdminParameters.text("after", request)
        let queries = self.queries
        let scan = try await offPool {
            try queries.scanProfiles(after: after, readMax: Self.memberScanProfilesMax, limit: limit) { $0.segments.contains(segmentID) }
        }
        return Reply.json([
            "segment": .string(segmentID),
            "members": .array(scan.profiles.map(\.jsonValue)),
            "next": scan.reachedEnd ? .null : scan.lastReadID.map { .string($0) } ?? .null,
        ])
    }

    /// The canonical profile id for the path's `{id}`; 404 naming it when there is none.
    private func resolve(_ context: BasicRequestContext) throws -> String {
        let id = try AdminParameters.path("id", context)
        guard let profileID = try queries.resolve(id) else { throw APIError(.notFound, "no profile for '\(id)'") }
        return profileID
    }

    /// A trail cursor, `<time>_<offset>` as a page's `next` gives it.
    static func trailPosition(_ text: String) throws -> (time: Int64, offset: UInt64) {
        let parts = text.split(separator: "_", omittingEmptySubsequences: false)
        guard parts.count == 2, let time = Int64(parts[0]), let offset = UInt64(parts[1]) else {
            throw APIError(.unprocessableContent, "after must be a cursor from a page's next, <time>_<offset> (got '\(text)')")
        }
        return (time, offset)
    }
}
