import CairnLog
import CairnModel
import Testing
@testable import CairnEngine

@Suite("Identification points in the projector", .serialized)
struct IdentificationProjectionTests {
    static let t0: Int64 = 1_767_225_600_000_000

    @Test("a matching event whose value identifies another profile merges the two; other types and sources do not identify")
    func mergeByIdentificationPoint() async throws {
        let f = try await Fixture.make()
        let configuration = try await ConfigurationStore.open(log: f.eventLog)
        f.clock.set(Self.t0)
        try await configuration.commit([
            .put(.eventSource(EventSourceDefinition(id: "web", name: "Web", bridge: .rest))),
            .put(.identificationPoint(IdentificationPoint(
                id: "login", name: "Login", sourceID: "web", eventType: "login",
                fields: [.init(eventProperty: "properties.customer_id", profileField: "customer_id")]))),
        ], checks: StandardChecks())
        try await f.append([
            (event("e1", "login", profile: "laptop-1", session: "s1", time: Self.t0 + 1, properties: ["customer_id": "C-9"]), Self.t0 + 1),
            // The same value in another event type identifies nobody.
            (event("e2", "page-view", profile: "tablet-3", session: "s3", time: Self.t0 + 2, properties: ["customer_id": "C-9"]), Self.t0 + 2),
            (event("e3", "login", profile: "phone-2", session: "s2", time: Self.t0 + 3, properties: ["customer_id": " c-9 "]), Self.t0 + 3),
        ])
        try await f.projector().catchUp()
        let queries = try await ProfileQueries.open(f.store)
        #expect(try queries.resolve("phone-2") == "laptop-1")
        #expect(try queries.resolve("customer_id:c-9") == "laptop-1")
        #expect(try queries.resolve("tablet-3") == "tablet-3")
        #expect(try queries.profileCount() == 2)
        #expect(try f.changes().contains { $0.kind == .profileMerged && $0.id == "phone-2" && $0.target == "laptop-1" })
        try await f.close()
    }
}
