import CairnEngine
import CairnModel
import Foundation
import Hummingbird
import Synchronization

/// Segment's HTTP tracking API (`/v1/batch`, `/v1/track`, `/v1/identify`, `/v1/page`,
/// `/v1/screen`, `/v1/group`, `/v1/alias`) and PostHog's capture API (`/batch/`, `/capture/`,
/// `/e/`, `/i/v0/e/`), read by `SegmentPayload` and `PostHogPayload` (docs/segment-posthog.md).
///
/// The write key (Segment: the Basic auth user name, or `writeKey` in the body) or API key
/// (PostHog: `api_key` in the body or an event, or `?api_key=`) is the id of an event source with
/// the `rest` bridge. Bodies may be gzip-compressed (`Content-Encoding: gzip`). Messages whose id
/// (`messageId`, `uuid`) the server stored recently for the same source are acknowledged and not
/// stored again. Success is exactly 200 with a JSON body; errors carry `code` and `message`.
struct SegmentEndpoints: Sendable {
    let ingestion: Ingestion
    let projection: ProjectionService
    let settings: ServerSettings
    let recent: RecentMessages

    /// Segment's limits: 32 KB a message, 500 KB a batch (before decompression checks, the
    /// server's `bodyBytesMax` applies to the compressed body).
    static let batchBytesMax = 500 * 1024

    func add(to router: Router<BasicRequestContext>) {
        router.post("/v1/batch") { request, _ in try await self.segment(request, type: nil) }
        for type in SegmentPayload.MessageType.allCases {
            router.post("/v1/\(type.rawValue)") { request, _ in try await self.segment(request, type: type) }
        }
        // The router matches a path with or without its trailing slash (`/batch/` too).
        for path in ["/batch", "/capture", "/e", "/i/v0/e"] {
            router.post(RouterPath(path)) { request, _ in try await self.postHog(request) }
        }
    }

    // MARK: Segment

    func segment(_ request: Request, type: SegmentPayload.MessageType?) async throws -> Response {
        let payload = try await decodedBody(request)
        guard let sourceID = Self.basicUser(request) ?? SegmentPayload.writeKey(in: payload) else {
            throw APIError(.unauthorized, "no write key: send it as the Basic auth user name or as writeKey in the body",
                           headers: [.wwwAuthenticate: "Basic"])
        }
        let events: [Event]
        do {
            let makeID: (Int) -> String = { _ in UUID().uuidString.lowercased() }
            events = try type.map { [try SegmentPayload.parseMessage(payload, type: $0, sourceID: sourceID, makeID: makeID)] }
                ?? SegmentPayload.parseBatch(payload, sourceID: sourceID, makeID: makeID)
        } catch {
            throw APIError(.badRequest, "\(error)")
        }
        try await store(events, sourceID: sourceID, payload: payload, batched: type == nil)
        return Reply.json(["success": true])
    }

    // MARK: PostHog

    func postHog(_ request: Request) async throws -> Response {
        let payload = try await decodedBody(request)
        guard let sourceID = PostHogPayload.apiKey(in: payload) ?? request.uri.queryParameters["api_key"].map(String.init) else {
            throw APIError(.unauthorized, "no API key: send api_key in the body or the query string")
        }
        let events: [Event]
        let batched = payload.arrayValue != nil || payload["batch"] != nil
        do {
            let makeID: (Int) -> String = { _ in UUID().uuidString.lowercased() }
            events = batched ? try PostHogPayload.parseBatch(payload, sourceID: sourceID, makeID: makeID)
                : [try PostHogPayload.parseEvent(payload, sourceID: sourceID, makeID: makeID)]
        } catch {
            throw APIError(.badRequest, error.description)
        }
        try await store(events, sourceID: sourceID, payload: payload, batched: batched)
        return Reply.json(["status": 1])
    }

    // MARK: Shared

    /// The body, gunzipped when it says so, as JSON.
    private func decodedBody(_ request: Request) async throws -> JSONValue {
        let raw = try await body(request, limit: settings.bodyBytesMax)
        guard let encoding = request.headers[.contentEncoding]?.lowercased(), encoding != "identity" else { return try json(raw) }
        guard encoding == "gzip" else { throw APIError(.unsupportedMediaType, "Content-Encoding \(encoding) is not supported; send gzip or nothing") }
        let inflated = try Gzip.inflate(Array(raw.readableBytesView), limit: max(settings.bodyBytesMax, Self.batchBytesMax))
        return try json(ByteBuffer(bytes: inflated))
    }

    /// Stores the events not seen recently; a refusal is an error naming the reason (the events
    /// are in the dead-letter log).
    private func store(_ events: [Event], sourceID: String, payload: JSONValue, batched: Bool) async throws {
        let fresh = recent.unseen(events, sourceID: sourceID)
        guard !fresh.isEmpty else { return }
        let outcome = try await ingestion.ingest(fresh.map { events[$0] }, sourceID: sourceID, bridge: .rest) { index in
            let original = fresh[index]
            return batched ? (payload["batch"]?.arrayValue?[original] ?? payload.arrayValue?[original] ?? payload) : payload
        }
        if let (_, rejection) = outcome.rejected.first {
            throw APIError(rejection.reason == .unknownSource ? .unauthorized : .forbidden,
                           "\(rejection.message) (\(outcome.rejected.count) event(s) kept in the dead-letter log)")
        }
        recent.remember(outcome.accepted.map(\.event.id), sourceID: sourceID)
        if settings.acknowledgement == .projected {
            _ = await projection.waitProjected(through: outcome.end, timeout: settings.projectionWait)
        }
    }

    /// The user name of `Authorization: Basic base64(user:password)`.
    static func basicUser(_ request: Request) -> String? {
        guard let header = request.headers[.authorization], header.lowercased().hasPrefix("basic "),
              let decoded = Data(base64Encoded: String(header.dropFirst(6)).trimmingCharacters(in: .whitespaces)) else { return nil }
        let user = String(decoding: decoded, as: UTF8.self).split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init)
        return user?.isEmpty == false ? user : nil
    }
}

/// Ids of messages stored recently, per source: the deduplication window of the Segment and
/// PostHog endpoints. In memory, the last `capacity` ids; a restart forgets them.
final class RecentMessages: Sendable {
    private struct State {
        var seen: Set<String> = []
        var order: [String] = []
        var head = 0
    }

    let capacity: Int
    private let state = Mutex(State())

    init(capacity: Int = 100_000) {
        self.capacity = capacity
    }

    /// The indices of the events whose ids were not stored recently, first occurrence only.
    func unseen(_ events: [Event], sourceID: String) -> [Int] {
        state.withLock { state in
            var inRequest: Set<String> = []
            return events.indices.filter { index in
                let key = sourceID + "\u{0}" + events[index].id
                return !state.seen.contains(key) && inRequest.insert(key).inserted
            }
        }
    }

    func remember(_ ids: [String], sourceID: String) {
        state.withLock { state in
            for id in ids {
                let key = sourceID + "\u{0}" + id
                guard state.seen.insert(key).inserted else { continue }
                state.order.append(key)
            }
            while state.order.count - state.head > capacity {
                state.seen.remove(state.order[state.head])
                state.head += 1
            }
            if state.head > capacity {
                state.order.removeFirst(state.head)
                state.head = 0
            }
        }
    }
}
