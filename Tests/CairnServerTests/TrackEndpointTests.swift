import CairnEngine
import CairnLog
import CairnModel
import CairnServer
import Hummingbird
import HummingbirdTesting
import Testing

@Suite("POST /track and /collect", .serialized)
struct TrackEndpointTests {
    static let fixtureSource = "3f1d7a9e-source-0001"

    static let base: [ConfigurationChange] = [
        .put(.eventSource(EventSourceDefinition(id: fixtureSource, name: "Tracker", bridge: .rest))),
        .put(.eventSource(EventSourceDefinition(id: "hook", name: "Hook", bridge: .webhook))),
        .put(.workflow(WorkflowDefinition(id: "greet", name: "Greet", graph: [
            "nodes": [
                ["id": "start", "action": "start"],
                ["id": "offer", "action": "set-response", "config": ["key": "offer", "value": "10% off"]],
                ["id": "hello", "action": "add-ux-item", "config": ["type": "message", "content": "Welcome back"]],
            ],
            "edges": [["from": "start", "to": "offer"], ["from": "offer", "to": "hello"]],
        ]))),
        .put(.routingRule(RoutingRule(id: "greet-on-login", name: "Greet", eventType: "login", sourceID: fixtureSource, workflowID: "greet"))),
    ]

    @Test("every captured tracker request gets a 2xx reply the client can use; a CORS preflight is answered",
          .enabled(if: ClientFixtures.available, "client fixtures not found at ../../../shared/fixtures/clients from this file; skipped"))
    func fixtures() async throws {
        // The replies must come after the projection: give it time when the machine is busy
        // with the rest of the suite (the default waits 2 s, then replies with a warning).
        var settings = ServerSettings()
        settings.projectionWait = .seconds(30)
        try await withServer(Self.base, settings: settings) { client, data in
            var posted = 0
            for name in try ClientFixtures.names() where name.hasPrefix("tracardi") {
                for request in try ClientFixtures.requests(name) where request["path"] == "/track" {
                    if request["method"] == "OPTIONS" {
                        try await client.execute(uri: "/track", method: .options, headers: [
                            .origin: "http://127.0.0.1:8687", .accessControlRequestMethod: "POST",
                            .accessControlRequestHeaders: "content-type,x-timestamp",
                        ]) { response in
                            #expect(response.status.code / 100 == 2, "\(name): preflight \(response.status)")
                            #expect(response.headers[.accessControlAllowOrigin] == "http://127.0.0.1:8687")
                            #expect(response.headers[.accessControlAllowHeaders]?.lowercased().contains("x-timestamp") == true)
                        }
                        continue
                    }
                    let body = try request["body_text"]?.stringValue ?? String(decoding: try #require(request["body_json"]).serialized(), as: UTF8.self)
                    let reply = try await client.post("/track", body, headers: [.origin: "http://127.0.0.1:8687"])
                    #expect(reply.status == .ok, "\(name): \(reply.json)")
                    #expect(reply.json["profile"]?["id"]?.stringValue?.isEmpty == false, "\(name): \(reply.json)")
                    #expect(reply.json["session"]?["id"]?.stringValue?.isEmpty == false, "\(name): \(reply.json)")
                    #expect(reply.json["warnings"] == [] && reply.json["errors"] == [], "\(name): \(reply.json)")
                    posted += 1
                }
            }
            #expect(posted >= 10)
            #expect(try records(data.eventLog).filter { $0.kind == RecordKind.event }.count >= posted)
        }
    }

    @Test("the reply carries the survivor's id for a merged-away profile, and the workflows' response values and UX items")
    func survivorAndReplies() async throws {
        var settings = ServerSettings()
        settings.projectionWait = .seconds(30)  // the reply values need the projection, however busy the machine
        try await withServer(Self.base, settings: settings) { client, _ in
            func track(_ profile: String, _ type: String, _ properties: String = "{}") async throws -> JSONValue {
                let reply = try await client.post("/track", #"{"source":{"id":"\#(Self.fixtureSource)"},"session":{"id":"s-\#(profile)"},"profile":{"id":"\#(profile)"},"events":[{"type":"\#(type)","properties":\#(properties)}]}"#)
                #expect(reply.status == .ok, "\(reply.json)")
                return reply.json
            }
            _ = try await track("laptop", "sign-up", #"{"email":"ada@example.com"}"#)
            _ = try await track("phone", "sign-up", #"{"email":"Ada@Example.com"}"#)
            let merged = try await track("phone", "page-view")
            #expect(merged["profile"]?["id"] == "laptop", "\(merged)")
            let greeted = try await track("laptop", "login")
            #expect(greeted["response"] == ["offer": "10% off"], "\(greeted)")
            #expect(greeted["ux"]?.arrayValue?.first?["content"] == "Welcome back", "\(greeted)")
            // A visitor with no profile gets a new one; profile_less gets none.
            let fresh = try await client.post("/track", #"{"source":{"id":"\#(Self.fixtureSource)"},"events":[{"type":"page-view"}]}"#)
            #expect(fresh.json["profile"]?["id"]?.stringValue?.count == 36 && fresh.json["session"]?["id"]?.stringValue?.count == 36, "\(fresh.json)")
            let less = try await client.post("/track?profile_less=true", #"{"source":{"id":"\#(Self.fixtureSource)"},"events":[{"type":"page-view"}]}"#)
            #expect(less.status == .ok && less.json["profile"] == .null, "\(less.json)")
        }
    }

    @Test("refusals are 4xx replies whose detail names the problem; refused events that parsed are in the dead-letter log")
    func refusals() async throws {
        var settings = ServerSettings()
        settings.bodyBytesMax = 4096
        try await withServer(Self.base, settings: settings) { client, data in
            let unknown = try await client.post("/track", #"{"source":{"id":"nope"},"profile":{"id":"p"},"events":[{"id":"e1","type":"page-view"}]}"#)
            #expect(unknown.status == .unauthorized && unknown.json["detail"]?.stringValue?.contains(#""nope" does not exist"#) == true, "\(unknown.json)")
            let wrongBridge = try await client.post("/track", #"{"source":{"id":"hook"},"events":[{"id":"e2","type":"page-view"}]}"#)
            #expect(wrongBridge.status == .forbidden && wrongBridge.json["detail"]?.stringValue?.contains("webhook") == true, "\(wrongBridge.json)")
            let dead = try records(data.deadLetterLog).map { try DeadLetterRecord(payload: $0.payload) }
            #expect(dead.map(\.eventID) == ["e1", "e2"] && dead.map(\.reason) == ["unknown-source", "wrong-bridge"])

            let notJSON = try await client.post("/track", "{\"source\":")
            #expect(notJSON.status == .unprocessableContent && notJSON.json["detail"]?.stringValue?.contains("not JSON") == true, "\(notJSON.json)")
            let badType = try await client.post("/track", #"{"source":{"id":"x"},"events":[{"type":7}]}"#)
            #expect(badType.status == .unprocessableContent && badType.json["detail"]?.stringValue?.contains("events[0].type") == true, "\(badType.json)")
            let large = try await client.post("/track", #"{"source":{"id":"x"},"pad":""# + String(repeating: "x", count: 5000) + #""}"#)
            #expect(large.status == .contentTooLarge && large.json["detail"]?.stringValue?.contains("4096") == true, "\(large.json)")
            let empty = try await client.post("/track", "")
            #expect(empty.status == .unprocessableContent, "\(empty.json)")
        }
    }

    @Test("/metrics counts accepted and refused events by bridge and reason, and times appends and projection waits")
    func metrics() async throws {
        try await withServer(Self.base) { client, _ in
            _ = try await client.post("/track", #"{"source":{"id":"\#(Self.fixtureSource)"},"profile":{"id":"p"},"events":[{"type":"page-view"},{"type":"page-view"}]}"#)
            _ = try await client.post("/track", #"{"source":{"id":"nope"},"events":[{"type":"page-view"}]}"#)
            let text = try await client.execute(uri: "/metrics", method: .get) { String(buffer: $0.body) }
            for line in [#"cairn_ingest_events_total{bridge="rest",outcome="accepted"} 2"#, #"cairn_ingest_events_total{bridge="rest",outcome="rejected"} 1"#,
                         #"cairn_ingest_rejections_total{reason="unknown-source"} 1"#, "cairn_append_seconds_count 1",
                         "cairn_projection_wait_seconds_count 1", "cairn_projector_lag_events 0"] {
                #expect(text.contains(line), "\(line) in \(text)")
            }
        }
    }

    @Test("/collect takes the body or the query string as the event's properties, through the webhook bridge only")
    func collect() async throws {
        try await withServer(Self.base) { client, data in
            let posted = try await client.post("/collect/order-paid/hook/s9?profile_id=p9", #"{"amount":12.5}"#)
            #expect(posted.status == .ok && posted.json["events"]?.arrayValue?.count == 1, "\(posted.json)")
            let got = try await client.get("/collect/page-view/hook?profile_id=p9&page=home")
            #expect(got.status == .ok, "\(got.json)")
            let events = try records(data.eventLog).filter { $0.kind == RecordKind.event }.map { try EventRecord.decode($0.payload) }
            #expect(events.map(\.type.rawValue) == ["order-paid", "page-view"])
            #expect(events[0].properties == ["amount": 12.5] && events[0].sessionID == "s9" && events[0].profileID == "p9")
            #expect(events[1].properties == ["page": "home"])
            let rest = try await client.post("/collect/order-paid/\(Self.fixtureSource)", "{}")
            #expect(rest.status == .forbidden, "\(rest.json)")
            let bad = try await client.post("/collect/order-paid/hook", "[1]")
            #expect(bad.status == .unprocessableContent && bad.json["detail"]?.stringValue?.contains("JSON object") == true, "\(bad.json)")
        }
    }
}
