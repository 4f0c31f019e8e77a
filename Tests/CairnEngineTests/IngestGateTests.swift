import CairnLog
import CairnModel
import CairnStore
import CairnTestSupport
import Testing
@testable import CairnEngine

/// Consents from a fixed map, as the projections would give them.
struct MapConsents: ConsentLookup {
    var byProfile: [String: SortedMap<Consent>] = [:]
    func consents(ofProfile profileID: String) throws -> SortedMap<Consent> { byProfile[profileID] ?? [:] }
}

/// A lookup that must not be consulted.
struct NoConsents: ConsentLookup {
    func consents(ofProfile profileID: String) throws -> SortedMap<Consent> {
        Issue.record("consents of \(profileID) read where no rule needs them")
        return [:]
    }
}

/// 2026-01-01T00:00:00Z and one hour, in microseconds.
let newYear: Int64 = 1_767_225_600_000_000
let hour: Int64 = 3_600_000_000

/// The configuration made of `objects`, each created at version 1.
func configuration(_ objects: [ConfigurationObject]) throws -> ConfigurationState {
    var state = ConfigurationState()
    for (offset, object) in objects.enumerated() {
        try state.apply(ConfigurationRecord(key: object.key, version: 1, action: .create, object: object), offset: UInt64(offset), timestampMicros: 0)
    }
    return state
}

/// A sign-up event from `web`, its e-mail and phone moved into the personal block as at ingest.
func signUp(_ id: String = "e1", profile: String? = "p1", time: Int64? = newYear, source: String = "web") -> Event {
    PersonalDataPolicy.default.separate(Event(
        id: id, type: EventType(normalized: "sign-up")!, clientTime: time, sourceID: source, sessionID: "s1", profileID: profile,
        properties: ["email": "ada@example.com", "plan": "pro", "address": ["city": "Paris"]],
        context: ["ip": "10.0.0.7", "page": ["url": "https://shop.example/join"]], tags: ["campaign"]))
}

let web = ConfigurationObject.eventSource(EventSourceDefinition(id: "web", name: "Web site", bridge: .rest))
let marketing = ConfigurationObject.consentType(ConsentType(name: "Marketing"))

func rule(_ id: String, fields: [String], action: ComplianceRule.Action, consents: [String] = ["marketing"], enabled: Bool = true) -> ConfigurationObject {
    .complianceRule(ComplianceRule(id: id, name: id, eventType: "sign-up", fields: fields, action: action, consents: consents, enabled: enabled))
}

func accepted(_ decision: IngestDecision, sourceLocation: SourceLocation = #_sourceLocation) -> IngestAcceptance? {
    guard case .accept(let acceptance) = decision else {
        Issue.record("expected an acceptance, got \(decision)", sourceLocation: sourceLocation)
        return nil
    }
    return acceptance
}

func rejected(_ decision: IngestDecision, sourceLocation: SourceLocation = #_sourceLocation) -> IngestRejection? {
    guard case .reject(let rejection) = decision else {
        Issue.record("expected a rejection, got \(decision)", sourceLocation: sourceLocation)
        return nil
    }
    return rejection
}

