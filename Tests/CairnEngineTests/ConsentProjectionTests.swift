import CairnLog
import CairnModel
import Testing
@testable import CairnEngine

@Suite("Consents in the projector", .serialized)
struct ConsentProjectionTests {
    static let t0: Int64 = 1_767_225_600_000_000
    static let minute: Int64 = 60_000_000

    @Test("consent events grant and revoke the configured consent types; grants lapse after the auto-revoke duration, by event time")
    func grantRevokeLapse() async throws {
        let f = try await Fixture.make()
        let configuration = try await ConfigurationStore.open(log: f.eventLog)
        f.clock.set(Self.t0)
        try await configuration.commit([
            .put(.consentType(ConsentType(name: "Marketing", autoRevokeSeconds: 3600))),
            .put(.consentType(ConsentType(name: "Terms", revokable: false))),
            .put(.consentType(ConsentType(name: "Ads", enabled: false))),
        ], checks: StandardChecks())
        func at(_ minutes: Int64, _ id: String, _ type: EventType, _ properties: JSONObject = [:]) -> (Event, Int64) {
            let time = Self.t0 + minutes * Self.minute
            return (event(id, type, profile: "p1", session: "s\(minutes)", time: time, properties: properties), time)
        }
        try await f.append([
            at(1, "g1", "consent-granted", ["consents": ["marketing", "terms", "ads", "unknown"]]),
            at(2, "r1", "consent-revoked", ["marketing": true, "terms": true]),
            at(3, "g2", "consent-granted", ["consents": ["marketing": true]]),
        ])
        let projector = try await f.projector()
        try await projector.catchUp()
        var profile = try #require(try await ProfileQueries.open(f.store).profile("p1"))
        #expect(profile.consents.keys == ["marketing", "terms"])
        #expect(profile.consents["marketing"] == Consent(revokeMicros: Self.t0 + 3 * Self.minute + 3600 * 1_000_000))
        #expect(profile.consents["terms"] == Consent(revokeMicros: nil))

        // Any later event of the profile past the revoke time lapses the grant.
        try await f.append([at(3 + 60, "v1", "page-view")])
        try await projector.catchUp()
        profile = try #require(try await ProfileQueries.open(f.store).profile("p1"))
        #expect(profile.consents.keys == ["terms"])
        let lapsed = try f.changes().first { $0.eventID == "v1" && $0.kind == .profileUpdated }
        #expect(lapsed?.fields.contains { $0.path == "consents.marketing.revoke" && $0.after == nil } == true)
        try await f.close()
    }
}
