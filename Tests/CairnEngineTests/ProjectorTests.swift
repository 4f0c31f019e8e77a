import CairnLog
import CairnModel
import CairnStore
import CairnTestSupport
import Testing
@testable import CairnEngine

@Suite("Projector", .serialized)
struct ProjectorTests {
    static let t0: Int64 = 1_767_225_600_000_000
    static let minute: Int64 = 60_000_000

    @Test("an anonymous visitor who identifies on a second device becomes one profile with every event and session")
    func mergeScenario() async throws {
        let f = try await Fixture.make()
        try await f.append([
            (event("e1", "page-view", profile: "anon-1", session: "s-laptop", time: Self.t0), Self.t0),
            (event("e2", "page-view", profile: "anon-1", session: "s-laptop", time: Self.t0 + Self.minute), Self.t0 + Self.minute),
            (event("e3", "identify", profile: "phone-7", session: "s-phone", time: Self.t0 + 2 * Self.minute,
                   properties: ["plan": "gold"], personal: ["properties": ["email": "Ada@Example.com"]]), Self.t0 + 2 * Self.minute),
            (event("e4", "identify", profile: "anon-1", session: "s-laptop", time: Self.t0 + 3 * Self.minute,
                   personal: ["properties": ["email": "ada@example.com "]]), Self.t0 + 3 * Self.minute),
            (event("e5", "page-view", profile: "phone-7", session: "s-phone", time: Self.t0 + 4 * Self.minute), Self.t0 + 4 * Self.minute),
        ])
        let projector = try await f.projector()
        #expect(try await projector.catchUp() == 5)
        let queries = try await ProfileQueries.open(f.store)
        #expect(try queries.profileCount() == 1)
        // anon-1 was seen first: it survives; the phone's id and the email resolve to it.
        #expect(try queries.resolve("phone-7") == "anon-1")
        #expect(try queries.resolve("email:ada@example.com") == "anon-1")
        let profile = try #require(try queries.profile("phone-7"))
        #expect(profile.id == "anon-1")
        #expect(profile.ids == ["anon-1", "phone-7"])
        #expect(profile.stats.views == 3)
        #expect(profile.stats.visits == 2)
        #expect(profile.stats.counters["identify"] == 2)
        #expect(profile.traits["plan"] == "gold")
        #expect(profile.pii["email"] == "ada@example.com ", "the latest identify wins")
        #expect(try queries.events(of: "anon-1").map(\.eventID) == ["e1", "e2", "e3", "e4", "e5"])
        #expect(try queries.sessions(of: "anon-1").map(\.id).sorted() == ["s-laptop", "s-phone"])
        #expect(try queries.sessions(of: "anon-1").allSatisfy { $0.profileID == "anon-1" })
        let changes = try f.changes()
        #expect(changes.contains { $0.kind == .profileMerged && $0.id == "phone-7" && $0.target == "anon-1" && $0.offset == 3 })
        #expect(changes.contains { $0.kind == .identityLinked && $0.id == "email:ada@example.com" && $0.target == "phone-7" })
        try await f.close()
    }

    @Test("sessions close after the inactivity timeout on log time, and a later event opens a new visit")
    func sessionTimeout() async throws {
        let f = try await Fixture.make()
        try await f.append([
            (event("e1", "page-view", profile: "p", session: "s", time: Self.t0), Self.t0),
            (event("e2", "page-view", profile: "p", session: "s", time: Self.t0 + 10 * Self.minute), Self.t0 + 10 * Self.minute),
            (event("e3", "page-view", profile: "q", session: "other", time: Self.t0 + 50 * Self.minute), Self.t0 + 50 * Self.minute),
            (event("e4", "page-view", profile: "p", session: "s", time: Self.t0 + 55 * Self.minute), Self.t0 + 55 * Self.minute),
        ])
        let projector = try await f.projector()
        try await projector.catchUp()
        let queries = try await ProfileQueries.open(f.store)
        #expect(try queries.profile("p")?.stats.visits == 2)
        let changes = try f.changes()
        #expect(changes.filter { $0.kind == .sessionClosed && $0.id == "s" }.map(\.offset) == [2])
        #expect(changes.filter { $0.kind == .sessionOpened && $0.id == "s" }.map(\.offset) == [0, 3])
        let session = try #require(try queries.sessions(of: "p").first)
        #expect(session.status == .open)
        #expect(session.eventCount == 3)
        try await f.close()
    }

    @Test("profile-less events update no profile; merged-away ids land on the survivor")
    func profileLess() async throws {
        let f = try await Fixture.make()
        try await f.append([
            (event("e1", "page-view", profile: nil, session: "s0", time: Self.t0), Self.t0),
            (event("e2", "page-view", profile: "a", session: nil, time: Self.t0 + 1), Self.t0 + 1),
        ])
        let projector = try await f.projector()
        try await projector.catchUp()
        let queries = try await ProfileQueries.open(f.store)
        #expect(try queries.profileCount() == 1)
        #expect(try queries.profile("a")?.stats.views == 1)
        try await f.close()
    }