@Suite("Ingest gate: sources")
struct IngestGateSourceTests {
    @Test("an unknown source, a disabled one, a bridge the source does not have and an event naming another source are rejected, the reason naming source and bridge")
    func sourceRules() throws {
        let disabled = ConfigurationObject.eventSource(EventSourceDefinition(id: "old", name: "Old site", bridge: .rest, enabled: false))
        let state = try configuration([web, disabled])
        let cases: [(String, EventSourceDefinition.Bridge, IngestRejection.Reason, String)] = [
            ("nope", .rest, .unknownSource, #"event source "nope" does not exist (bridge rest)"#),
            ("old", .rest, .disabledSource, #"event source "old" is disabled (bridge rest)"#),
            ("web", .import, .wrongBridge, #"event source "web" takes events through rest, not import"#),
        ]
        for (source, bridge, reason, message) in cases {
            let gate = IngestGate(configuration: state, sourceID: source, bridge: bridge)
            let rejection = try #require(rejected(try gate.decide(signUp(source: source), receivedMicros: newYear, consents: NoConsents())))
            #expect(rejection.reason == reason && rejection.message == message, "\(rejection)")
            #expect(IngestRejection.Reason(name: reason.name) == reason)
        }
        let gate = IngestGate(configuration: state, sourceID: "web", bridge: .rest)
        let mismatch = try #require(rejected(try gate.decide(signUp(source: "shop"), receivedMicros: newYear, consents: NoConsents())))
        #expect(mismatch.reason == .sourceMismatch)
        #expect(mismatch.message == #"event "e1" names event source "shop" but came through "web" (bridge rest)"#)
    }

    @Test("a known, enabled source on its bridge without rules passes the event unchanged; an ephemeral source is flagged")
    func passesUnchanged() throws {
        let ephemeral = ConfigurationObject.eventSource(EventSourceDefinition(id: "hook", name: "Hook", bridge: .webhook, ephemeral: true))
        let state = try configuration([web, ephemeral, marketing])
        let event = signUp()
        let plain = try #require(accepted(try IngestGate(configuration: state, sourceID: "web", bridge: .rest).decide(event, receivedMicros: newYear, consents: NoConsents())))
        #expect(plain == IngestAcceptance(event: event))
        let hooked = try #require(accepted(try IngestGate(configuration: state, sourceID: "hook", bridge: .webhook)
            .decide(signUp(source: "hook"), receivedMicros: newYear, consents: NoConsents())))
        #expect(hooked.ephemeral && hooked.event == signUp(source: "hook"))
    }
}

@Suite("Ingest gate: data compliance")
struct IngestGateComplianceTests {
    static let ada = "b5fc85e55755f9e0d030a10ab4429b6b2944855f9a0d60077fe832becbc41d72"  // SHA-256 of ada@example.com
    static let ip = "130e4daba9786013f48dc2fccf39f91a0b3ec2cfba74ff0b645acf95229df69e"  // of 10.0.0.7
    static let paris = "6e1e312d537bc71b5410b0599f5a508142149e13174c6ee0d1671658845bc67d"  // of {"city":"Paris"}

    @Test("remove: the named fields go, wherever the personal-data policy put them; other fields stay")
    func remove() throws {
        let state = try configuration([web, marketing, rule("drop", fields: ["properties.email", "context.page.url", "properties.missing.deep"], action: .remove)])
        let gate = IngestGate(configuration: state, sourceID: "web", bridge: .rest)
        let event = signUp()
        #expect(event.personal.value(at: ["properties", "email"]) == "ada@example.com", "the policy moved it")
        let acceptance = try #require(accepted(try gate.decide(event, receivedMicros: newYear, consents: MapConsents())))
        var expected = event
        expected.personal = ["properties": ["address": ["city": "Paris"]], "context": ["ip": "10.0.0.7"]]
        expected.context = ["page": [:]]
        #expect(acceptance.event == expected)
        #expect(acceptance.complianceRuleIDs == ["drop"])
    }

    @Test("hash: each field is replaced by the SHA-256 hex of its UTF-8 (a non-string: of its canonical JSON)")
    func hash() throws {
        let state = try configuration([web, marketing, rule("mask", fields: ["properties.email", "personal.context.ip", "properties.address", "properties.plan.tier"], action: .hash)])
        let gate = IngestGate(configuration: state, sourceID: "web", bridge: .rest)
        let acceptance = try #require(accepted(try gate.decide(signUp(), receivedMicros: newYear, consents: MapConsents())))
        #expect(acceptance.event.personal == ["properties": ["email": .string(Self.ada), "address": .string(Self.paris)], "context": ["ip": .string(Self.ip)]])
        #expect(acceptance.event.properties == ["plan": "pro"], "a path through a non-object changes nothing")
        #expect(CompliancePath.hashed("ada@example.com") == Self.ada)
    }

    @Test("a granted consent keeps the fields; a grant that lapsed by the event's time, or of a disabled consent type, does not")
    func consentKeepsFields() throws {
        let state = try configuration([web, marketing, rule("drop", fields: ["properties.email"], action: .remove)])
        let gate = IngestGate(configuration: state, sourceID: "web", bridge: .rest)
        let event = signUp()
        let granted = MapConsents(byProfile: ["p1": ["marketing": Consent()]])
        #expect(try accepted(gate.decide(event, receivedMicros: newYear, consents: granted)) == IngestAcceptance(event: event))
        let lapsesLater = MapConsents(byProfile: ["p1": ["marketing": Consent(revokeMicros: newYear + 1)]])
        #expect(try accepted(gate.decide(event, receivedMicros: newYear, consents: lapsesLater))?.complianceRuleIDs == [])

        // Revoked at the event's time or before: the rule applies again.
        let lapsed = MapConsents(byProfile: ["p1": ["marketing": Consent(revokeMicros: newYear)]])
        let after = try #require(accepted(try gate.decide(event, receivedMicros: newYear, consents: lapsed)))
        #expect(after.complianceRuleIDs == ["drop"] && after.event.personal.value(at: ["properties", "email"]) == nil)
        // The same grant, for an event an hour earlier: kept.
        #expect(try accepted(gate.decide(signUp(time: newYear - hour), receivedMicros: newYear, consents: lapsed))?.complianceRuleIDs == [])
        // Without a client time the event's time is the time received.
        #expect(try accepted(gate.decide(signUp(time: nil), receivedMicros: newYear - hour, consents: lapsed))?.complianceRuleIDs == [])
        #expect(try accepted(gate.decide(signUp(time: nil), receivedMicros: newYear, consents: lapsed))?.complianceRuleIDs == ["drop"])

        let disabledMarketing = try configuration([web, .consentType(ConsentType(name: "Marketing", enabled: false)), rule("drop", fields: ["properties.email"], action: .remove)])
        let strict = IngestGate(configuration: disabledMarketing, sourceID: "web", bridge: .rest)
        #expect(try accepted(strict.decide(event, receivedMicros: newYear, consents: granted))?.complianceRuleIDs == ["drop"])
    }

