import CairnEngine
import CairnLog
import CairnLogic
import CairnModel
@testable import CairnServer
import CairnTestSupport
import Foundation
import Testing

@Suite("Destination dispatch: the pure parts")
struct DestinationUnitTests {
    @Test("backoff doubles from the initial wait up to the cap; the last attempt has none")
    func backoff() {
        let schedule = RetrySchedule(attemptsMax: 12, backoffInitial: .milliseconds(100), backoffMax: .seconds(30))
        let delays = (1...11).map { schedule.delay(afterAttempt: $0)! }
        #expect(delays == [.milliseconds(100), .milliseconds(200), .milliseconds(400), .milliseconds(800), .milliseconds(1600),
                           .milliseconds(3200), .milliseconds(6400), .milliseconds(12_800), .milliseconds(25_600), .seconds(30), .seconds(30)])
        #expect(schedule.delay(afterAttempt: 12) == nil)
        #expect(RetrySchedule(attemptsMax: 1, backoffInitial: .milliseconds(1), backoffMax: .milliseconds(1)).delay(afterAttempt: 1) == nil)
        // A huge attempt count does not overflow: the doubling stops at the cap.
        #expect(RetrySchedule(attemptsMax: 1000, backoffInitial: .milliseconds(1), backoffMax: .seconds(1)).delay(afterAttempt: 999) == .seconds(1))
    }

    static func entry(_ changeOffset: UInt64, _ kind: Change.Kind, id: String = "p1", event: UInt64) -> ChangeEntry {
        ChangeEntry(changeOffset: changeOffset, timestampMicros: 1_000, change: Change(kind: kind, id: id, offset: event, eventID: kind == .configurationChanged ? "" : "e\(event)"))
    }

    @Test("steps: profile changes one by one, an event's changes together, the destination's own configuration changes, the rest passed over")
    func steps() {
        let entries = [
            Self.entry(10, .configurationChanged, id: "destination/other", event: 3),
            Self.entry(11, .sessionOpened, id: "s1", event: 4),
            Self.entry(12, .profileCreated, event: 4),
            Self.entry(13, .identityLinked, id: "id:p1", event: 5),
            Self.entry(14, .segmentEntered, event: 5),
            Self.entry(15, .profileUpdated, event: 5),
            Self.entry(16, .configurationChanged, id: "destination/crm", event: 6),
            Self.entry(17, .sessionUpdated, id: "s1", event: 7),
        ]
        func all(_ trigger: Destination.Trigger?) -> [DispatchStep] {
            var steps: [DispatchStep] = []
            var index = 0
            while true {
                let (step, next) = DispatchStep.next(in: entries, from: index, key: "destination/crm", trigger: trigger)
                index = next
                guard let step else { break }
                steps.append(step)
            }
            #expect(index == entries.count)
            return steps
        }
        #expect(all(.profileChange) == [.fire([entries[2]]), .fire([entries[4]]), .fire([entries[5]]), .definition(entries[6])])
        #expect(all(.event) == [.fire([entries[1], entries[2]]), .fire([entries[3], entries[4], entries[5]]), .definition(entries[6]),
                                .fire([entries[7]])])
        #expect(all(nil) == [.definition(entries[6])])
    }

    @Test("a mapping renders holes: a lone hole keeps the value's type, text holes become text, missing fields null or nothing")
    func mapping() throws {
        let template = try MappingTemplate([
            "email": "{{ profile@traits.email }}",
            "views": "{{profile@stats.views}}",
            "greeting": "Hello {{profile@traits.name}}, {{profile@stats.views}} views{{profile@traits.missing}}",
            "missing": "{{profile@traits.missing}}",
            "kind": "{{payload@kind}}",
            "items": ["{{event@properties.items[0]}}", 7, "literal"],
            "nested": ["plan": "{{profile@traits.plan}}", "flag": true],
            "session": "{{session@id}}",
        ])
        let context = DestinationContext(
            payload: ["kind": "profile.updated"],
            profile: ["traits": ["email": "ada@example.com", "name": "Ada", "plan": ["tier": "pro"]], "stats": ["views": 3]],
            event: ["properties": ["items": [["sku": "A1"]]]], nowMicros: 0)
        #expect(template.render(context) == [
            "email": "ada@example.com", "views": 3, "greeting": "Hello Ada, 3 views", "missing": nil, "kind": "profile.updated",
            "items": [["sku": "A1"], 7, "literal"], "nested": ["plan": ["tier": "pro"], "flag": true], "session": nil,
        ])
        #expect(try MappingTemplate([:]).render(context) == Optional<JSONValue>.none)
        #expect(throws: LogicError.self) { try MappingTemplate(["bad": "{{profile@traits.email"]) }
        #expect(throws: LogicError.self) { try MappingTemplate(["bad": ["{{nowhere@x}}"]]) }
    }

    @Test("a program reads the profile and the event only when it refers to them; conditions see the change and the profile")
    func program() throws {
        let plain = try DestinationProgram(Destination(id: "d", name: "d", resourceID: "r", on: .profileChange))
        #expect(!plain.readsProfile && !plain.readsEvent && plain.condition == nil)
        let event = try DestinationProgram(Destination(id: "d", name: "d", resourceID: "r", condition: "  ", on: .event))
        #expect(!event.readsProfile && event.readsEvent && event.condition == nil)
        let program = try DestinationProgram(Destination(
            id: "d", name: "d", resourceID: "r", condition: #"payload@kind == "profile.updated" AND profile@traits.plan == "pro""#,
            mapping: ["type": "{{event@type}}"], on: .profileChange))
        #expect(program.readsProfile && program.readsEvent)
        let pro = DestinationContext(payload: ["kind": "profile.updated"], profile: ["traits": ["plan": "pro"]], event: ["type": "login"], nowMicros: 0)
        let free = DestinationContext(payload: ["kind": "profile.updated"], profile: ["traits": ["plan": "free"]], event: nil, nowMicros: 0)
        #expect(program.matches(pro) && !program.matches(free))
        #expect(program.body(pro) == ["type": "login"])
        #expect(plain.body(pro) == ["kind": "profile.updated"])
        #expect(throws: LogicError.self) { try DestinationProgram(Destination(id: "d", name: "d", resourceID: "r", condition: "profile@ ==", on: .event)) }
    }

    @Test("checkpoints and dead letters round-trip through their encodings; a damaged checkpoint is refused")
    func encodings() throws {
        let checkpoint = DestinationCheckpoint(next: 1 << 40, definitionOffset: 77, deleted: true)
        let bytes = checkpoint.encoded
        #expect(bytes.count == DestinationCheckpoint.byteCount)
        #expect(try bytes.withUnsafeBytes { try DestinationCheckpoint.decode(from: $0) } == checkpoint)
        var damaged = bytes
        damaged[0] = 2
        #expect(throws: (any Error).self) { try damaged.withUnsafeBytes { try DestinationCheckpoint.decode(from: $0) } }
        let letter = DestinationDeadLetter(destinationID: "crm", changeOffset: 12, eventOffset: 5, idempotencyKey: "crm/12", attempts: 8,
                                           lastError: "HTTP 503", body: ["a": [1, "b"]])
        #expect(try DestinationDeadLetter(payload: letter.appendRecord.payload) == letter)
        #expect(letter.appendRecord.kind == DestinationDeadLetter.recordKind && letter.appendRecord.key == Array("crm".utf8))
    }

    @Test("webhook credentials need an http(s) url; headers must be strings")
    func webhookCredentials() throws {
        let target = try WebhookTarget(credentials: ["url": "https://example.com/hook", "headers": ["Authorization": "Bearer x"]], resourceID: "r")
        #expect(target.url == "https://example.com/hook" && target.headers.map(\.name) == ["Authorization"])
        #expect(throws: DeliveryFailure.self) { try WebhookTarget(credentials: ["url": "ftp://example.com"], resourceID: "r") }
        #expect(throws: DeliveryFailure.self) { try WebhookTarget(credentials: [:], resourceID: "r") }
        #expect(throws: DeliveryFailure.self) { try WebhookTarget(credentials: ["url": "http://x", "headers": ["n": 1]], resourceID: "r") }
        #expect(Delivery.idempotencyKey(destinationID: "crm", changeOffset: 42) == "crm/42")
    }
}

