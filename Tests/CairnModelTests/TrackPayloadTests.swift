import CairnModel
import Testing

@Suite("Tracker payloads")
struct TrackPayloadTests {
    /// What one parsed event must look like.
    struct Expected: Sendable, CustomStringConvertible {
        var type: String
        var session: String?
        var profile: String?
        var time: Int64?
        var description: String { "\(type) session=\(session ?? "nil") profile=\(profile ?? "nil") time=\(time.map(String.init) ?? "nil")" }
    }

    static let source = "3f1d7a9e-source-0001"
    static let jsSession = "edb16216-5d4c-4909-9530-5f2978c70263"
    static let jsProfile = "bb961131-339d-4192-a538-626ba4749343"
    static let caller = "prof-from-caller-0001"

    /// Per fixture file, per `POST /track` request in order, the events it must give.
    static let expectations: [(file: String, requests: [[Expected]])] = [
        ("tracardi-js_chromium.json", [
            [Expected(type: "page-view", session: jsSession, profile: nil, time: 1_795_944_072_569_000)],
            [Expected(type: "page-view", session: jsSession, profile: jsProfile, time: 1_795_944_073_659_000)],
            [Expected(type: "page-view", session: jsSession, profile: jsProfile, time: 1_795_944_074_789_000)],
            [Expected(type: "page-view", session: jsSession, profile: jsProfile, time: 1_795_944_078_908_000)],
            [Expected(type: "identify", session: jsSession, profile: jsProfile, time: 1_795_944_078_949_000)],
            [Expected(type: "purchase", session: jsSession, profile: jsProfile, time: 1_795_944_078_959_000)],
        ]),
        ("tracardi-js_chromium_batch.json", [
            [
                Expected(type: "page-view", session: "b8db2e4b-e4c8-4617-883e-b2d5fd9381e7", profile: nil, time: 1_795_944_197_358_000),
                Expected(type: "product-view", session: "b8db2e4b-e4c8-4617-883e-b2d5fd9381e7", profile: nil, time: 1_795_944_197_360_000),
            ],
        ]),
        ("tracardi-track-client_payload-model.json", [
            ["page-view", "identify", "purchase"].map {
                Expected(type: $0, session: "6cf03966-26fd-47c7-8179-8c3a539a3151", profile: nil, time: nil)
            },
        ]),
        ("tracardi-track-client_pydantic1.json", [
            [Expected(type: "page-view", session: "c10c4c1c-0b8f-4f5e-b97f-54e4297b6427", profile: nil, time: nil)],
            [Expected(type: "identify", session: "c10c4c1c-0b8f-4f5e-b97f-54e4297b6427", profile: caller, time: nil)],
            [Expected(type: "purchase", session: "c10c4c1c-0b8f-4f5e-b97f-54e4297b6427", profile: caller, time: nil)],
        ]),
        ("tracardi-track-client_pydantic1_nosession.json", [
            [Expected(type: "page-view", session: "2ad0962f-1a54-442b-9b5f-ffee8d9ba8aa", profile: nil, time: nil)],
        ]),
        ("tracardi-track-client_pydantic2.json", [
            [Expected(type: "page-view", session: "95e1f4c4-3571-4b0a-ad10-8d907140d683", profile: nil, time: nil)],
            [Expected(type: "identify", session: "95e1f4c4-3571-4b0a-ad10-8d907140d683", profile: caller, time: nil)],
            [Expected(type: "purchase", session: "95e1f4c4-3571-4b0a-ad10-8d907140d683", profile: caller, time: nil)],
        ]),
    ]