    @Test("only enabled rules of the event's type apply, in id order; a rule without consents always applies; a profile-less event holds no consent")
    func ruleSelection() throws {
        let state = try configuration([
            web, marketing,
            rule("b-hash", fields: ["properties.email"], action: .hash, consents: []),
            rule("a-remove", fields: ["properties.email"], action: .remove, consents: []),
            rule("off", fields: ["properties.plan"], action: .remove, enabled: false),
            .complianceRule(ComplianceRule(id: "other", name: "Other", eventType: "page-view", fields: ["properties.plan"], action: .remove)),
        ])
        let gate = IngestGate(configuration: state, sourceID: "web", bridge: .rest)
        // No rule has consents: the lookup is not consulted.
        let acceptance = try #require(accepted(try gate.decide(signUp(), receivedMicros: newYear, consents: NoConsents())))
        #expect(acceptance.complianceRuleIDs == ["a-remove"], "removed first, nothing left to hash")
        #expect(acceptance.event.properties["plan"] == "pro" && acceptance.event.personal.value(at: ["properties", "email"]) == nil)

        let consented = try configuration([web, marketing, rule("drop", fields: ["properties.email"], action: .remove)])
        let anonymous = try #require(accepted(try IngestGate(configuration: consented, sourceID: "web", bridge: .rest)
            .decide(signUp(profile: nil), receivedMicros: newYear, consents: NoConsents())))
        #expect(anonymous.complianceRuleIDs == ["drop"])
    }

    @Test("the path syntax: a section and at least one key; other first keys name nothing")
    func paths() {
        #expect(CompliancePath("properties.email").targets == [["properties", "email"], ["personal", "properties", "email"]])
        #expect(CompliancePath("context.page.url").targets == [["context", "page", "url"], ["personal", "context", "page", "url"]])
        #expect(CompliancePath("personal.properties.email").targets == [["personal", "properties", "email"]])
        for nothing in ["properties", "session.id", "traits.email", "properties..email", ""] {
            #expect(CompliancePath(nothing).targets.isEmpty, "\(nothing)")
        }
    }
}

@Suite("Ingest gate: consent-requiring sources")
struct IngestGateConsentSourceTests {
    static let consentSource = ConfigurationObject.eventSource(EventSourceDefinition(id: "web", name: "Web site", bridge: .rest, requiresConsent: true))

