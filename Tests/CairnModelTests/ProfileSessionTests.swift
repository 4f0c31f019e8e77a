import CairnModel
import Testing

@Suite("Profiles and sessions")
struct ProfileSessionTests {
    static let profile: Profile = {
        var profile = Profile(
            id: "p1", ids: ["p9", "p0", "p9"], traits: ["tier": "gold"], pii: ["email": "a@b"],
            stats: ProfileStats(visits: 3, views: 9, counters: ["purchases": 2, "carts": -1]),
            interests: ["hiking": 2.5, "climbing": 0.5], segments: ["vip", "buyers", "vip"],
            consents: ["marketing": Consent(), "analytics": Consent(revokeMicros: 1_767_225_600_000_000)],
            metadata: ProfileMetadata(insertMicros: 1_767_225_600_000_000, lastVisitMicros: 1_767_225_601_000_000, updateMicros: 1_767_225_602_000_000)
        )
        profile.addID("p5")
        profile.addSegment("active")
        profile.removeSegment("vip")
        return profile
    }()

    static let session = Session(
        id: "s1", profileID: "p1",
        context: SessionContext(device: ["name": "iPhone"], os: ["name": "iOS"], utm: ["source": "google"], page: ["url": "u"]),
        startMicros: 1_767_225_600_000_000, lastEventMicros: 1_767_225_612_500_000, durationMicros: 12_500_000,
        status: .closed, eventCount: 4
    )

    @Test("Profiles keep ids and segments sorted and unique, with the own id included")
    func invariants() {
        #expect(Self.profile.ids == ["p0", "p1", "p5", "p9"])
        #expect(Self.profile.segments == ["active", "buyers"])
        #expect(Profile(id: "x", insertMicros: 7).ids == ["x"])
        #expect(Profile(id: "x", insertMicros: 7).metadata.lastVisitMicros == 7)
    }

    @Test("Profile records round-trip byte-exact; damage is rejected, never a crash")
    func profileRecords() throws {
        for profile in [Self.profile, Profile(id: "", insertMicros: -1)] {
            let bytes = ProfileRecord.encode(profile)
            #expect(ProfileRecord.encode(profile) == bytes)
            #expect(try ProfileRecord.decode(bytes) == profile)
            #expect(try bytes.withUnsafeBytes { try ProfileRecord.decode($0) } == profile)
            #expect((0..<bytes.count).allSatisfy { (try? ProfileRecord.decode(Array(bytes.prefix($0)))) == nil })
        }
        var bytes = ProfileRecord.encode(Self.profile)
        bytes[0] = 9
        let error = try #require(throws: ModelError.self) { try ProfileRecord.decode(bytes) }
        #expect(error.code == .unsupportedVersion)
        #expect(error.path == "ProfileRecord.version")
        // The own id missing from ids.
        let foreign = ProfileRecord.encode(Profile(id: "b", ids: ["a"], metadata: ProfileMetadata(insertMicros: 0, lastVisitMicros: 0, updateMicros: 0)))
        var tampered = foreign
        tampered[2] = UInt8(ascii: "c")  // the id "b" → "c", which is not in ids
        let missing = try #require(throws: ModelError.self) { try ProfileRecord.decode(tampered) }
        #expect(missing.path == "ProfileRecord.ids")
    }

    @Test("Session records round-trip byte-exact; damage to either record is rejected or canonical, never a crash")
    func sessionRecords() throws {
        for session in [Self.session, Session(id: "x", startMicros: 0)] {
            let bytes = SessionRecord.encode(session)
            #expect(SessionRecord.encode(session) == bytes)
            #expect(try SessionRecord.decode(bytes) == session)
            #expect(try bytes.withUnsafeBytes { try SessionRecord.decode($0) } == session)
            #expect((0..<bytes.count).allSatisfy { (try? SessionRecord.decode(Array(bytes.prefix($0)))) == nil })
            #expect(throws: ModelError.self) { try SessionRecord.decode(bytes + [0]) }
        }
        let seed = Randomized.seed
        var random = SeededRandom(seed: seed)
        for bytes in [SessionRecord.encode(Self.session), ProfileRecord.encode(Self.profile)] {
            for _ in 0..<Randomized.iterations(1000) {
                var damaged = bytes
                damaged[Int.random(in: 0..<damaged.count, using: &random)] ^= UInt8.random(in: 1...255, using: &random)
                if let session = try? SessionRecord.decode(damaged) {
                    #expect(SessionRecord.encode(session) == damaged, "seed \(seed)")
                }
                if let profile = try? ProfileRecord.decode(damaged) {
                    #expect(ProfileRecord.encode(profile) == damaged, "seed \(seed)")
                }
            }
        }
    }

    @Test("JSON renderings use Tracardi's field names and ISO 8601 times")
    func renderings() {
        #expect(canonical(Self.profile.jsonValue) == #"""
        {"active":true,"consents":{"analytics":{"revoke":"2026-01-01T00:00:00.000000Z"},"marketing":{"revoke":null}},"id":"p1","ids":["p0","p1","p5","p9"],"interests":{"climbing":0.5,"hiking":2.5},"metadata":{"time":{"insert":"2026-01-01T00:00:00.000000Z","update":"2026-01-01T00:00:02.000000Z","visit":{"last":"2026-01-01T00:00:01.000000Z"}}},"pii":{"email":"a@b"},"segments":["active","buyers"],"stats":{"counters":{"carts":-1,"purchases":2},"views":9,"visits":3},"traits":{"tier":"gold"}}
        """#)
        #expect(canonical(Self.session.jsonValue) == #"""
        {"app":{},"context":{"page":{"url":"u"}},"device":{"name":"iPhone"},"id":"s1","metadata":{"status":"closed","time":{"duration":12.5,"insert":"2026-01-01T00:00:00.000000Z","update":"2026-01-01T00:00:12.500000Z"}},"os":{"name":"iOS"},"profile":{"id":"p1"},"stats":{"events":4},"utm":{"source":"google"}}
        """#)
    }

    @Test("Event JSON rendering leaves personal data out unless asked")
    func eventRendering() throws {
        let identify = try #require(try CorpusSamples.events.first { $0.type == "identify" })
        let plain = identify.jsonValue(includingPersonal: false)
        #expect(plain["personal"] == nil)
        #expect(plain.value(at: ["time", "create"]) == "2026-01-01T00:00:07.379448Z")
        #expect(plain.value(at: ["profile", "id"]) == "b519a9f7-1cf4-442d-ac61-9aaa37a6ae50")
        #expect(identify.jsonValue(includingPersonal: true).value(at: ["personal", "properties", "email"]) == "ava.nowak69@outlook.com")
    }
}