@Suite("Destinations: webhook delivery from the change log", .serialized)
struct DestinationDeliveryTests {
    @Test("profile changes are delivered with the mapping applied, the resource's headers and an idempotency key per change")
    func mappingAndKeys() async throws {
        try await withReceiver { receiver in
            let world = try DestinationWorld()
            defer { world.remove() }
            let configuration = [
                DestinationWorld.sourceChange,
                try world.webhook("hook", url: receiver.url("/ok/crm"), headers: ["Authorization": "Bearer t0k"]),
                DestinationWorld.destination("crm", resource: "hook", mapping: [
                    "kind": "{{payload@kind}}", "profile": "{{payload@id}}", "plan": "{{profile@traits.plan}}",
                    "note": "event at {{payload@offset}}", "fixed": ["v": 1],
                ]),
                DestinationWorld.destination("raw", resource: "hook"),
            ]
            try await world.serve(configuration) { client, data in
                try await client.track("p1", "identify", #"{"plan":"pro"}"#)
                try await client.track("p1", "page-view")
                let expected = try await profileChanges(data, count: 2)
                try await eventually("both destinations deliver both changes") { receiver.requests.count >= 4 }
                let crm = receiver.requests.filter { $0.headers[idempotencyKeyField]?.hasPrefix("crm/") == true }
                #expect(crm.map { $0.headers[idempotencyKeyField] } == expected.map { "crm/\($0.offset)" })
                #expect(crm.map(\.body) == expected.map { change -> JSONValue in
                    ["kind": .string(change.change.kind.rawValue), "profile": "p1", "plan": "pro", "note": .string("event at \(change.change.offset)"), "fixed": ["v": 1]]
                })
                #expect(crm.allSatisfy { $0.headers[.authorization] == "Bearer t0k" && $0.headers[.contentType] == "application/json" })
                // An empty mapping sends the change itself.
                let raw = receiver.requests.filter { $0.headers[idempotencyKeyField]?.hasPrefix("raw/") == true }
                #expect(raw.map(\.body) == expected.map(\.change.jsonValue))
            }
        }
    }

    @Test("a condition filters: on the change and the profile for profile changes, on the event for events")
    func conditions() async throws {
        try await withReceiver { receiver in
            let world = try DestinationWorld()
            defer { world.remove() }
            let configuration = [
                DestinationWorld.sourceChange,
                try world.webhook("hook", url: receiver.url("/ok/hook")),
                DestinationWorld.destination("pro-updates", resource: "hook",
                                             condition: #"payload@kind == "profile.updated" AND profile@traits.plan == "pro""#,
                                             mapping: ["profile": "{{profile@id}}"]),
                DestinationWorld.destination("purchases", resource: "hook", on: .event, condition: #"event@type == "purchase""#,
                                             mapping: ["event": "{{event@id}}", "total": "{{event@properties.total}}", "profile": "{{profile@id}}",
                                                       "changes": "{{payload@changes}}"]),
            ]
            try await world.serve(configuration) { client, data in
                try await client.track("p1", "identify", #"{"plan":"pro"}"#)
                try await client.track("p2", "identify", #"{"plan":"free"}"#)
                try await client.track("p1", "page-view")
                try await client.track("p2", "page-view")
                try await client.track("p2", "purchase", #"{"total":42}"#)
                try await client.track("p1", "page-view")
                try await eventually("the pro profile's two updates and the purchase") { receiver.requests.count >= 3 }
                // Let anything that should not come have its chance to.
                try await Task.sleep(for: .milliseconds(300))
                let keyed = receiver.requests.map { ($0.headers[idempotencyKeyField] ?? "", $0.body) }
                let updates = keyed.filter { $0.0.hasPrefix("pro-updates/") }.map(\.1)
                #expect(updates == [["profile": "p1"], ["profile": "p1"]])
                let purchases = keyed.filter { $0.0.hasPrefix("purchases/") }.map(\.1)
                try #require(purchases.count == 1, "\(purchases)")
                #expect(purchases[0]["total"] == 42 && purchases[0]["profile"] == "p2")
                #expect(purchases[0]["changes"]?.arrayValue?.contains { $0["kind"] == "profile.updated" } == true)
            }
        }
    }

    @Test("a receiver that stops and comes back on the same port gets every change at least once, in change-log order")
    func receiverOutage() async throws {
        try await withReceiver { receiver in
            let port = receiver.port
            let world = try DestinationWorld()
            defer { world.remove() }
            let configuration = [
                DestinationWorld.sourceChange,
                try world.webhook("hook", url: receiver.url("/ok/all")),
                DestinationWorld.destination("all", resource: "hook", mapping: ["profile": "{{payload@id}}", "kind": "{{payload@kind}}"]),
            ]
            let profiles = ["p1", "p2", "p3"]
            try await world.serve(configuration) { client, data in
                for round in 0..<4 { for profile in profiles { try await client.track(profile, "page-view", #"{"round":\#(round)}"#) } }
                await receiver.stop()
                for round in 4..<8 { for profile in profiles { try await client.track(profile, "page-view", #"{"round":\#(round)}"#) } }
                try await Task.sleep(for: .milliseconds(200))
                try await receiver.start(port: port)
                for round in 8..<10 { for profile in profiles { try await client.track(profile, "page-view", #"{"round":\#(round)}"#) } }
                let expected = try await profileChanges(data, count: 30)
                let keys = Set(expected.map { "all/\($0.offset)" })
                try await eventually("every change delivered after the outage") {
                    keys.isSubset(of: Set(receiver.requests.compactMap { $0.headers[idempotencyKeyField] }))
                }
                let offsets = receiver.requests.compactMap { $0.headers[idempotencyKeyField].flatMap { UInt64($0.dropFirst("all/".count)) } }
                // One at a time, in change-log order: a retry comes before any later change, so the
                // offsets received never go down (a change may come twice, one after the other).
                #expect(offsets == offsets.sorted(), "\(offsets)")
                for profile in profiles {
                    let received = receiver.requests.filter { $0.body["profile"] == .string(profile) }.count
                    #expect(received >= 10, "\(profile): \(received)")
                }
            }
        }
    }

    @Test("a receiver that always fails ends in dead letters after the last attempt, while another destination keeps delivering")
    func deadLetters() async throws {
        try await withReceiver { receiver in
            let world = try DestinationWorld()
            defer { world.remove() }
            let configuration = [
                DestinationWorld.sourceChange,
                try world.webhook("good-hook", url: receiver.url("/ok/good")),
                try world.webhook("bad-hook", url: receiver.url("/fail/bad")),
                DestinationWorld.destination("good", resource: "good-hook"),
                DestinationWorld.destination("bad", resource: "bad-hook", mapping: ["kind": "{{payload@kind}}"]),
            ]
            // Three attempts, 200 ms apart: the failing destination needs 400 ms per change.
            let settings = DestinationWorld.settings(attemptsMax: 3, backoff: .milliseconds(200), backoffMax: .milliseconds(200))
            let offsets = try await world.serve(configuration, settings: settings) { client, data in
                for _ in 0..<3 { try await client.track("p1", "page-view") }
                let expected = try await profileChanges(data, count: 3).map(\.offset)
                try await eventually("the good destination delivers all three") { receiver.requests("/ok/good").count >= 3 }
                #expect(try destinationDeadLetters(world.dir.path).count < 3, "the failing destination held up the other")
                try await eventually("three dead letters") { try destinationDeadLetters(world.dir.path).count >= 3 }
                let letters = try destinationDeadLetters(world.dir.path)
                #expect(letters.map(\.changeOffset) == expected)
                #expect(letters.allSatisfy { $0.destinationID == "bad" && $0.attempts == 3 && $0.lastError.contains("HTTP 500") })
                #expect(letters.map(\.idempotencyKey) == expected.map { "bad/\($0)" })
                #expect(letters.map(\.body) == [["kind": "profile.created"], ["kind": "profile.updated"], ["kind": "profile.updated"]])
                #expect(receiver.requests("/fail/bad").count == 9)
                #expect(receiver.requests("/ok/good").count == 3)
                return expected
            }
            // `cairn destination dead-letters` reads them beside (or after) the server.
            let cairn = ChildProcess.builtProduct("cairn")
            let lines = try Self.output(cairn, ["destination", "dead-letters", "--data", world.dir.path]).split(separator: "\n")
            #expect(lines.count == 3)
            #expect(lines.first.map(String.init) == "0 destination=bad change=\(offsets[0]) key=bad/\(offsets[0]) attempts=3 error=\"POST \(receiver.url("/fail/bad")): HTTP 500\"")
            let json = try Self.output(cairn, ["destination", "dead-letters", "--data", world.dir.path, "--json", "--from", "2"]).split(separator: "\n")
            try #require(json.count == 1)
            let record = try JSONParser.parse(Array(json[0].utf8))
            #expect(record["offset"] == 2 && record["record"]?["body"] == ["kind": "profile.updated"])
            #expect(record["record"]?["change_offset"] == .integer(Int64(offsets[2])))
            #expect(try Self.output(cairn, ["destination", "dead-letters", "--data", world.dir.path, "--destination", "good"]).isEmpty)
        }
    }

    /// Runs `executable`; expects status 0 and returns its output.
    static func output(_ executable: String, _ arguments: [String]) throws -> String {
        let process = try ChildProcess(executable, arguments)
        let output = process.readToEnd()
        #expect(process.wait() == 0, "\(arguments): \(output)")
        return output
    }

    @Test("the checkpoint survives a restart: nothing is delivered again but a change in flight")
    func restart() async throws {
        try await withReceiver { receiver in
            let world = try DestinationWorld()
            defer { world.remove() }
            let configuration = [
                DestinationWorld.sourceChange,
                try world.webhook("hook", url: receiver.url("/ok/crm")),
                DestinationWorld.destination("crm", resource: "hook"),
            ]
            let first = try await world.serve(configuration) { client, data in
                for _ in 0..<3 { try await client.track("p1", "page-view") }
                try await eventually("three deliveries") { receiver.requests.count >= 3 }
                return try await profileChanges(data, count: 3).map { "crm/\($0.offset)" }
            }
            #expect(first.count == 3)
            let deliveredBefore = receiver.requests.count
            let all = try await world.serve { client, data in
                for _ in 0..<2 { try await client.track("p1", "page-view") }
                let all = try await profileChanges(data, count: 5).map { "crm/\($0.offset)" }
                try await eventually("the two new changes") { Set(all).isSubset(of: Set(receiver.requests.compactMap { $0.headers[idempotencyKeyField] })) }
                return all
            }
            #expect(all.count == 5)
            let afterRestart = receiver.requests[deliveredBefore...].compactMap { $0.headers[idempotencyKeyField] }
            let again = afterRestart.filter { first.contains($0) }
            #expect(again.count <= 1, "delivered again after the restart: \(again)")
            #expect(Set(afterRestart).isSuperset(of: all[3...]))
        }
    }

    @Test("a deleted destination stops; re-created under the same id it delivers from its re-creation on, also after a restart")
    func deleteAndRecreate() async throws {
        try await withReceiver { receiver in
            let world = try DestinationWorld()
            defer { world.remove() }
            let crm = DestinationWorld.destination("crm", resource: "hook", on: .event, mapping: ["n": "{{event@properties.n}}"])
            let configuration = [DestinationWorld.sourceChange, try world.webhook("hook", url: receiver.url("/ok/crm")), crm]
            @Sendable func numbers() -> [JSONValue] {
                // Each delivery once, in order (a change in flight at a stop may come twice in a row).
                receiver.requests.map { $0.body["n"] ?? .null }.reduce(into: []) { if $0.last != $1 { $0.append($1) } }
            }
            try await world.serve(configuration) { client, data in
                try await client.track("p1", "page-view", #"{"n":1}"#)
                try await eventually("the first delivery") { numbers() == [1] }
                try await world.commit([.delete(ConfigurationKey(.destination, "crm"))], to: data)
                try await client.track("p1", "page-view", #"{"n":2}"#)
                try await world.commit([crm], to: data)
                try await client.track("p1", "page-view", #"{"n":3}"#)
                try await eventually("the delivery after the re-creation") { numbers().contains(3) }
            }
            try await world.serve { client, _ in
                try await client.track("p1", "page-view", #"{"n":4}"#)
                try await eventually("the delivery after the restart") { numbers().contains(4) }
            }
            #expect(numbers() == [1, 3, 4])
        }
    }

    @Test("destinations created and disabled while serving are followed; test mode delivers with the test credentials")
    func liveConfiguration() async throws {
        try await withReceiver { receiver in
            let world = try DestinationWorld()
            defer { world.remove() }
            var settings = DestinationWorld.settings()
            settings.testMode = true
            // Production credentials point nowhere: in test mode they are not used.
            let configuration = [
                DestinationWorld.sourceChange,
                try world.webhook("hook", url: "http://127.0.0.1:1/nowhere", testURL: receiver.url("/ok/test")),
                DestinationWorld.destination("marker", resource: "hook", mapping: ["kind": "{{payload@kind}}"]),
            ]
            try await world.serve(configuration, settings: settings) { client, data in
                try await client.track("p1", "page-view")
                try await eventually("the marker's first delivery") { receiver.requests.count >= 1 }
                try await world.commit([DestinationWorld.destination("late", resource: "hook", on: .event, mapping: ["type": "{{event@type}}"])], to: data)
                try await client.track("p1", "login")
                try await eventually("the new destination's delivery") { receiver.requests.contains { $0.body["type"] == "login" } }
                #expect(!receiver.requests.contains { $0.body["type"] == "page-view" }, "the new destination delivered a change from before it existed")
                try await world.commit([.setEnabled(ConfigurationKey(.destination, "late"), false)], to: data)
                try await client.track("p1", "purchase")
                try await eventually("the marker's delivery of the purchase's change") { receiver.requests.count >= 4 }
                try await Task.sleep(for: .milliseconds(300))
                #expect(!receiver.requests.contains { $0.body["type"] == "purchase" }, "a disabled destination delivered")
                #expect(receiver.requests.allSatisfy { $0.path == "/ok/test" })
            }
        }
    }
}