    @Test("without the required consent an event keeps only id, type, time, source, session, profile and options")
    func withheld() throws {
        let state = try configuration([Self.consentSource, marketing, .consentType(ConsentType(name: "Analytics", required: true))])
        let gate = IngestGate(configuration: state, sourceID: "web", bridge: .rest)
        #expect(gate.requiredConsentIDs == ["analytics"])
        var event = signUp()
        event.options = EventOptions(saveSession: false)
        let acceptance = try #require(accepted(try gate.decide(event, receivedMicros: newYear, consents: MapConsents(byProfile: ["p1": ["marketing": Consent()]]))))
        #expect(acceptance.consentWithheld)
        #expect(acceptance.event == Event(id: "e1", type: event.type, clientTime: newYear, sourceID: "web", sessionID: "s1", profileID: "p1",
                                          options: EventOptions(saveSession: false)))
        // With it (not lapsed at the event's time), the event is whole.
        let granted = MapConsents(byProfile: ["p1": ["analytics": Consent(revokeMicros: newYear + hour)]])
        #expect(try accepted(gate.decide(event, receivedMicros: newYear, consents: granted)) == IngestAcceptance(event: event))
        let lapsed = MapConsents(byProfile: ["p1": ["analytics": Consent(revokeMicros: newYear)]])
        #expect(try accepted(gate.decide(event, receivedMicros: newYear, consents: lapsed))?.consentWithheld == true)
    }

    @Test("when no consent type is required, any enabled consent held satisfies the source")
    func anyConsent() throws {
        let state = try configuration([Self.consentSource, marketing, .consentType(ConsentType(name: "Ads", enabled: false))])
        let gate = IngestGate(configuration: state, sourceID: "web", bridge: .rest)
        #expect(try accepted(gate.decide(signUp(), receivedMicros: newYear, consents: MapConsents()))?.consentWithheld == true)
        #expect(try accepted(gate.decide(signUp(), receivedMicros: newYear, consents: MapConsents(byProfile: ["p1": ["ads": Consent()]])))?.consentWithheld == true)
        #expect(try accepted(gate.decide(signUp(), receivedMicros: newYear, consents: MapConsents(byProfile: ["p1": ["marketing": Consent()]])))?.consentWithheld == false)
    }

    @Test("a consent event keeps its consent fields: properties.consents and properties named by enabled consent types")
    func consentEvent() throws {
        let state = try configuration([Self.consentSource, marketing, .consentType(ConsentType(name: "Analytics", required: true))])
        let gate = IngestGate(configuration: state, sourceID: "web", bridge: .rest)
        let event = Event(id: "c1", type: EventType(normalized: "consent-granted")!, clientTime: newYear, sourceID: "web", profileID: "p1",
                          properties: ["analytics": true, "marketing": false, "consents": ["analytics": true], "email": "ada@example.com", "ads": true],
                          context: ["ip": "10.0.0.7"])
        let acceptance = try #require(accepted(try gate.decide(event, receivedMicros: newYear, consents: MapConsents())))
        #expect(acceptance.consentWithheld)
        #expect(acceptance.event.properties == ["analytics": true, "marketing": false, "consents": ["analytics": true]])
        #expect(acceptance.event.context.isEmpty && acceptance.event.personal.isEmpty && acceptance.event.tags.isEmpty)
    }
}

@Suite("Ingest gate: storage, replay and the dead-letter log", .serialized)
struct IngestGateStorageTests {
    @Test("consent denied: compliance removes the field before storage; the stored event lacks it, and a replay gives the same digest")
    func consentDeniedScenario() async throws {
        let dir = TemporaryDirectory("cairn-ingest")
        defer { dir.remove() }
        let data = try await DataDirectory.open(dir.path, logger: quiet)
        let store = try await ConfigurationStore.open(log: data.eventLog)
        let importSource = ConfigurationObject.eventSource(EventSourceDefinition(id: "web", name: "Web site", bridge: .import))
        try await store.commit([.put(importSource), .put(marketing), .put(rule("drop", fields: ["properties.email"], action: .remove))], checks: StandardChecks())

        let gate = IngestGate(configuration: try await store.state(), sourceID: "web", bridge: .import)
        var appender = IngestAppender(gate: gate, consents: try await ProjectionConsentLookup.open(data.store),
                                      eventLog: data.eventLog, deadLetterLog: data.deadLetterLog)
        let events = [signUp("e1"), signUp("e2", profile: "p2", time: newYear + hour), signUp("e3", source: "shop")]
        for event in events {
            try await appender.add(event, payload: event.jsonValue(includingPersonal: true), receivedMicros: newYear)
        }
        try await appender.finish()
        #expect(appender.tally.accepted == 2 && appender.tally.rejections == ["source-mismatch": 1] && appender.tally.complianceRules == ["drop": 2])

        // Read back from the log: the e-mail is gone, the rest is there.
        var stored: [Event] = []
        try data.eventLog.makeReader().scan(from: 0) { view in
            if view.kind == RecordKind.event { stored.append(try EventRecord.decode(Array(view.payload))) }
            return true
        }
        #expect(stored.map(\.id) == ["e1", "e2"])
        for event in stored {
            #expect(event.personal.value(at: ["properties", "email"]) == nil && event.properties["email"] == nil, "\(event)")
            #expect(event.properties["plan"] == "pro" && event.personal.value(at: ["context", "ip"]) == "10.0.0.7")
        }

        try await Projector.open(eventLog: data.eventLog, changeLog: data.changeLog, store: data.store, logger: quiet).catchUp()
        let live = try await ProjectionDigest.compute(data.store)
        try await data.store.close()
        let rebuilt = try await Replay.rebuild(dataPath: dir.path, eventLog: data.eventLog, liveChangeLog: data.changeLog, logger: quiet)
        #expect(rebuilt == live)
        try await data.deadLetterLog.close()
        try await data.changeLog.close()
        try await data.eventLog.close()
    }

