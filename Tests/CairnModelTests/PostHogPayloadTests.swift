import CairnModel
import Testing

@Suite("PostHog payloads")
struct PostHogPayloadTests {
    static let source = "posthog-source"

    /// What posthog-python's capture, alias, set and capture calls of the fixture script give.
    static var fixtureEvents: [Event] {
        let library: JSONObject = ["lib": "posthog-python", "lib_version": "7.91.1", "geoip_disable": true, "is_server": true]
        let runtime = library.merging([
            "python_runtime": "CPython", "python_version": "3.11.7", "os": "Linux", "os_version": "12", "os_distro": "Debian GNU/Linux",
        ])
        let anonymous = "9acefaaa-f831-42b5-ba1c-9aee736ed9b6"
        return [
            Event(
                id: "fb12bc89-a450-41a6-8ec8-539729fd0630", type: "page-view", clientTime: 1_795_944_045_087_465, sourceID: source,
                profileID: anonymous, properties: ["user_id": .string(anonymous)],
                context: ["posthog": .object(runtime.merging(["current_url": "https://shop.example/"]))]
            ),
            // alias(previous_id, distinct_id): the anonymous profile, linked by user_id to user-42.
            Event(
                id: "dad77eef-0f37-47a8-9b57-fd04485a746e", type: "alias", clientTime: 1_795_944_045_087_655, sourceID: source,
                profileID: anonymous, properties: ["alias": "user-42", "user_id": "user-42"], context: ["posthog": .object(library)]
            ),
            // set(): the `$set` event, with `$set` beside its properties, is an identify.
            Event(
                id: "f2507141-41ac-48d4-b402-bf7246b6c54e", type: "identify", clientTime: 1_795_944_045_087_807, sourceID: source,
                profileID: "user-42", properties: ["user_id": "user-42"], context: ["posthog": .object(library)],
                personal: ["properties": ["email": "jane@example.com"]]
            ),
            Event(
                id: "1098ee27-80d6-45f0-90e8-eb52dd1424ab", type: "purchase", clientTime: 1_795_944_045_087_988, sourceID: source,
                profileID: "user-42", properties: ["order_id": "o-1", "total": 49.5, "user_id": "user-42"],
                context: ["posthog": .object(runtime)]
            ),
        ]
    }

    @Test(
        "The posthog-python batch in the fixtures gives the expected events",
        .enabled(if: ClientFixtures.available, "client fixtures not found at ../../../shared/fixtures/clients from this file; skipped")
    )
    func fixture() throws {
        let requests = try ClientFixtures.requests("posthog.json")
        try #require(requests.count == 1)
        let request = requests[0]
        #expect(request["method"] == "POST" && request["path"] == "/batch/")
        #expect(request.value(at: ["headers", "Authorization"]) == nil, "the key is in the body")
        let body = try #require(request["body_json"])
        #expect(PostHogPayload.apiKey(in: body) == "phc_test_key")
        var made: [Int] = []
        let events = try PostHogPayload.parseBatch(body, sourceID: Self.source) { made.append($0); return "made-\($0)" }
        #expect(made.isEmpty, "every event carries a uuid")
        let expected = Self.fixtureEvents
        try #require(events.count == expected.count)
        for (index, (event, want)) in zip(events, expected).enumerated() {
            #expect(event == want, "event \(index)")
            #expect(event.sessionID == nil, "posthog-python sends no $session_id")
            #expect(try EventRecord.decode(EventRecord.encode(event)) == event, "event \(index)")
        }
    }