    @Test(
        "Every Tracardi track payload in the fixtures gives the expected events",
        .enabled(if: ClientFixtures.available, "client fixtures not found at ../../../shared/fixtures/clients from this file; skipped"),
        arguments: expectations.map(\.file)
    )
    func fixtures(file: String) throws {
        let expected = try #require(Self.expectations.first { $0.file == file }).requests
        let bodies = try ClientFixtures.requests(file)
            .filter { $0["method"] == "POST" && $0["path"] == "/track" }
            .map { try #require($0["body_json"]) }
        try #require(bodies.count == expected.count, "\(file): \(bodies.count) track requests")
        for (request, (body, wanted)) in zip(bodies, expected).enumerated() {
            var ids: [Int] = []
            let events = try TrackPayload.parse(body) { index in
                ids.append(index)
                return "gen-\(request)-\(index)"
            }
            #expect(events.count == wanted.count, "\(file) request \(request)")
            #expect(ids == Array(0..<wanted.count), "no fixture event carries an id; each gets one from the caller")
            for (index, (event, want)) in zip(events, wanted).enumerated() {
                let where_ = "\(file) request \(request) event \(index)"
                #expect(event.id == "gen-\(request)-\(index)", "\(where_)")
                #expect(event.type.rawValue == want.type, "\(where_)")
                #expect(event.sourceID == Self.source, "\(where_)")
                #expect(event.sessionID == want.session, "\(where_)")
                #expect(event.profileID == want.profile, "\(where_)")
                #expect(event.clientTime == want.time, "\(where_)")
                #expect(event.options == EventOptions(), "\(where_)")
                // Personal data never stays in properties.
                #expect(event.properties["email"] == nil, "\(where_)")
                if want.type == "identify" {
                    #expect(event.personal.value(at: ["properties", "email"]) == "jane@example.com", "\(where_)")
                }
                // Whatever happens to the event, its record round-trips.
                #expect(try EventRecord.decode(EventRecord.encode(event)) == event, "\(where_)")
            }
        }
    }

    @Test(
        "tracardi-js context: the payload's context under the event's, and the device id kept",
        .enabled(if: ClientFixtures.available, "client fixtures not found; skipped")
    )
    func javascriptContext() throws {
        let body = try #require(try ClientFixtures.requests("tracardi-js_chromium.json").first { $0["method"] == "POST" }?["body_json"])
        let event = try #require(try TrackPayload.parse(body) { _ in "e" }.first)
        #expect(event.context.string(at: ["page", "path"]) == "/page.html")
        #expect(event.context.string(at: ["browser", "local", "browser", "name"]) == "chrome")
        #expect(event.context.string(at: ["time", "local"]) == "2026-11-29T09:21:12.570Z")
        #expect(event.context.value(at: ["screen", "local", "width"]) == 800)
        #expect(event.context.string(at: ["device", "id"]) == "f33e0dc8-6ced-4090-b0a3-f40f3506c183")
        #expect(event.properties == ["url": "http://127.0.0.1:8687/page.html?n=1", "n": "1"])
    }

    @Test(
        "Request bodies of other protocols are rejected with the field named",
        .enabled(if: ClientFixtures.available, "client fixtures not found; skipped"),
        arguments: ["posthog.json", "segment_analytics-python.json", "segment_analytics-python_gzip_sync.json"]
    )
    func otherProtocols(file: String) throws {
        for request in try ClientFixtures.requests(file) {
            guard let body = request["body_json"], !body.isNull else { continue }
            let error = try #require(throws: ModelError.self) { try TrackPayload.parse(body) { _ in "x" } }
            #expect(error.code == .invalidField)
            #expect(error.path == "source")
        }
    }

    @Test("Event ids, options, tags, time and context merging")
    func synthetic() throws {
        let body = try json(#"""
        {"source": {"id": "src"}, "session": {"id": "s1"}, "profile": {"id": "p1"},
         "context": {"page": {"url": "a", "title": "T"}, "ip": "10.0.0.1", "lang": "en"},
         "options": {"saveSession": false, "saveEvents": false},
         "metadata": {"time": {"insert": "2020-01-01T00:00:00Z"}}, "request": {"headers": {}},
         "events": [
           {"id": "client-id", "type": "Page View", "time": 1795944072575, "tags": ["a", "b"],
            "context": {"page": {"url": "b"}, "lang": null}, "options": {"saveEvent": true, "saveProfile": "no"}},
           {"type": "purchase", "time": "garbage", "properties": {"Email": "x@y", "total": 1}},
           {"type": "login", "properties": null, "context": null, "options": null, "tags": null}
         ]}
        """#)
        var made: [Int] = []
        let events = try TrackPayload.parse(body) { made.append($0); return "made-\($0)" }
        #expect(made == [1, 2])
        #expect(events.map(\.id) == ["client-id", "made-1", "made-2"])
        #expect(events.map(\.type.rawValue) == ["page-view", "purchase", "login"])
        #expect(events.map(\.clientTime) == [1_795_944_072_575_000, nil, nil])
        #expect(events[0].tags == ["a", "b"])
        #expect(events[0].options == EventOptions(saveEvent: true, saveSession: false, saveProfile: true))
        #expect(events[1].options == EventOptions(saveEvent: false, saveSession: false, saveProfile: true))
        // Event context wins, recursively; payload context fills in; `ip` is personal.
        #expect(events[0].context == ["page": ["url": "b", "title": "T"], "lang": nil])
        #expect(events[0].personal == ["context": ["ip": "10.0.0.1"]])
        #expect(events[1].context == ["page": ["url": "a", "title": "T"], "lang": "en"])
        #expect(events[1].properties == ["total": 1])
        #expect(events[1].personal == ["context": ["ip": "10.0.0.1"], "properties": ["Email": "x@y"]])
        #expect(events[2].properties.isEmpty && events[2].tags.isEmpty)
        #expect(events.allSatisfy { $0.sourceID == "src" && $0.sessionID == "s1" && $0.profileID == "p1" })
        // metadata is ignored: it appears nowhere.
        #expect(events.allSatisfy { $0.context["metadata"] == nil && $0.properties["metadata"] == nil })
    }

    @Test("Profile-less and session-less payloads")
    func absentEntities() throws {
        let events = try TrackPayload.parse(try json(#"""
        {"source": {"id": "src"}, "profile": {"id": "p"}, "profile_less": true, "session": {"id": null},
         "events": [{"type": "x"}]}
        """#)) { _ in "id" }
        #expect(events.first?.profileID == nil)
        #expect(events.first?.sessionID == nil)
        #expect(try TrackPayload.parse(try json(#"{"source":{"id":"s"},"events":[]}"#)) { _ in "" }.isEmpty)
        // Without events, as Tracardi allows (a client asking only for its profile).
        #expect(try TrackPayload.parse(try json(#"{"source":{"id":"s"}}"#)) { _ in "" }.isEmpty)
        #expect(try TrackPayload.parse(try json(#"{"source":{"id":"s"},"events":null}"#)) { _ in "" }.isEmpty)
    }

    @Test("Errors name the field path", arguments: [
        (#"[]"#, "", "expected a tracker payload (a JSON object), found an array"),
        (#"{"events":[]}"#, "source", "expected an object with an \"id\", but it is missing"),
        (#"{"source":{"id":""},"events":[]}"#, "source.id", "expected a non-empty string, found an empty string"),
        (#"{"source":{"id":7},"events":[]}"#, "source.id", "expected a non-empty string, found an integer"),
        (#"{"source":{"id":"s"},"events":"page-view"}"#, "events", "expected an array of events, found a string"),
        (#"{"source":{"id":"s"},"events":{}}"#, "events", "expected an array of events, found an object"),
        (#"{"source":{"id":"s"},"session":"abc","events":[]}"#, "session", "expected an object with an \"id\", or null, found a string"),
        (#"{"source":{"id":"s"},"profile":{"id":5},"events":[]}"#, "profile.id", "expected a non-empty string or null, found an integer"),
        (#"{"source":{"id":"s"},"context":[],"events":[]}"#, "context", "expected an object, found an array"),
        (#"{"source":{"id":"s"},"events":[{"type":"a"},{"type":"b"},{"type":null}]}"#, "events[2].type", "expected a non-empty string, found null"),
        (#"{"source":{"id":"s"},"events":[{"properties":{}}]}"#, "events[0].type", "expected a non-empty string, but it is missing"),
        (#"{"source":{"id":"s"},"events":[{"type":"a\tb"}]}"#, "events[0].type", "event type contains the control character U+0009"),
        (#"{"source":{"id":"s"},"events":[7]}"#, "events[0]", "expected an event object, found an integer"),
        (#"{"source":{"id":"s"},"events":[{"type":"a","properties":"x"}]}"#, "events[0].properties", "expected an object, found a string"),
        (#"{"source":{"id":"s"},"events":[{"type":"a","tags":["x",1]}]}"#, "events[0].tags[1]", "expected a string, found an integer"),
        (#"{"source":{"id":"s"},"events":[{"type":"a","id":3}]}"#, "events[0].id", "expected a non-empty string or null, found an integer"),
    ])
    func errors(text: String, path: String, message: String) throws {
        let error = try #require(throws: ModelError.self) { try TrackPayload.parse(try json(text)) { _ in "id" } }
        #expect(error.path == path, "\(error)")
        #expect(error.message == message, "\(error)")
        #expect(error.description == (path.isEmpty ? message : "\(path): \(message)"))
    }

    @Test("More events than the limit are refused")
    func eventLimit() throws {
        let events = JSONValue.array(Array(repeating: ["type": "x"], count: TrackPayload.eventsMax + 1))
        let body: JSONValue = ["source": ["id": "s"], "events": events]
        let error = try #require(throws: ModelError.self) { try TrackPayload.parse(body) { _ in "id" } }
        #expect(error.code == .limitExceeded)
    }
}

@Suite("Corpus lines")
struct CorpusLineTests {
    @Test("Every corpus sample parses with its id, type, time, source, session and profile")
    func samples() throws {
        let events = try CorpusSamples.events
        #expect(events.map(\.type.rawValue) == ["page-view", "purchase", "product-view", "identify", "add-to-cart"])
        #expect(events.map(\.clientTime) == [
            1_767_225_600_172_029, 1_767_225_604_100_234, 1_767_225_607_370_655, 1_767_225_607_379_448, 1_767_225_612_520_890,
        ])
        #expect(events[0].id == "ada1edc1-4b2e-4cae-9d05-ecd5ca727a6c")
        #expect(events[0].sessionID == "484682ea-250b-4526-867d-9b1a496c85a1")
        #expect(events[0].profileID == "abc4bfd1-7f51-45ad-8b2e-460131f56750")
        #expect(events.allSatisfy { $0.sourceID == "cairn-web-store" && $0.options == EventOptions() })
        #expect(events[0].context.string(at: ["utm", "campaign"]) == "winter_sale_2026")
        #expect(events[1].properties.value(at: ["total"]) == 44.99)
        #expect(events[2].properties["name"] == "Micro Canister Stove", "a product's name is not personal data")
    }

    @Test("Errors name the field")
    func errors() throws {
        let missingID = try #require(throws: ModelError.self) { try CorpusLine.parse(try json(#"{"type":"x","source":{"id":"s"}}"#)) }
        #expect(missingID.description == "id: expected a non-empty string, but it is missing")
        let badType = try #require(throws: ModelError.self) { try CorpusLine.parse(try json(#"{"id":"i","type":"","source":{"id":"s"}}"#)) }
        #expect(badType.description == "type: expected a non-empty string, found an empty string")
        let badJSON = try #require(throws: ModelError.self) { try CorpusLine.parse(line: Array(#"{"id":"#.utf8)) }
        #expect(badJSON.code == .invalidJSON)
    }
}