    @Test("the same log gives the same digest whatever the batch size, and again on a fresh replay")
    func determinism() async throws {
        let events = try corpusEvents(count: 600)
        var changeCounts: [Int] = []
        let digests = try await digestsPerBatchSize([1, 7, 250, 1000]) { f in try await f.append(events) } inspect: { f, projected in
            #expect(projected == 600)
            let changes = try f.changes()
            changeCounts.append(changes.count)
            // Every change is identified by (offset, seq), in order, with no duplicate.
            let keys = changes.map { "\($0.offset)/\($0.seq)" }
            #expect(Set(keys).count == keys.count)
            #expect(zip(changes, changes.dropFirst()).allSatisfy { $0.offset < $1.offset || ($0.offset == $1.offset && $0.seq < $1.seq) })
        }
        #expect(Set(digests).count == 1, "\(digests)")
        #expect(Set(changeCounts).count == 1, "\(changeCounts)")
    }

    @Test("a randomized schedule of appends, catch-ups, single batches, batch sizes and reopenings gives the reference digest and change log")
    func randomizedSchedule() async throws {
        let seed = SimulationSeed.make()
        print("randomizedSchedule seed \(seed)")
        var rng = SplitMix64(seed: seed)
        // Log times 17 s apart: sessions time out (30 min) and reopen along the way.
        let events = try corpusEvents(count: 800, seed: 5).enumerated().map { ($0.element.0, Self.t0 + Int64($0.offset) * 17_000_000) }
        let (expectedDigest, expectedChanges) = try await referenceRun(events)

        let f = try await Fixture.make()
        var appended = 0
        var steps: [String] = []
        while true {
            var configuration = EngineConfiguration()
            configuration.eventsPerBatchMax = 1 + rng.below(300)
            let projector = try await f.projector(configuration)  // every step reopens: reconciles, checks
            let applied = try projector.appliedOffset()
            if appended == events.count && applied == UInt64(events.count) { break }
            switch rng.below(4) {
            case 0 where appended < events.count:
                let count = min(events.count - appended, 1 + rng.below(150))
                try await f.append(Array(events[appended..<appended + count]))
                appended += count
                steps.append("append \(count)")
            case 1:
                for _ in 0...rng.below(3) { _ = try await projector.applyOneBatch() }
                steps.append("batches of \(configuration.eventsPerBatchMax)")
            default:
                try await projector.catchUp()
                steps.append("catch up by \(configuration.eventsPerBatchMax)")
            }
        }
        #expect(try await ProjectionDigest.compute(f.store) == expectedDigest, "seed \(seed): \(steps)")
        let changes = try f.changes()
        #expect(changes == expectedChanges, "seed \(seed): \(changes.count) changes, expected \(expectedChanges.count)")
        try await f.close()
    }

    @Test("an undecodable event record stops the projector naming its offset; everything before it is applied, nothing after")
    func undecodableRecord() async throws {
        let f = try await Fixture.make()
        try await f.append(try corpusEvents(count: 30))
        _ = try await f.eventLog.append(AppendRecord(kind: RecordKind.event, payload: [0xff, 0x00, 0x13]))
        try await f.append(try corpusEvents(count: 5, seed: 4))
        var configuration = EngineConfiguration()
        configuration.eventsPerBatchMax = 10
        let projector = try await f.projector(configuration)
        let error = await #expect(throws: EngineError.self) { try await projector.catchUp() }
        #expect(error?.code == .invalidEvent && error?.message.contains("offset 30") == true, "\(String(describing: error))")
        #expect(try projector.appliedOffset() == 30)
        let changes = try f.changes()
        #expect(changes.last?.offset ?? 0 < 30 && !changes.isEmpty)
        try await f.close()
    }

    @Test("changes committed to LMDB but not yet in the change log are appended once at reopen: no gap, no duplicate")
    func outboxReconciliation() async throws {
        let events = try corpusEvents(count: 300)
        // The reference: a projection that never failed.
        let reference = try await Fixture.make()
        try await reference.append(events)
        try await reference.projector().catchUp()
        let expected = try reference.changes()
        try await reference.close()

        let f = try await Fixture.make()
        try await f.append(events)
        // The change log fails (closed) after the first batch's LMDB commit.
        var configuration = EngineConfiguration()
        configuration.eventsPerBatchMax = 100
        let projector = try await f.projector(configuration)
        try await f.changeLog.close()
        await #expect(throws: (any Error).self) { try await projector.catchUp() }
        #expect(try projector.appliedOffset() == 100)
        let reopenedChanges = try await DurableLog.open(directory: f.dir.path + "/changes", logger: quiet)
        let second = try await Projector.open(eventLog: f.eventLog, changeLog: reopenedChanges, store: f.store, configuration: configuration, logger: quiet)
        try await second.catchUp()
        var got: [Change] = []
        try reopenedChanges.makeReader().scan(from: 0) { record in
            got.append(try! Change(jsonValue: try! JSONValue(binary: Array(record.payload))))
            return true
        }
        #expect(got == expected)
        try await reopenedChanges.close()
        try await f.store.close()
        try await f.eventLog.close()
        f.dir.remove()
    }
}

