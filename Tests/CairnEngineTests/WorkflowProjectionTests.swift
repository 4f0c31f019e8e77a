import CairnLog
import CairnModel
import CairnStore
import Testing
@testable import CairnEngine

@Suite("Workflows in the projector", .serialized)
struct WorkflowProjectionTests {
    static let t0: Int64 = 1_767_225_600_000_000

    /// Purchases over 100 make the buyer gold and request a delivery to a destination; a segment
    /// evaluated after the workflow sees the trait the workflow set.
    static let graph: JSONObject = [
        "nodes": [
            ["id": "start", "action": "start"],
            ["id": "big", "action": "if", "config": ["condition": "event@properties.total > 100"]],
            ["id": "tier", "action": "set-field", "config": ["field": "profile@traits.tier", "value": "gold"]],
            ["id": "count", "action": "increment-field", "config": ["field": "profile@stats.counters.big-purchases"]],
            ["id": "tell", "action": "send-to-destination", "config": ["destination": "crm", "from": "profile@traits"]],
        ],
        "edges": [
            ["from": "start", "to": "big"],
            ["from": "big", "fromPort": "true", "to": "tier"],
            ["from": "tier", "to": "count"],
            ["from": "count", "to": "tell"],
        ],
    ]

    func script(_ f: Fixture) async throws {
        let configuration = try await ConfigurationStore.open(log: f.eventLog)
        f.clock.set(Self.t0)
        try await configuration.commit([
            .put(.eventSource(EventSourceDefinition(id: "web", name: "Web", bridge: .rest))),
            .put(.workflow(WorkflowDefinition(id: "big-buyers", name: "Big buyers", graph: Self.graph))),
            .put(.routingRule(RoutingRule(id: "purchases", name: "Purchases", eventType: "purchase", sourceID: "web", workflowID: "big-buyers"))),
            .put(.segment(Segment(name: "Gold", condition: #"profile@traits.tier == "gold""#))),
        ], checks: StandardChecks())
        try await f.append([
            (event("p1", "purchase", profile: "ada", session: "s1", time: Self.t0 + 1, properties: ["total": 30]), Self.t0 + 1),
            (event("p2", "purchase", profile: "ada", session: "s1", time: Self.t0 + 2, properties: ["total": 250]), Self.t0 + 2),
            (event("v1", "page-view", profile: "ada", session: "s1", time: Self.t0 + 3), Self.t0 + 3),
        ])
    }

    @Test("a routing rule runs its workflow on matching events: profile changes stored, effects in the change log, segments see the result")
    func routedWorkflow() async throws {
        let f = try await Fixture.make()
        try await script(f)
        try await f.projector().catchUp()
        let profile = try #require(try await ProfileQueries.open(f.store).profile("ada"))
        #expect(profile.traits["tier"] == "gold")
        #expect(profile.stats.counters["big-purchases"] == 1)
        #expect(profile.segments == ["gold"])
        let changes = try f.changes()
        let effects = changes.filter { $0.kind == .workflowEffect }
        #expect(effects.map(\.eventID) == ["p2"])
        let request = try #require(effects.first?.fields.first?.after)
        #expect(String(decoding: request.serialized(), as: UTF8.self).contains("\"crm\""), "\(request)")
        #expect(changes.contains { $0.kind == .segmentEntered && $0.eventID == "p2" && $0.target == "gold" })
        #expect(!changes.contains { $0.kind == .workflowFailed })
        try await f.close()
    }

    @Test("workflow results are the same whatever the batch size")
    func deterministic() async throws {
        var changeLogs: [[Change]] = []
        let digests = try await digestsPerBatchSize([1, 2, 1000], setUp: script) { f, _ in changeLogs.append(try f.changes()) }
        #expect(Set(digests).count == 1)
        #expect(changeLogs.allSatisfy { $0 == changeLogs[0] })
    }
}