    @Test("posthog-js shapes: an array body, ids and the key in properties, $identify, $set and $set_once, $session_id")
    func javascriptShapes() throws {
        let body = try json(#"""
        [{"event": "$identify", "uuid": "u-1", "timestamp": 1795944045000,
          "properties": {"distinct_id": "user-7", "token": "phc_js", "$anon_distinct_id": "anon-7", "$session_id": "sess-1",
                         "$current_url": "https://x/", "$ip": "10.0.0.2", "plan": "free",
                         "$set": {"email": "a@b", "plan": "pro", "$browser": "Chrome"},
                         "$set_once": {"first_seen": "2026-01-01", "plan": "trial", "$initial_referrer": "$direct"}}},
         {"event": "$pageleave", "offset": 120, "properties": {"distinct_id": "anon-8", "$process_person_profile": false}},
         {"event": "$screen", "distinct_id": 7, "properties": {"$screen_name": "Home"}},
         {"event": "$autocapture", "distinct_id": "d", "properties": null, "timestamp": "2026-01-01T00:00:00Z"},
         {"event": "$exception", "distinct_id": "d", "$set_once": {"first_error": "x"}},
         {"event": "Signed Up", "distinct_id": "d", "properties": {"distinct_id": "ignored", "$set": null}}]
        """#)
        #expect(PostHogPayload.apiKey(in: body) == "phc_js")
        var made: [Int] = []
        let events = try PostHogPayload.parseBatch(body, sourceID: Self.source) { made.append($0); return "made-\($0)" }
        #expect(made == [1, 2, 3, 4, 5])
        #expect(events.count == 6)
        #expect(events[0] == Event(
            id: "u-1", type: "identify", clientTime: 1_795_944_045_000_000, sourceID: Self.source, sessionID: "sess-1", profileID: "anon-7",
            // Own "free", $set_once's "trial" only where nothing is set, $set's "pro" over both.
            properties: ["plan": "pro", "first_seen": "2026-01-01", "user_id": "user-7"],
            context: ["posthog": [
                "anon_distinct_id": "anon-7", "session_id": "sess-1", "current_url": "https://x/",
                "set": ["browser": "Chrome"], "set_once": ["initial_referrer": "$direct"],
            ]],
            personal: ["properties": ["email": "a@b"], "context": ["ip": "10.0.0.2"]]
        ))
        #expect(events[1] == Event(
            id: "made-1", type: "page-leave", sourceID: Self.source, profileID: "anon-8",
            context: ["posthog": ["process_person_profile": false]]
        ))
        #expect(events[2] == Event(
            id: "made-2", type: "screen-view", sourceID: Self.source, profileID: "7", properties: ["user_id": "7"],
            context: ["posthog": ["screen_name": "Home"]]
        ))
        #expect(events[3] == Event(
            id: "made-3", type: "autocapture", clientTime: 1_767_225_600_000_000, sourceID: Self.source, profileID: "d",
            properties: ["user_id": "d"]
        ))
        #expect(events[4] == Event(
            id: "made-4", type: "exception", sourceID: Self.source, profileID: "d", properties: ["first_error": "x", "user_id": "d"]
        ))
        #expect(events[5] == Event(id: "made-5", type: "signed-up", sourceID: Self.source, profileID: "d", properties: ["user_id": "d"]))
    }

    @Test("Single events: /capture/ bodies with the key beside the event")
    func singleEvents() throws {
        let identify = try json(#"""
        {"api_key": "phc_1", "event": "$identify", "distinct_id": "user-9", "timestamp": "2026-01-01T01:00:00+01:00",
         "$set": {"email": "n@x", "tier": 2}, "properties": {"$set": {"tier": 3}, "$lib": "curl"}}
        """#)
        #expect(PostHogPayload.apiKey(in: identify) == "phc_1")
        var made: [Int] = []
        let event = try PostHogPayload.parseEvent(identify, sourceID: Self.source) { made.append($0); return "made-\($0)" }
        #expect(made == [0])
        // Without $anon_distinct_id the distinct id is the profile and the user id; the
        // properties' $set is put over the event's.
        #expect(event == Event(
            id: "made-0", type: "identify", clientTime: 1_767_225_600_000_000, sourceID: Self.source, profileID: "user-9",
            properties: ["tier": 3, "user_id": "user-9"], context: ["posthog": ["lib": "curl"]],
            personal: ["properties": ["email": "n@x"]]
        ))
        let plain = try PostHogPayload.parseEvent(try json(#"{"event":"$$odd name","distinct_id":"d","uuid":"x-1"}"#), sourceID: Self.source) { _ in "no" }
        #expect(plain.id == "x-1")
        #expect(plain.type.rawValue == "$odd-name", "one leading $ is dropped")
        #expect(PostHogPayload.apiKey(in: try json(#"{"event":"e","distinct_id":"d","properties":{"token":"phc_t"}}"#)) == "phc_t")
    }

    @Test("The API key in a body", arguments: [
        (#"{"api_key":"k0","batch":[{"api_key":"k1"}]}"#, "k0"),
        (#"{"batch":[{"event":"e"},{"api_key":"k1"},{"api_key":"k2"}]}"#, "k1"),
        (#"{"batch":[{"properties":{"token":"t1"}},{"api_key":"k2"}]}"#, "t1"),
        (#"[{"event":"e"},{"properties":{"token":"t2"}}]"#, "t2"),
        (#"{"api_key":"k3","event":"e"}"#, "k3"),
        (#"{"api_key":"","event":"e"}"#, nil),
        (#"{"api_key":5,"batch":[]}"#, nil),
        (#"{"batch":[]}"#, nil),
        (#""phc""#, nil),
    ] as [(String, String?)])
    func apiKey(text: String, key: String?) throws {
        #expect(PostHogPayload.apiKey(in: try json(text)) == key)
    }

    static let capture = #"{"event":"e","distinct_id":"d"}"#

    @Test("Batch errors name the field path", arguments: [
        (#""x""#, "", "expected a PostHog batch (a JSON object or array), found a string"),
        (#"{}"#, "batch", "expected an array of events, but it is missing"),
        (#"{"batch":{}}"#, "batch", "expected an array of events, found an object"),
        (#"{"batch":[1]}"#, "batch[0]", "expected an event object, found an integer"),
        (#"[\#(capture),null]"#, "[1]", "expected an event object, found null"),
        (#"{"batch":[\#(capture),\#(capture),{"distinct_id":"d"}]}"#, "batch[2].event", "expected a non-empty string, but it is missing"),
        (#"{"batch":[{"event":"$","distinct_id":"d"}]}"#, "batch[0].event", "event type is empty"),
        (#"{"batch":[{"event":"e"}]}"#, "batch[0].distinct_id", "expected a non-empty string or an integer, but it is missing"),
        (#"{"batch":[{"event":"e","distinct_id":null}]}"#, "batch[0].distinct_id", "expected a non-empty string or an integer, found null"),
        (#"{"batch":[{"event":"e","distinct_id":{"id":1}}]}"#, "batch[0].distinct_id",
         "expected a non-empty string, an integer or null, found an object"),
        (#"{"batch":[{"event":"e","properties":{"distinct_id":true}}]}"#, "batch[0].properties.distinct_id",
         "expected a non-empty string, an integer or null, found a Boolean"),
        (#"{"batch":[{"event":"e","distinct_id":"d","uuid":5}]}"#, "batch[0].uuid", "expected a non-empty string or null, found an integer"),
        (#"{"batch":[{"event":"e","distinct_id":"d","properties":"x"}]}"#, "batch[0].properties", "expected an object, found a string"),
        (#"{"batch":[{"event":"e","distinct_id":"d","$set":"x"}]}"#, "batch[0].$set", "expected an object, found a string"),
        (#"{"batch":[{"event":"e","distinct_id":"d","properties":{"$set_once":[]}}]}"#, "batch[0].properties.$set_once",
         "expected an object, found an array"),
        (#"{"batch":[{"event":"$create_alias","distinct_id":"d"}]}"#, "batch[0].properties.alias",
         "expected a non-empty string or an integer, but it is missing"),
        (#"{"batch":[{"event":"$identify","distinct_id":"d","properties":{"$anon_distinct_id":true}}]}"#,
         "batch[0].properties.$anon_distinct_id", "expected a non-empty string, an integer or null, found a Boolean"),
        (#"{"batch":[{"event":"e","distinct_id":"d","properties":{"$session_id":{}}}]}"#, "batch[0].properties.$session_id",
         "expected a non-empty string, an integer or null, found an object"),
    ])
    func batchErrors(text: String, path: String, message: String) throws {
        let error = try #require(throws: ModelError.self) {
            try PostHogPayload.parseBatch(try json(text), sourceID: Self.source) { _ in "id" }
        }
        #expect(error.path == path, "\(error)")
        #expect(error.message == message, "\(error)")
        #expect(error.code == (message.hasPrefix("event type") ? .invalidEventType : .invalidField))
        #expect(error.description == (path.isEmpty ? message : "\(path): \(message)"))
    }

    @Test("Single-event errors name the field", arguments: [
        (#"[]"#, "", "expected a PostHog event (a JSON object), found an array"),
        (#"{"event":"e"}"#, "distinct_id", "expected a non-empty string or an integer, but it is missing"),
        (#"{"event":7,"distinct_id":"d"}"#, "event", "expected a non-empty string, found an integer"),
        (#"{"event":"e","distinct_id":""}"#, "distinct_id", "expected a non-empty string, an integer or null, found an empty string"),
        (#"{"event":"$create_alias","distinct_id":"d","properties":{"alias":""}}"#, "properties.alias",
         "expected a non-empty string or an integer, found an empty string"),
    ])
    func eventErrors(text: String, path: String, message: String) throws {
        let error = try #require(throws: ModelError.self) {
            try PostHogPayload.parseEvent(try json(text), sourceID: Self.source) { _ in "id" }
        }
        #expect(error.path == path, "\(error)")
        #expect(error.message == message, "\(error)")
    }

    @Test("More events than the limit are refused; the limit itself is accepted")
    func eventLimit() throws {
        let event: JSONValue = ["event": "x", "distinct_id": "d"]
        let full: JSONValue = ["batch": .array(Array(repeating: event, count: PostHogPayload.eventsMax))]
        #expect(try PostHogPayload.parseBatch(full, sourceID: Self.source) { "id-\($0)" }.count == PostHogPayload.eventsMax)
        for (body, path) in [
            (JSONValue.object(["batch": .array(Array(repeating: event, count: PostHogPayload.eventsMax + 1))]), "batch"),
            (.array(Array(repeating: event, count: PostHogPayload.eventsMax + 1)), ""),
        ] {
            let error = try #require(throws: ModelError.self) { try PostHogPayload.parseBatch(body, sourceID: Self.source) { _ in "id" } }
            #expect(error.code == .limitExceeded)
            #expect(error.path == path)
            #expect(error.message == "1001 events in one batch; the limit is 1000")
        }
    }
}
