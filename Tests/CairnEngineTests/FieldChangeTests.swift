import CairnModel
import CairnTestSupport
import Testing
@testable import CairnEngine

@Suite("Field-level diffs")
struct FieldChangeTests {
    @Test("nested objects are compared key by key; other values whole; order follows the keys")
    func diff() {
        let before: JSONValue = ["a": 1, "b": ["x": "old", "y": true], "c": [1, 2], "e": "gone", "g": ["h": 1]]
        let after: JSONValue = ["a": 1, "b": ["x": "new", "y": true, "z": .null], "c": [1, 3], "d": ["k": 2], "g": 5]
        let changes = FieldChange.diff(before, after)
        #expect(changes.map(\.path) == ["b.x", "b.z", "c", "d.k", "e", "g"])
        #expect(changes[0].before == "old" && changes[0].after == "new")
        #expect(changes[1].before == nil && changes[1].after == .null)
        #expect(changes[4].before == "gone" && changes[4].after == nil)
        #expect(changes[5].before == ["h": 1] && changes[5].after == 5)
        #expect(FieldChange.diff(before, before).isEmpty)
        #expect(FieldChange.diff(nil, ["a": ["b": 1]]).map(\.path) == ["a.b"])
        #expect(FieldChange.diff(["a": [:]], ["a": [:]]).isEmpty)
    }
}

/// Random profiles and sessions, and random edits of them, for the typed diffs' equivalence test.
struct EntityMaker {
    var rng: SplitMix64

    mutating func pick<T>(_ choices: [T]) -> T { choices[rng.below(choices.count)] }

    mutating func object(depth: Int = 0) -> JSONObject {
        var object: JSONObject = [:]
        for _ in 0..<rng.below(4) {
            let key = pick(["a", "b", "city", "email", "ü", "x.y", ""])
            switch rng.below(depth < 2 ? 7 : 5) {
            case 0: object[key] = .string(pick(["", "Köln", "x", "new"]))
            case 1: object[key] = .integer(Int64(rng.below(5)) - 2)
            case 2: object[key] = .number(Double(rng.below(100)) / 8)
            case 3: object[key] = pick([.null, .bool(true), .bool(false)])
            case 4: object[key] = .array([.integer(Int64(rng.below(3)))])
            default: object[key] = .object(self.object(depth: depth + 1))
            }
        }
        return object
    }

    mutating func time() -> Int64 { 1_767_225_600_000_000 + Int64(rng.below(10)) * 1_000_003 }

    mutating func profile(id: String = "p1") -> Profile {
        var profile = Profile(id: id, insertMicros: time())
        edit(&profile)
        return profile
    }

    /// Changes a random subset of the profile's fields.
    mutating func edit(_ profile: inout Profile) {
        if rng.chance(0.3) { profile.addID(pick(["p0", "p2", "p3"])) }
        if rng.chance(0.4) { profile.traits = object() }
        if rng.chance(0.3) { profile.pii = object() }
        if rng.chance(0.4) { profile.stats.visits += Int64(rng.below(2)) }
        if rng.chance(0.4) { profile.stats.views += Int64(rng.below(2)) }
        if rng.chance(0.4) { profile.stats.counters[pick(["page-view", "purchase", "x"])] = Int64(rng.below(3)) }
        if rng.chance(0.2) { profile.interests[pick(["hiking", "tea"])] = Double(rng.below(4)) / 2 }
        if rng.chance(0.2) { profile.addSegment(pick(["buyers", "vip"])) }
        if rng.chance(0.2) { profile.consents[pick(["marketing", "ads"])] = Consent(revokeMicros: rng.chance(0.5) ? time() : nil) }
        if rng.chance(0.4) { profile.metadata.updateMicros = time() }
        if rng.chance(0.3) { profile.metadata.lastVisitMicros = time() }
        if rng.chance(0.1) { profile.metadata.insertMicros = time() }
        if rng.chance(0.1) { profile.active.toggle() }
    }

    mutating func session() -> Session {
        var session = Session(id: "s1", profileID: rng.chance(0.5) ? "p1" : nil, startMicros: time())
        edit(&session)
        return session
    }

    mutating func edit(_ session: inout Session) {
        if rng.chance(0.3) { session.profileID = rng.chance(0.7) ? pick(["p1", "p2"]) : nil }
        if rng.chance(0.3) { session.context.device = object() }
        if rng.chance(0.2) { session.context.os = object() }
        if rng.chance(0.2) { session.context.app = object() }
        if rng.chance(0.2) { session.context.utm = object() }
        if rng.chance(0.5) { session.context.page = object() }
        if rng.chance(0.3) { session.startMicros = time() }
        if rng.chance(0.5) { session.lastEventMicros = time() }
        if rng.chance(0.5) { session.durationMicros = Int64(rng.below(5_000_000)) }
        if rng.chance(0.2) { session.status = rng.chance(0.5) ? .open : .closed }
        if rng.chance(0.5) { session.eventCount += 1 }
    }
}

@Suite("Typed diffs of profiles and sessions")
struct TypedDiffTests {
    static let iterations = 3000

    @Test("the typed diff equals the generic diff of the JSON renderings, created or updated, and its binary form equals the change's encoding")
    func typedEqualsGeneric() throws {
        let seed = SimulationSeed.make()
        print("TypedDiffTests seed \(seed)")
        var maker = EntityMaker(rng: SplitMix64(seed: seed))
        for i in 0..<Self.iterations {
            let createdProfile = maker.rng.chance(0.2)
            let before = maker.profile()
            var after = before
            maker.edit(&after)
            expectTypedEqualsGeneric(createdProfile ? nil : before, after, render: \.jsonValue, diff: FieldDiff.profile, "profile, iteration \(i), seed \(seed)")

            let createdSession = maker.rng.chance(0.2)
            let sessionBefore = maker.session()
            var sessionAfter = sessionBefore
            maker.edit(&sessionAfter)
            expectTypedEqualsGeneric(createdSession ? nil : sessionBefore, sessionAfter, render: \.jsonValue, diff: FieldDiff.session, "session, iteration \(i), seed \(seed)")

            // The projector's binary path and the Change value encode to the same bytes.
            let effects = EventEffects(
                offset: UInt64(i), eventID: "e\(i)",
                links: [Change(kind: .identityLinked, id: "email:a@b", offset: UInt64(i), eventID: "e\(i)", target: "p1")],
                sessions: [("s1", createdSession ? nil : sessionBefore, sessionAfter)],
                profiles: [("p1", createdProfile ? nil : before, after)]
            )
            var encoded: [EncodedChange] = []
            effects.encodedChanges(into: &encoded)
            let changes = effects.changes()
            #expect(encoded.map(\.bytes) == changes.map { $0.jsonValue.binaryEncoded() }, "iteration \(i), seed \(seed)")
            #expect(changes.map { $0.binaryEncoded() } == changes.map { $0.jsonValue.binaryEncoded() })
            #expect(encoded.map(\.id) == changes.map(\.id))
            #expect(changes.map(\.seq) == Array(0..<changes.count))
            for change in changes { #expect(try Change(jsonValue: JSONValue(binary: change.binaryEncoded())) == change) }
        }
    }

    func expectTypedEqualsGeneric<Entity>(_ before: Entity?, _ after: Entity, render: (Entity) -> JSONValue,
                                          diff: (Entity?, Entity, inout FieldChangeList) -> Void, _ comment: String) {
        var typed = FieldChangeList()
        diff(before, after, &typed)
        #expect(typed.changes == FieldChange.diff(before.map(render), render(after)), "\(comment)")
    }
}
