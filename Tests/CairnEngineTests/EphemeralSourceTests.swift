import CairnLog
import CairnModel
import CairnStore
import CairnTestSupport
import Foundation
import Testing
@testable import CairnEngine

@Suite("Ephemeral sources", .serialized)
struct EphemeralSourceTests {
    static let t0: Int64 = 1_767_225_600_000_000
    static let note = "kiosk-note-7f3a"

    /// A kiosk (ephemeral) whose purchases a workflow copies into the profile, and a web site (not
    /// ephemeral); a segment on the copied trait.
    func configure(_ f: Fixture) async throws {
        let configuration = try await ConfigurationStore.open(log: f.eventLog)
        f.clock.set(Self.t0)
        try await configuration.commit([
            .put(.eventSource(EventSourceDefinition(id: "kiosk", name: "Kiosk", bridge: .rest, ephemeral: true))),
            .put(.eventSource(EventSourceDefinition(id: "web", name: "Web", bridge: .rest))),
            .put(.workflow(WorkflowDefinition(id: "remember", name: "Remember", graph: [
                "nodes": [
                    ["id": "start", "action": "start"],
                    ["id": "copy", "action": "copy-data", "config": ["from": "event@properties.note", "to": "profile@traits.note"]],
                ],
                "edges": [["from": "start", "to": "copy"]],
            ]))),
            .put(.routingRule(RoutingRule(id: "kiosk-purchases", name: "k", eventType: "purchase", sourceID: "kiosk", workflowID: "remember"))),
            .put(.segment(Segment(name: "Noted", condition: "profile@traits.note EXISTS"))),
        ], checks: StandardChecks())
    }

    /// Two kiosk purchases and web page views around them, through the ingest gate.
    func ingest(_ f: Fixture, keys: EphemeralKeys) async throws {
        let state = try await ConfigurationStore.load(from: f.eventLog)
        func send(_ source: String, _ events: [Event]) async throws {
            var appender = IngestAppender(gate: IngestGate(configuration: state, sourceID: source, bridge: .rest), consents: NoConsents(),
                                          eventLog: f.eventLog, deadLetterLog: f.changeLog, ephemeralKeys: keys)
            for event in events {
                f.clock.set(event.clientTime!)
                try await appender.add(event, payload: .null, receivedMicros: event.clientTime!)
            }
            try await appender.finish()
        }
        func at(_ i: Int64) -> Int64 { Self.t0 + i * 1_000_000 }
        try await send("web", [sourced(event("w1", "page-view", profile: "ada", session: "s1", time: at(1)), "web")])
        try await send("kiosk", [
            sourced(event("k1", "purchase", profile: "ada", session: "s1", time: at(2), properties: ["note": .string(Self.note), "total": 12]), "kiosk"),
            sourced(event("k2", "page-view", profile: "bob", session: "s2", time: at(3)), "kiosk"),
        ])
        try await send("web", [sourced(event("w2", "page-view", profile: "ada", session: "s1", time: at(4)), "web")])
    }

    func sourced(_ event: Event, _ source: String) -> Event {
        var event = event
        event.sourceID = source
        return event
    }

    /// The event log's records by kind.
    func records(_ f: Fixture) throws -> [LogRecord] {
        var records: [LogRecord] = []
        _ = try f.eventLog.makeReader().scan(from: 0) { records.append($0.copy()); return true }
        return records
    }

    /// The digest of the event log projected from scratch into a fresh store with `batch` events per transaction.
    func freshDigest(_ f: Fixture, keys: EphemeralKeys, batch: Int = 1000) async throws -> String {
        let name = "fresh-\(UInt64.random(in: 0...UInt64.max))"
        let store = try StoreEnvironment(path: f.dir.path + "/" + name, logger: quiet)
        let changes = try await DurableLog.open(directory: f.dir.path + "/" + name + "-changes", logger: quiet)
        var configuration = EngineConfiguration()
        configuration.eventsPerBatchMax = batch
        do {
            try await Projector.open(eventLog: f.eventLog, changeLog: changes, store: store, configuration: configuration, ephemeralKeys: keys, logger: quiet).catchUp()
            let digest = try await ProjectionDigest.compute(store)
            try await store.close()
            try await changes.close()
            return digest
        } catch {
            try? await store.close()
            try? await changes.close()
            throw error
        }
    }

    @Test("an ephemeral event is processed, then nothing of it can be read; a replay reproduces the projections from its recorded effect")
    func shreddedAndReplayed() async throws {
        let f = try await Fixture.make()
        let keys = EphemeralKeys(directory: f.dir.path + "/keys")
        try await configure(f)
        try await ingest(f, keys: keys)
        #expect(try keys.files().count == 1 && keys.files()[0].end != nil, "the appender retires its key")
        let projector = try await f.projector(ephemeralKeys: keys)
        try await projector.catchUp()
        let profile = try #require(try await ProfileQueries.open(f.store).profile("ada"))
        #expect(profile.traits["note"] == .string(Self.note) && profile.segments == ["noted"])
        #expect(try f.changes().contains { $0.eventID == "k1" && $0.kind == .segmentEntered })
        let live = try await ProjectionDigest.compute(f.store)

        let recorder = EphemeralEffectRecorder(eventLog: f.eventLog, store: f.store, keys: keys, logger: quiet)
        #expect(try await recorder.run() == (effects: 2, keys: 1))
        #expect(try keys.files().isEmpty)
        #expect(try await recorder.run() == (effects: 0, keys: 0))
        // The recording changes no projection.
        #expect(try await ProjectionDigest.compute(f.store) == live)

        let all = try records(f)
        let sealed = all.filter { $0.kind == RecordKind.sealedEvent }
        #expect(sealed.map { String(decoding: $0.key ?? [], as: UTF8.self) } == ["k1", "k2"])
        #expect(all.filter { $0.kind == RecordKind.ephemeralEffect }.count == 2)
        #expect(!all.contains { $0.kind == RecordKind.event && ["k1", "k2"].contains(String(decoding: $0.key ?? [], as: UTF8.self)) })
        for record in sealed {
            #expect(!String(decoding: record.payload, as: UTF8.self).contains("kiosk-note"), "the raw event is readable at \(record.offset)")
            #expect(!String(decoding: record.payload, as: UTF8.self).contains("purchase"))
        }
        // A replay has only the effects: the same projections, whatever the batch size.
        #expect(try await freshDigest(f, keys: keys) == live)
        #expect(try await freshDigest(f, keys: keys, batch: 1) == live)
        try await f.close()
    }