@Suite("Replay", .serialized)
struct ReplayTests {
    @Test("a replay rebuilds byte-identical projections into a new generation; projecting then continues the live change log")
    func replay() async throws {
        let dir = TemporaryDirectory("cairn-replay")
        defer { dir.remove() }
        let events = try corpusEvents(count: 400)
        var data = try await DataDirectory.open(dir.path, logger: quiet)
        for (event, _) in events.prefix(300) {
            _ = try await data.eventLog.append(AppendRecord(kind: RecordKind.event, payload: EventRecord.encode(event)))
        }
        try await Projector.open(eventLog: data.eventLog, changeLog: data.changeLog, store: data.store, logger: quiet).catchUp()
        let live = try await ProjectionDigest.compute(data.store)
        let changesBefore = data.changeLog.endOffset
        try await data.store.close()

        let rebuilt = try await Replay.rebuild(dataPath: dir.path, eventLog: data.eventLog, liveChangeLog: data.changeLog, logger: quiet)
        #expect(rebuilt == live)
        #expect(data.changeLog.endOffset == changesBefore, "a replay adds nothing to the live change log")
        #expect(try ProjectionGenerations(root: dir.path + "/projections").current().number == 1)
        try await data.deadLetterLog.close()
        try await data.changeLog.close()
        try await data.eventLog.close()

        // Reopen on the new generation and keep projecting.
        data = try await DataDirectory.open(dir.path, logger: quiet)
        #expect(try await ProjectionDigest.compute(data.store) == live)
        for (event, _) in events.dropFirst(300) {
            _ = try await data.eventLog.append(AppendRecord(kind: RecordKind.event, payload: EventRecord.encode(event)))
        }
        let projector = try await Projector.open(eventLog: data.eventLog, changeLog: data.changeLog, store: data.store, logger: quiet)
        #expect(try await projector.catchUp() == 400)
        let offsets = try data.changeLog.makeReader().read(from: changesBefore, maxRecords: 100_000).map {
            try Change(jsonValue: try JSONValue(binary: $0.payload)).offset
        }
        #expect(!offsets.isEmpty && offsets.allSatisfy { $0 >= 300 }, "only the new events' changes follow")
        try await data.close()
    }
}

@Suite("Projector limits", .serialized)
struct ProjectorLimitTests {
    @Test("a full LMDB map stops the projector with an error naming the setting; with a larger map it finishes, losing nothing")
    func mapFull() async throws {
        let events = try corpusEvents(count: 1500)
        let (expectedDigest, expectedChanges) = try await referenceRun(events)

        let f = try await Fixture.make()
        try await f.append(events)
        try await f.store.close()
        var small = StoreConfiguration()
        small.mapSizeBytes = 256 << 10
        small.mapSizeMaxBytes = 512 << 10
        let cramped = try StoreEnvironment(path: f.dir.path + "/cramped", configuration: small, logger: quiet)
        let projector = try await Projector.open(eventLog: f.eventLog, changeLog: f.changeLog, store: cramped, logger: quiet)
        do {
            try await projector.catchUp()
            Issue.record("projected 1,500 events into a 512 KiB map")
        } catch let error as StoreError {
            #expect(error.code == .mapFull)
            #expect(error.message.contains("mapSizeMaxBytes"))
        }
        let stopped = try projector.appliedOffset()
        #expect(stopped < 1500)
        try await cramped.close()

        let roomy = try StoreEnvironment(path: f.dir.path + "/cramped", logger: quiet)
        let resumed = try await Projector.open(eventLog: f.eventLog, changeLog: f.changeLog, store: roomy, logger: quiet)
        #expect(try await resumed.catchUp() == 1500)
        #expect(try await ProjectionDigest.compute(roomy) == expectedDigest)
        #expect(try f.changes() == expectedChanges)
        try await roomy.close()
        try await f.changeLog.close()
        try await f.eventLog.close()
        f.dir.remove()
    }
}

/// The digest and the change log of an uninterrupted catch-up over `events` with the default
/// configuration: what every disturbed run must end with.
func referenceRun(_ events: [(Event, Int64)]) async throws -> (digest: String, changes: [Change]) {
    let reference = try await Fixture.make()
    try await reference.append(events)
    try await reference.projector().catchUp()
    let result = (try await ProjectionDigest.compute(reference.store), try reference.changes())
    try await reference.close()
    return result
}
