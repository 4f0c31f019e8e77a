import CairnModel
import Testing

@Suite("Segment payloads")
struct SegmentPayloadTests {
    static let source = "segment-source"

    /// What analytics-python's page, identify and track calls of the fixture script give.
    static func analyticsPython(anonymous: String, ids: [String], times: [Int64]) -> [Event] {
        let context: JSONObject = ["library": ["name": "analytics-python", "version": "1.4.post1"]]
        return [
            Event(
                id: ids[0], type: "page-view", clientTime: times[0], sourceID: source, profileID: anonymous,
                properties: ["url": "https://shop.example/", "title": "Home", "name": "Home", "category": "Shop"],
                context: context
            ),
            Event(
                id: ids[1], type: "identify", clientTime: times[1], sourceID: source, profileID: anonymous,
                properties: ["name": "Jane", "user_id": "user-42"], context: context,
                personal: ["properties": ["email": "jane@example.com"]]
            ),
            Event(
                id: ids[2], type: "order-completed", clientTime: times[2], sourceID: source, profileID: "user-42",
                properties: [
                    "order_id": "o-1", "total": 49.5, "currency": "EUR",
                    "products": [["sku": "SKU-1", "quantity": 1, "price": 49.5]], "user_id": "user-42",
                ],
                context: context
            ),
        ]
    }

    /// Per fixture file, per `POST /v1/batch` request in order, the events it must give.
    static let expectations: [(file: String, requests: [[Event]])] = [
        ("segment_analytics-python.json", [
            analyticsPython(
                anonymous: "a3e8bf4d-5516-4866-bffa-f8d23f59bee6",
                ids: ["a90523b4-7d24-4bab-adde-10941a41ca5b", "c875f2e1-3d62-4a22-9800-655cab76c14c", "16c34dc6-2206-4375-8eeb-2a6168496120"],
                times: [1_795_944_043_390_938, 1_795_944_043_391_069, 1_795_944_043_391_117]
            ),
        ]),
        ("segment_analytics-python_gzip_sync.json", analyticsPython(
            anonymous: "67e5eed7-172e-4f61-af7c-cdebfa3ef2bc",
            ids: ["0528bd80-3a23-48e3-ac3b-909629f27ffe", "e2664e77-79a0-45b6-aed2-d6a8ddd1d0f4", "9925bb74-1d29-462f-9c09-53fcac8d04c7"],
            times: [1_795_944_044_674_823, 1_795_944_044_680_680, 1_795_944_044_723_111]
        ).map { [$0] }),
    ]

    @Test(
        "Every analytics-python batch in the fixtures gives the expected events",
        .enabled(if: ClientFixtures.available, "client fixtures not found at ../../../shared/fixtures/clients from this file; skipped"),
        arguments: expectations.map(\.file)
    )
    func fixtures(file: String) throws {
        let expected = try #require(Self.expectations.first { $0.file == file }).requests
        let requests = try ClientFixtures.requests(file)
        try #require(requests.count == expected.count, "\(file): \(requests.count) requests")
        for (index, (request, wanted)) in zip(requests, expected).enumerated() {
            let where_ = "\(file) request \(index)"
            #expect(request["method"] == "POST" && request["path"] == "/v1/batch", "\(where_)")
            // The write key comes as the Basic user name ("seg-write-key:"), not in the body.
            #expect(request.value(at: ["headers", "Authorization"]) == "Basic c2VnLXdyaXRlLWtleTo=", "\(where_)")
            if file.contains("gzip") {
                // The capture keeps the body decoded (body_json) next to its compressed size; the
                // server gunzips before parsing.
                #expect(request.value(at: ["headers", "Content-Encoding"]) == "gzip", "\(where_)")
            }
            let body = try #require(request["body_json"])
            #expect(SegmentPayload.writeKey(in: body) == nil, "\(where_)")
            var made: [Int] = []
            let events = try SegmentPayload.parseBatch(body, sourceID: Self.source) { made.append($0); return "made-\($0)" }
            #expect(made.isEmpty, "every message carries a messageId")
            #expect(events.count == wanted.count, "\(where_)")
            for (position, (event, want)) in zip(events, wanted).enumerated() {
                #expect(event == want, "\(where_) message \(position)")
                #expect(event.sessionID == nil, "Segment has no sessions")
                #expect(try EventRecord.decode(EventRecord.encode(event)) == event, "\(where_) message \(position)")
            }
        }
    }