    @Test("the projections' consents: resolved through identities (a merged id reaches its survivor); an unknown profile has none")
    func projectionLookup() async throws {
        let f = try await Fixture.make("cairn-ingest-lookup")
        let email: JSONObject = ["properties": ["email": "ada@example.com"]]
        try await f.append([(event("a", "identify", profile: "p1", session: nil, time: newYear, personal: email), newYear),
                            (event("b", "identify", profile: "p2", session: nil, time: newYear + hour, personal: email), newYear + hour)])
        try await f.projector().catchUp()
        let tables = try await ProjectionTables.open(f.store)
        try await f.store.write { txn in
            var survivor = try #require(try txn.get(tables.profiles, "p1")?.profile)
            survivor.consents["marketing"] = Consent(revokeMicros: newYear + 2 * hour)
            try txn.put(tables.profiles, "p1", ProfileValue(survivor))
        }
        let lookup = try await ProjectionConsentLookup.open(f.store)
        #expect(try lookup.consents(ofProfile: "p2") == ["marketing": Consent(revokeMicros: newYear + 2 * hour)])
        #expect(try lookup.consents(ofProfile: "p1") == ["marketing": Consent(revokeMicros: newYear + 2 * hour)])
        #expect(try lookup.consents(ofProfile: "nobody").isEmpty)
        try await f.close()
    }

    @Test("dead-letter records hold the reason, the message, the source, the bridge and the payload as sent; they round-trip")
    func deadLetters() async throws {
        let dir = TemporaryDirectory("cairn-ingest-dead")
        defer { dir.remove() }
        let data = try await DataDirectory.open(dir.path, logger: quiet)
        let gate = IngestGate(configuration: try configuration([web]), sourceID: "web", bridge: .webhook)
        var appender = IngestAppender(gate: gate, consents: MapConsents(), eventLog: data.eventLog, deadLetterLog: data.deadLetterLog)
        let payload: JSONValue = ["source": ["id": "web"], "profile": ["id": "p1"],
                                  "events": [["id": "t1", "type": "page-view"], ["id": "t2", "type": "purchase", "properties": ["total": 12]]]]
        let events = try TrackPayload.parse(payload) { _ in "unused" }
        for (index, event) in events.enumerated() {
            try await appender.add(event, payload: DeadLetterRecord.originalPayload(of: index, in: payload), receivedMicros: newYear)
        }
        try await appender.finish()
        #expect(appender.tally.rejections == ["wrong-bridge": 2] && appender.tally.accepted == 0 && data.eventLog.endOffset == 0)
        #expect(appender.tally.lines == ["accepted 0", "rejected 2 (to the dead-letter log)", "  wrong-bridge 2"])

        let records = try data.deadLetterLog.makeReader().read(from: 0, maxRecords: 10)
        #expect(records.count == 2 && records.allSatisfy { $0.kind == RecordKind.deadLetter })
        let second = try DeadLetterRecord(payload: Array(records[1].payload))
        #expect(records[1].key == Array("t2".utf8))
        #expect(second == DeadLetterRecord(reason: "wrong-bridge", message: #"event source "web" takes events through rest, not webhook"#,
                                           sourceID: "web", bridge: "webhook", eventID: "t2",
                                           payload: ["source": ["id": "web"], "profile": ["id": "p1"],
                                                     "events": [["id": "t2", "type": "purchase", "properties": ["total": 12]]]]))
        #expect(try DeadLetterRecord(payload: second.jsonValue.binaryEncoded()) == second)
        #expect(throws: EngineError.self) { try DeadLetterRecord(payload: JSONValue.object(["format": 2]).binaryEncoded()) }
        try await data.close()
    }

    @Test("the same inputs give the same decisions")
    func deterministic() throws {
        let state = try configuration([IngestGateConsentSourceTests.consentSource, marketing,
                                       rule("mask", fields: ["properties.email", "context.ip"], action: .hash)])
        let consents = MapConsents(byProfile: ["p1": ["marketing": Consent(revokeMicros: newYear + hour)]])
        let events = (0..<50).map { signUp("e\($0)", profile: $0 % 3 == 0 ? nil : "p\($0 % 4)", time: newYear + Int64($0) * hour / 10) }
        func run() throws -> [IngestDecision] {
            let gate = IngestGate(configuration: state, sourceID: "web", bridge: .rest)
            return try events.map { try gate.decide($0, receivedMicros: newYear, consents: consents) }
        }
        let first = try run()
        #expect(try run() == first)
        #expect(first.contains { accepted($0)?.consentWithheld == true } && first.contains { accepted($0)?.consentWithheld == false })
    }
}
