import CairnLog
import CairnLogic
import CairnModel
import CairnStore
import Testing
@testable import CairnEngine

@Suite("Emitted events in the log", .serialized)
struct EventEmitterTests {
    static let t0: Int64 = 1_767_225_600_000_000

    /// A workflow of `start → emit` that emits an event of `type` with the cause's total.
    static func emitting(_ id: String, type: String) -> WorkflowDefinition {
        WorkflowDefinition(id: id, name: id, graph: [
            "nodes": [
                ["id": "start", "action": "start"],
                ["id": "emit", "action": "emit-event", "config": ["type": .string(type), "properties": ["origin": .string(id)]]],
            ],
            "edges": [["from": "start", "to": "emit"]],
        ])
    }

    /// Purchases emit `order-confirmed`, which emits `thank-you`; `ping` emits `ping` (a loop the
    /// depth limit ends); `thank-you` counts itself on the profile.
    func script(_ f: Fixture) async throws {
        let configuration = try await ConfigurationStore.open(log: f.eventLog)
        f.clock.set(Self.t0)
        let counter = WorkflowDefinition(id: "count-thanks", name: "count", graph: [
            "nodes": [
                ["id": "start", "action": "start"],
                ["id": "count", "action": "increment-field", "config": ["field": "profile@stats.counters.thanks"]],
            ],
            "edges": [["from": "start", "to": "count"]],
        ])
        try await configuration.commit([
            .put(.eventSource(EventSourceDefinition(id: "web", name: "Web", bridge: .rest))),
            .put(.workflow(Self.emitting("confirm", type: "order-confirmed"))),
            .put(.workflow(Self.emitting("thank", type: "thank-you"))),
            .put(.workflow(Self.emitting("echo", type: "ping"))),
            .put(.workflow(counter)),
            .put(.routingRule(RoutingRule(id: "r1", name: "r1", eventType: "purchase", sourceID: "web", workflowID: "confirm"))),
            .put(.routingRule(RoutingRule(id: "r2", name: "r2", eventType: "order-confirmed", sourceID: "web", workflowID: "thank"))),
            .put(.routingRule(RoutingRule(id: "r3", name: "r3", eventType: "ping", sourceID: "web", workflowID: "echo"))),
            .put(.routingRule(RoutingRule(id: "r4", name: "r4", eventType: "thank-you", sourceID: "web", workflowID: "count-thanks"))),
        ], checks: StandardChecks())
        try await f.append([
            (event("b1", "purchase", profile: "ada", session: "s1", time: Self.t0 + 1), Self.t0 + 1),
            (event("b2", "purchase", profile: "ada", session: "s1", time: Self.t0 + 2), Self.t0 + 2),
            (event("q1", "ping", profile: "bob", session: "s2", time: Self.t0 + 3), Self.t0 + 3),
        ])
    }

    func emitter(_ f: Fixture, changesPerRoundMax: Int = 10_000) -> EventEmitter {
        EventEmitter(eventLog: f.eventLog, changeLog: f.changeLog, cursorPath: f.dir.path + "/emitter.cursor",
                     changesPerRoundMax: changesPerRoundMax, logger: quiet)
    }

    /// The events in the event log, in log order.
    func loggedEvents(_ f: Fixture) throws -> [Event] {
        var events: [Event] = []
        _ = try f.eventLog.makeReader().scan(from: 0) { record in
            if record.kind == RecordKind.event { events.append(try EventRecord.decode(record.payload)) }
            return true
        }
        return events
    }

    @Test("requested events are appended after their cause, linked to it, each once; chains stop at the depth limit")
    func emitted() async throws {
        let f = try await Fixture.make()
        try await script(f)
        let projector = try await f.projector()
        let applied = try await emitter(f, changesPerRoundMax: 3).catchUp(projector)
        #expect(applied == f.eventLog.endOffset)
        let events = try loggedEvents(f)
        let ids = events.map(\.id)
        #expect(ids.filter { $0.hasPrefix("b1-") } == ["b1-confirm-emit", "b1-confirm-emit-thank-emit"])
        #expect(ids.filter { $0.hasPrefix("q1-") }.count == EmitEventAction.depthMax)
        #expect(Set(ids).count == ids.count, "an event appended twice")
        let thanks = try #require(events.first { $0.id == "b1-confirm-emit-thank-emit" })
        #expect(thanks.type.rawValue == "thank-you")
        #expect(thanks.profileID == "ada" && thanks.sessionID == "s1")
        #expect(thanks.context["cause"] == ["event": "b1-confirm-emit", "workflow": "thank", "node": "emit", "depth": 2])
        #expect(thanks.properties == ["origin": "thank"])
        // The emitted events were projected: both thank-you events counted.
        #expect(try await ProfileQueries.open(f.store).profile("ada")?.stats.counters["thanks"] == 2)
        // The loop ended with a failed run naming the limit.
        #expect(try f.changes().contains { $0.kind == .workflowFailed && $0.fields.first?.after?.stringValue?.contains("depth \(EmitEventAction.depthMax)") == true })
        // Nothing more to do.
        #expect(try await emitter(f).run() == 0)
        try await f.close()
    }

    @Test("after a crash between the append and the cursor write, nothing is appended twice")
    func crashBeforeCursor() async throws {
        let f = try await Fixture.make()
        try await script(f)
        let projector = try await f.projector()
        try await projector.catchUp()
        let cursorPath = f.dir.path + "/emitter.cursor"
        #expect(try await emitter(f).run() == 3)
        let appended = f.eventLog.endOffset
        // The cursor as it was before the run: the requests are performed again.
        try PosixStorage().replaceFile(directory: f.dir.path, name: "emitter.cursor", with: Array("changes 0 events 0\n".utf8))
        #expect(try await emitter(f).run() == 0)
        #expect(f.eventLog.endOffset == appended)
        #expect(try emitter(f).readCursor() == .init(changes: f.changeLog.endOffset, events: appended))
        // A damaged cursor is an error naming the file.
        try PosixStorage().replaceFile(directory: f.dir.path, name: "emitter.cursor", with: Array("changes x\n".utf8))
        await #expect(throws: EngineError.self) { try await emitter(f).run() }
        do { _ = try await emitter(f).run() } catch let error as EngineError {
            #expect(error.code == .corruptedChangeLog && error.message.contains(cursorPath))
        }
        try await f.close()
    }

    @Test("a replay of the log with the emitted events gives the projections the incremental run gave")
    func replayDigest() async throws {
        let f = try await Fixture.make()
        try await script(f)
        _ = try await emitter(f).catchUp(try await f.projector())
        let incremental = try await ProjectionDigest.compute(f.store)
        // Project the same log from scratch into a fresh store: no emitter runs, and it needs none.
        let store = try StoreEnvironment(path: f.dir.path + "/fresh", logger: quiet)
        let fresh = try await Projector.open(eventLog: f.eventLog, changeLog: try await DurableLog.open(directory: f.dir.path + "/fresh-changes", logger: quiet),
                                             store: store, logger: quiet)
        try await fresh.catchUp()
        #expect(try await ProjectionDigest.compute(store) == incremental)
        try await store.close()
        try await f.close()
    }
}
