import CairnEngine
import CairnModel
import Foundation
import Hummingbird

/// `POST /track` (Tracardi's tracker payload) and the webhook bridge
/// `GET|POST /collect/{event_type}/{source_id}[/{session_id}]`.
struct TrackEndpoints: Sendable {
    let ingestion: Ingestion
    let projection: ProjectionService
    let queries: ProfileQueries
    let settings: ServerSettings

    func add(to router: Router<BasicRequestContext>) {
        router.post("/track") { request, context in try await self.track(request, context: context) }
        router.get("/collect/:type/:source") { request, context in try await self.collect(request, context: context) }
        router.post("/collect/:type/:source") { request, context in try await self.collect(request, context: context) }
        router.get("/collect/:type/:source/:session") { request, context in try await self.collect(request, context: context) }
        router.post("/collect/:type/:source/:session") { request, context in try await self.collect(request, context: context) }
    }

    // MARK: /track

    func track(_ request: Request, context: BasicRequestContext) async throws -> Response {
        let payload = try json(try await body(request, limit: settings.bodyBytesMax))
        var events: [Event]
        do {
            events = try TrackPayload.parse(payload) { _ in UUID().uuidString.lowercased() }
        } catch {
            throw APIError(.unprocessableContent, error.description)
        }
        let profileLess = request.uri.queryParameters["profile_less"] == "true" || payload["profile_less"]?.boolValue == true
        // A visitor without a profile gets a new one, and one without a session a new session;
        // the ids are in the log, so replays see them.
        let profileID = profileLess ? nil : (events.first?.profileID ?? UUID().uuidString.lowercased())
        let sessionID = events.first?.sessionID ?? UUID().uuidString.lowercased()
        for index in events.indices {
            events[index].profileID = profileID
            if events[index].sessionID == nil { events[index].sessionID = sessionID }
        }
        guard let sourceID = payload["source"]?["id"]?.stringValue else { throw APIError(.unprocessableContent, "source.id: is required") }
        let outcome = try await store(events, sourceID: sourceID, bridge: .rest, payload: payload)
        var warnings: [JSONValue] = []
        if !(try await waitIfAsked(request, outcome)) {
            warnings.append(.string("the events are stored but not yet projected (waited \(settings.projectionWait)): the profile and reply values may not include them"))
        }
        var ux: [JSONValue] = []
        var response: JSONObject = [:]
        for (_, offset) in outcome.accepted {
            for reply in projection.takeReplies(offset) {
                if reply["type"] == "ux", let item = reply["item"] { ux.append(item) }
                if reply["type"] == "response", let key = reply["key"]?.stringValue { response[key] = reply["value"] ?? .null }
            }
        }
        let survivor = try profileID.map { try queries.resolve($0) ?? $0 }
        return Reply.json([
            "profile": survivor.map { ["id": .string($0)] } ?? .null,
            "session": ["id": .string(sessionID)],
            "events": .array(outcome.accepted.map { .string($0.event.id) }),
            "ux": .array(ux),
            "response": .object(response),
            "errors": [],
            "warnings": .array(warnings),
        ])
    }

    // MARK: /collect

    func collect(_ request: Request, context: BasicRequestContext) async throws -> Response {
        let type = try context.parameters.require("type")
        let sourceID = try context.parameters.require("source")
        var properties: JSONObject = [:]
        for (name, value) in request.uri.queryParameters where name != "profile_id" {
            properties[String(name)] = .string(String(value))
        }
        if request.method == .post {
            let bytes = try await body(request, limit: settings.bodyBytesMax)
            if bytes.readableBytes > 0 {
                guard case .object(let object) = try json(bytes) else { throw APIError(.unprocessableContent, "the body must be a JSON object (the event's properties)") }
                for entry in object.entries { properties[entry.key] = entry.value }
            }
        }
        let eventType: EventType
        do { eventType = try EventType(type) } catch { throw APIError(.unprocessableContent, "event type '\(type)': \(error)") }
        let event = Event(
            id: UUID().uuidString.lowercased(), type: eventType, clientTime: nil, sourceID: sourceID,
            sessionID: context.parameters.get("session"), profileID: request.uri.queryParameters["profile_id"].map(String.init),
            properties: properties
        )
        let outcome = try await store([PersonalDataPolicy.default.separate(event)], sourceID: sourceID, bridge: .webhook,
                                      payload: .object(properties))
        _ = try await waitIfAsked(request, outcome)
        return Reply.json(["events": .array(outcome.accepted.map { .string($0.event.id) })])
    }

    // MARK: Shared

    /// Ingests; a refusal is an error reply naming the reason (the events are in the dead-letter log).
    private func store(_ events: [Event], sourceID: String, bridge: EventSourceDefinition.Bridge, payload: JSONValue) async throws -> Ingestion.Outcome {
        let outcome = try await ingestion.ingest(events, sourceID: sourceID, bridge: bridge) { DeadLetterRecord.originalPayload(of: $0, in: payload) }
        if let (_, rejection) = outcome.rejected.first {
            let status: HTTPResponse.Status = rejection.reason == .unknownSource ? .unauthorized : .forbidden
            throw APIError(status, "\(rejection.message) (\(outcome.rejected.count) event(s) kept in the dead-letter log)")
        }
        return outcome
    }

    /// Waits for the projection unless the request or the server acknowledges at durability;
    /// false when the wait timed out.
    private func waitIfAsked(_ request: Request, _ outcome: Ingestion.Outcome) async throws -> Bool {
        let ack = request.uri.queryParameters["ack"].flatMap { ServerSettings.Acknowledgement(rawValue: String($0)) } ?? settings.acknowledgement
        guard ack == .projected, !outcome.accepted.isEmpty else { return true }
        return await projection.waitProjected(through: outcome.end, timeout: settings.projectionWait)
    }
}