    @Test("before its effect is in the log, a replay reads the event with its key; effects appended twice count once")
    func beforeAndAfterRecording() async throws {
        let f = try await Fixture.make()
        let keys = EphemeralKeys(directory: f.dir.path + "/keys")
        try await configure(f)
        try await ingest(f, keys: keys)
        try await f.projector(ephemeralKeys: keys).catchUp()
        let live = try await ProjectionDigest.compute(f.store)
        // A crash before the recorder ran: the key is there, the effects wait in the projections.
        #expect(try await freshDigest(f, keys: keys) == live)
        try await EphemeralEffectRecorder(eventLog: f.eventLog, store: f.store, keys: keys, logger: quiet).run()
        // A crash after the append and before the rows were deleted appends them again.
        let effects = try records(f).filter { $0.kind == RecordKind.ephemeralEffect }
        _ = try await f.eventLog.append(effects.map { AppendRecord(kind: $0.kind, payload: $0.payload) })
        #expect(try await freshDigest(f, keys: keys, batch: 2) == live)
        // Later events still project after the duplicates.
        let projector = try await f.projector(ephemeralKeys: keys)
        try await f.append([(event("w3", "page-view", profile: "ada", session: "s1", time: Self.t0 + 9_000_000), Self.t0 + 9_000_000)])
        try await projector.catchUp()
        #expect(try await freshDigest(f, keys: keys) == (try await ProjectionDigest.compute(f.store)))
        try await f.close()
    }

    @Test("a sealed event whose key is gone and whose effect was never recorded is an error that says so")
    func lostEffect() async throws {
        let f = try await Fixture.make()
        let keys = EphemeralKeys(directory: f.dir.path + "/keys")
        try await configure(f)
        try await ingest(f, keys: keys)
        #expect(try keys.shred(below: UInt64.max).count == 1)
        do {
            try await f.projector(ephemeralKeys: EphemeralKeys(directory: f.dir.path + "/keys")).catchUp()
            Issue.record("projected a sealed event without its key")
        } catch let error as EngineError {
            #expect(error.code == .notFound && error.message.contains("k1") && error.message.contains("cannot be reproduced"), "\(error)")
        }
        try await f.close()
    }

    @Test("an ephemeral event without a key directory is refused; a key left in use is retired when the data directory opens")
    func keysLifecycle() async throws {
        let f = try await Fixture.make()
        try await configure(f)
        let state = try await ConfigurationStore.load(from: f.eventLog)
        var appender = IngestAppender(gate: IngestGate(configuration: state, sourceID: "kiosk", bridge: .rest), consents: NoConsents(),
                                      eventLog: f.eventLog, deadLetterLog: f.changeLog)
        await #expect(throws: EngineError.self) {
            try await appender.add(sourced(event("k9", "page-view", profile: "ada", session: nil, time: Self.t0), "kiosk"), payload: .null, receivedMicros: Self.t0)
        }
        try await f.close()

        let dir = TemporaryDirectory("cairn-ephemeral")
        defer { dir.remove() }
        let data = try await DataDirectory.open(dir.path, logger: quiet)
        let key = try data.ephemeralKeys.create()
        _ = try await data.eventLog.append(AppendRecord(kind: RecordKind.event, payload: EventRecord.encode(event("e", "x", profile: nil, session: nil))))
        try await data.close()
        let reopened = try await DataDirectory.open(dir.path, logger: quiet)
        #expect(try reopened.ephemeralKeys.files().map { $0.name } == ["\(EphemeralKeys.hex(key.id)).1.retired"])
        try await reopened.close()
    }

    @Test("effect records round-trip, and every truncation is an error naming the record")
    func effectEncoding() throws {
        let effect = EphemeralEffect(offset: 42, writes: [
            WriteJournalEntry(table: "profiles", key: Array("ada".utf8), value: [1, 2, 3]),
            WriteJournalEntry(table: "open_sessions", key: [9, 9], value: nil),
            WriteJournalEntry(table: "identities", key: [], value: []),
        ])
        let bytes = effect.encoded()
        #expect(try EphemeralEffect(payload: bytes, recordOffset: 7) == effect)
        for length in 0..<bytes.count {
            #expect(throws: EngineError.self) { try EphemeralEffect(payload: Array(bytes[..<length]), recordOffset: 7) }
        }
        #expect(throws: EngineError.self) { try EphemeralEffect(payload: bytes + [0], recordOffset: 7) }
    }
}