    @Test("Single-message endpoints: each type's profile, properties, user_id and time")
    func singleMessages() throws {
        let cases: [(SegmentPayload.MessageType, String, Event)] = [
            (.track, #"{"type":"track","event":"Signed Up","userId":42,"properties":{"plan":"pro"},"originalTimestamp":"2026-01-01T00:00:00Z"}"#,
             Event(id: "made-0", type: "signed-up", clientTime: 1_767_225_600_000_000, sourceID: Self.source, profileID: "42",
                   properties: ["plan": "pro", "user_id": "42"])),
            (.page, #"{"anonymousId":"a1","name":"Pricing","category":null,"properties":{"name":"old","url":"u"},"timestamp":"garbage","originalTimestamp":1767225600}"#,
             Event(id: "made-0", type: "page-view", clientTime: 1_767_225_600_000_000, sourceID: Self.source, profileID: "a1",
                   properties: ["name": "Pricing", "url": "u"])),
            (.screen, #"{"messageId":"m-9","anonymousId":"a1","userId":"u1","name":"Home","category":"Main","type":null}"#,
             Event(id: "m-9", type: "screen-view", sourceID: Self.source, profileID: "a1",
                   properties: ["name": "Home", "category": "Main", "user_id": "u1"])),
            (.identify, #"{"userId":"u1","traits":{"email":"x@y","plan":"pro","user_id":"spoof"},"timestamp":1767225600123}"#,
             Event(id: "made-0", type: "identify", clientTime: 1_767_225_600_123_000, sourceID: Self.source, profileID: "u1",
                   properties: ["plan": "pro", "user_id": "u1"], personal: ["properties": ["email": "x@y"]])),
            (.group, #"{"anonymousId":"a1","groupId":"g-1","traits":{"name":"Acme"}}"#,
             Event(id: "made-0", type: "group", sourceID: Self.source, profileID: "a1",
                   properties: ["name": "Acme", "group_id": "g-1"])),
            (.alias, #"{"type":"alias","previousId":"a1","userId":"u1","anonymousId":"other"}"#,
             Event(id: "made-0", type: "alias", sourceID: Self.source, profileID: "a1", properties: ["user_id": "u1"])),
        ]
        for (type, text, expected) in cases {
            var made: [Int] = []
            let event = try SegmentPayload.parseMessage(try json(text), type: type, sourceID: Self.source) { made.append($0); return "made-\($0)" }
            #expect(event == expected, "\(type)")
            #expect(made == (expected.id == "made-0" ? [0] : []), "\(type)")
        }
    }

