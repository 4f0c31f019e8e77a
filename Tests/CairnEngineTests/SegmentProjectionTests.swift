import CairnLog
import CairnModel
import CairnStore
import Testing
@testable import CairnEngine

@Suite("Segments in the projector", .serialized)
struct SegmentProjectionTests {
    static let t0: Int64 = 1_767_225_600_000_000
    static let second: Int64 = 1_000_000

    /// Configuration and events interleaved in one log: two segments, then events that enter and
    /// leave them, then one segment disabled.
    func script(_ f: Fixture) async throws {
        let configuration = try await ConfigurationStore.open(log: f.eventLog)
        f.clock.set(Self.t0)
        try await configuration.commit([
            .put(.segment(Segment(name: "Frequent Viewers", condition: "profile@stats.views >= 3"))),
            .put(.segment(Segment(name: "Gold", condition: #"profile@traits.plan == "gold""#, eventTypes: ["identify"]))),
        ], checks: StandardChecks())
        var events: [(Event, Int64)] = []
        for i in 1...3 { events.append((event("v\(i)", "page-view", profile: "p1", session: "s1", time: Self.t0 + Int64(i) * Self.second), Self.t0 + Int64(i) * Self.second)) }
        events.append((event("i1", "identify", profile: "p1", session: "s1", time: Self.t0 + 10 * Self.second, properties: ["plan": "gold"]), Self.t0 + 10 * Self.second))
        events.append((event("i2", "identify", profile: "p1", session: "s1", time: Self.t0 + 11 * Self.second, properties: ["plan": "silver"]), Self.t0 + 11 * Self.second))
        try await f.append(events)
        f.clock.set(Self.t0 + 12 * Self.second)
        try await configuration.commit([.setEnabled(ConfigurationKey(.segment, "gold"), false)], checks: StandardChecks())
        try await f.append([(event("i3", "identify", profile: "p1", session: "s1", time: Self.t0 + 13 * Self.second, properties: ["plan": "gold"]), Self.t0 + 13 * Self.second)])
    }

    @Test("a profile enters a segment when its condition starts to hold and leaves it when it stops; the change log says so; disabled segments are not evaluated")
    func enterAndExit() async throws {
        let f = try await Fixture.make()
        try await script(f)
        try await f.projector().catchUp()
        let changes = try f.changes().filter { $0.kind == .segmentEntered || $0.kind == .segmentExited }
        #expect(changes.map { "\($0.kind.rawValue) \($0.target ?? "") \($0.eventID)" } == [
            "segment.entered frequent-viewers v3", "segment.entered gold i1", "segment.exited gold i2",
        ])
        let profile = try await ProfileQueries.open(f.store).profile("p1")
        #expect(profile?.segments == ["frequent-viewers"])
        // The profile's own change carries the segments field too.
        let updates = try f.changes().filter { $0.kind == .profileUpdated && $0.eventID == "i1" }
        #expect(updates.first?.fields.contains { $0.path == "segments" && $0.after == ["frequent-viewers", "gold"] } == true)
        try await f.close()
    }

    @Test("each configuration change is in the change log, in log order among the changes it brought about, with its version, action and author")
    func configurationInTheTrail() async throws {
        let f = try await Fixture.make()
        try await script(f)
        try await f.projector().catchUp()
        let changes = try f.changes()
        let configuration = changes.filter { $0.kind == .configurationChanged }
        #expect(configuration.map { "\($0.id) \($0.fields.map { "\($0.path)=\($0.after.map { String(decoding: $0.serialized(), as: UTF8.self) } ?? "")" }.joined(separator: " "))" } == [
            #"segment/frequent-viewers action="create" author="" version=1"#,
            #"segment/gold action="create" author="" version=1"#,
            #"segment/gold action="disable" author="" version=2"#,
        ])
        #expect(configuration.allSatisfy { $0.kind.entity == .configuration && $0.eventID.isEmpty && $0.target == nil })
        // The disabling comes after the change it no longer allows (i2's exit) and before i3.
        let order = changes.map { $0.kind == .configurationChanged ? $0.id : $0.eventID }
        let disabled = try #require(order.lastIndex(of: "segment/gold"))
        #expect(order[..<disabled].contains("i2") && order[disabled...].contains("i3") && !order[disabled...].contains("i2"))
        try await f.close()
    }

    @Test("segment membership is the same whatever the batch size")
    func deterministic() async throws {
        let digests = try await digestsPerBatchSize([1, 3, 1000], setUp: script)
        #expect(Set(digests).count == 1, "\(digests)")
    }
}