    @Test("The batch's context and integrations under the message's; the session from context.sessionId")
    func batchContext() throws {
        let body = try json(#"""
        {"writeKey": "wk", "sentAt": "2026-11-29T09:20:43.920845+00:00",
         "context": {"ip": "10.0.0.1", "library": {"name": "x", "version": "1"}, "sessionId": "s-batch"},
         "integrations": {"All": false},
         "batch": [
           {"type": "track", "event": "A", "anonymousId": "a", "context": {"library": {"version": "2"}},
            "integrations": {"Mixpanel": true}},
           {"type": "track", "event": "B", "anonymousId": "a", "messageId": "m-1", "context": {"sessionId": 1795944043000}},
           {"type": "track", "event": "C", "anonymousId": "a", "context": {"sessionId": 17.5, "ip": null}, "integrations": null}
         ]}
        """#)
        #expect(SegmentPayload.writeKey(in: body) == "wk")
        var made: [Int] = []
        let events = try SegmentPayload.parseBatch(body, sourceID: Self.source) { made.append($0); return "made-\($0)" }
        #expect(made == [0, 2])
        #expect(events.map(\.id) == ["made-0", "m-1", "made-2"])
        #expect(events.map(\.sessionID) == ["s-batch", "1795944043000", "17.5"])
        #expect(events[0].context == [
            "library": ["name": "x", "version": "2"], "sessionId": "s-batch", "integrations": ["All": false, "Mixpanel": true],
        ])
        #expect(events[0].personal == ["context": ["ip": "10.0.0.1"]])
        #expect(events[1].context == ["library": ["name": "x", "version": "1"], "sessionId": 1_795_944_043_000, "integrations": ["All": false]])
        // A null from the message replaces the batch's value (and, being personal, is moved too).
        #expect(events[2].context == ["library": ["name": "x", "version": "1"], "sessionId": 17.5, "integrations": ["All": false]])
        #expect(events[2].personal == ["context": ["ip": nil]])
        #expect(events.allSatisfy { $0.clientTime == nil && $0.profileID == "a" && $0.properties.isEmpty })
        // No integrations at all, or only empty objects: no context.integrations.
        let plain = try SegmentPayload.parseMessage(try json(#"{"event":"x","userId":"u","integrations":{}}"#), type: .track, sourceID: Self.source) { _ in "id" }
        #expect(plain.context.isEmpty)
    }

    @Test("The write key in a body", arguments: [
        (#"{"writeKey":"k1","batch":[]}"#, "k1"),
        (#"{"writeKey":"k2","event":"x","userId":"u"}"#, "k2"),
        (#"{"writeKey":"","batch":[]}"#, nil),
        (#"{"writeKey":7,"batch":[]}"#, nil),
        (#"{"batch":[{"writeKey":"inner"}]}"#, nil),
        (#"["writeKey"]"#, nil),
    ] as [(String, String?)])
    func writeKey(text: String, key: String?) throws {
        #expect(SegmentPayload.writeKey(in: try json(text)) == key)
    }

    static let track = #"{"type":"track","event":"e","userId":"u"}"#

    @Test("Batch errors name the field path", arguments: [
        (#"[]"#, "", "expected a Segment batch (a JSON object), found an array"),
        (#"{}"#, "batch", "expected an array of messages, but it is missing"),
        (#"{"batch":{}}"#, "batch", "expected an array of messages, found an object"),
        (#"{"batch":null}"#, "batch", "expected an array of messages, found null"),
        (#"{"batch":[7]}"#, "batch[0]", "expected a message object, found an integer"),
        (#"{"context":"x","batch":[]}"#, "context", "expected an object, found a string"),
        (#"{"integrations":[],"batch":[]}"#, "integrations", "expected an object, found an array"),
        (#"{"batch":[\#(track),\#(track),{"type":"click","userId":"u"}]}"#, "batch[2].type",
         "expected one of track, page, screen, identify, group, alias, found \"click\""),
        (#"{"batch":[{"type":"Track","event":"e","userId":"u"}]}"#, "batch[0].type",
         "expected one of track, page, screen, identify, group, alias, found \"Track\""),
        (#"{"batch":[{"event":"e","userId":"u"}]}"#, "batch[0].type",
         "expected one of track, page, screen, identify, group, alias, but it is missing"),
        (#"{"batch":[{"type":1,"userId":"u"}]}"#, "batch[0].type",
         "expected one of track, page, screen, identify, group, alias, found an integer"),
        (#"{"batch":[{"type":"track","event":"e"}]}"#, "batch[0]", "expected an anonymousId or a userId, found neither"),
        (#"{"batch":[{"type":"page","anonymousId":null,"userId":null}]}"#, "batch[0]", "expected an anonymousId or a userId, found neither"),
        (#"{"batch":[{"type":"track","event":"e","anonymousId":""}]}"#, "batch[0].anonymousId",
         "expected a non-empty string, an integer or null, found an empty string"),
        (#"{"batch":[{"type":"identify","userId":{"id":"u"}}]}"#, "batch[0].userId",
         "expected a non-empty string, an integer or null, found an object"),
        (#"{"batch":[{"type":"track","userId":"u"}]}"#, "batch[0].event", "expected a non-empty string, but it is missing"),
        (#"{"batch":[{"type":"track","userId":"u","event":""}]}"#, "batch[0].event", "expected a non-empty string, found an empty string"),
        (#"{"batch":[{"type":"track","userId":"u","event":"a\tb"}]}"#, "batch[0].event", "event type contains the control character U+0009"),
        (#"{"batch":[{"type":"track","userId":"u","event":"e","messageId":5}]}"#, "batch[0].messageId",
         "expected a non-empty string or null, found an integer"),
        (#"{"batch":[{"type":"track","userId":"u","event":"e","properties":"x"}]}"#, "batch[0].properties", "expected an object, found a string"),
        (#"{"batch":[{"type":"identify","userId":"u","traits":[]}]}"#, "batch[0].traits", "expected an object, found an array"),
        (#"{"batch":[{"type":"group","userId":"u","groupId":"g","traits":1.5}]}"#, "batch[0].traits", "expected an object, found a number"),
        (#"{"batch":[{"type":"group","userId":"u"}]}"#, "batch[0].groupId", "expected a non-empty string or an integer, but it is missing"),
        (#"{"batch":[{"type":"alias","userId":"u"}]}"#, "batch[0].previousId", "expected a non-empty string or an integer, but it is missing"),
        (#"{"batch":[{"type":"alias","previousId":"p","anonymousId":"a"}]}"#, "batch[0].userId",
         "expected a non-empty string or an integer, but it is missing"),
        (#"{"batch":[{"type":"alias","previousId":"p","userId":null}]}"#, "batch[0].userId", "expected a non-empty string or an integer, found null"),
        (#"{"batch":[{"type":"page","userId":"u","name":3}]}"#, "batch[0].name", "expected a string or null, found an integer"),
        (#"{"batch":[{"type":"screen","userId":"u","category":true}]}"#, "batch[0].category", "expected a string or null, found a Boolean"),
        (#"{"batch":[{"type":"track","userId":"u","event":"e","context":[]}]}"#, "batch[0].context", "expected an object, found an array"),
        (#"{"batch":[{"type":"track","userId":"u","event":"e","integrations":"all"}]}"#, "batch[0].integrations",
         "expected an object, found a string"),
        (#"{"batch":[{"type":"track","userId":"u","event":"e","context":{"sessionId":false}}]}"#, "batch[0].context.sessionId",
         "expected a non-empty string, a number or null, found a Boolean"),
        (#"{"context":{"sessionId":""},"batch":[{"type":"track","userId":"u","event":"e"}]}"#, "context.sessionId",
         "expected a non-empty string, a number or null, found an empty string"),
    ])
    func batchErrors(text: String, path: String, message: String) throws {
        let error = try #require(throws: ModelError.self) {
            try SegmentPayload.parseBatch(try json(text), sourceID: Self.source) { _ in "id" }
        }
        #expect(error.path == path, "\(error)")
        #expect(error.message == message, "\(error)")
        #expect(error.code == (message.hasPrefix("event type") ? .invalidEventType : .invalidField))
        #expect(error.description == (path.isEmpty ? message : "\(path): \(message)"))
    }

    @Test("Single-message errors name the field, and a type must agree with the endpoint", arguments: [
        (SegmentPayload.MessageType.track, #"[]"#, "", "expected a Segment message (a JSON object), found an array"),
        (.track, #"{"type":"identify","userId":"u","event":"e"}"#, "type", "expected \"track\" (the endpoint's type) or no type, found \"identify\""),
        (.identify, #"{"type":"Identify","userId":"u"}"#, "type", "expected \"identify\" (the endpoint's type) or no type, found \"Identify\""),
        (.page, #"{"type":7,"userId":"u"}"#, "type", "expected \"page\" (the endpoint's type) or no type, found an integer"),
        (.alias, #"{"type":"alias-with-a-very-long-name-that-goes-on-and-on-and-on","userId":"u"}"#, "type",
         "expected \"alias\" (the endpoint's type) or no type, found \"alias-with-a-very-long-name-that-goes-on…\""),
        (.track, #"{"event":"e"}"#, "", "expected an anonymousId or a userId, found neither"),
        (.track, #"{"userId":"u"}"#, "event", "expected a non-empty string, but it is missing"),
        (.screen, #"{"userId":"u","properties":[1]}"#, "properties", "expected an object, found an array"),
        (.group, #"{"userId":"u","groupId":""}"#, "groupId", "expected a non-empty string or an integer, found an empty string"),
        (.alias, #"{"userId":"u","previousId":1.5}"#, "previousId", "expected a non-empty string or an integer, found a number"),
        (.identify, #"{"userId":"u","context":{"sessionId":[]}}"#, "context.sessionId", "expected a non-empty string, a number or null, found an array"),
    ])
    func messageErrors(type: SegmentPayload.MessageType, text: String, path: String, message: String) throws {
        let error = try #require(throws: ModelError.self) {
            try SegmentPayload.parseMessage(try json(text), type: type, sourceID: Self.source) { _ in "id" }
        }
        #expect(error.path == path, "\(error)")
        #expect(error.message == message, "\(error)")
        #expect(error.code == .invalidField)
    }

    @Test("More messages than the limit are refused; the limit itself is accepted")
    func messageLimit() throws {
        let message: JSONValue = ["type": "track", "event": "x", "userId": "u"]
        let full: JSONValue = ["batch": .array(Array(repeating: message, count: SegmentPayload.messagesMax))]
        #expect(try SegmentPayload.parseBatch(full, sourceID: Self.source) { "id-\($0)" }.count == SegmentPayload.messagesMax)
        let over: JSONValue = ["batch": .array(Array(repeating: message, count: SegmentPayload.messagesMax + 1))]
        var made = 0
        let error = try #require(throws: ModelError.self) { try SegmentPayload.parseBatch(over, sourceID: Self.source) { _ in made += 1; return "id" } }
        #expect(error.code == .limitExceeded)
        #expect(error.description == "batch: 1001 messages in one batch; the limit is 1000")
        #expect(made == 0, "the limit is checked before any message is read")
    }

    @Test("One bad message rejects the whole batch")
    func allOrNothing() throws {
        let body = try json(#"{"batch":[\#(Self.track),{"type":"track","event":"e"},\#(Self.track)]}"#)
        let error = try #require(throws: ModelError.self) { try SegmentPayload.parseBatch(body, sourceID: Self.source) { "id-\($0)" } }
        #expect(error.path == "batch[1]")
    }

    @Test("A custom personal-data policy applies to traits and context")
    func policy() throws {
        let body = try json(#"{"userId":"u","traits":{"name":"Jane","email":"j@x"},"context":{"ip":"1.2.3.4"}}"#)
        let none = try SegmentPayload.parseMessage(body, type: .identify, sourceID: Self.source, policy: .none) { _ in "id" }
        #expect(none.personal.isEmpty)
        #expect(none.properties == ["name": "Jane", "email": "j@x", "user_id": "u"])
        let names = try SegmentPayload.parseMessage(body, type: .identify, sourceID: Self.source, policy: PersonalDataPolicy(keys: ["name"])) { _ in "id" }
        #expect(names.properties == ["email": "j@x", "user_id": "u"])
        #expect(names.personal == ["properties": ["name": "Jane"]])
    }
}
