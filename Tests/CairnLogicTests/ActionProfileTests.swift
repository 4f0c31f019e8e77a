import CairnModel
import Testing
@testable import CairnLogic

@Suite("Actions: segments, interests, consents, merging, the session")
struct ActionProfileTests {
    @Test("add-segment and remove-segment change the profile's sorted segments; names may be templates")
    func segments() throws {
        #expect(try runAction("add-segment", ["segment": "vip"]).profile.segments == ["buyers", "vip"])
        #expect(try runAction("add-segment", ["segment": "buyers"]).entry.changes.isEmpty)
        #expect(try runAction("add-segment", ["segment": "city-{{profile@traits.city}}"]).profile.segments == ["buyers", "city-Oslo"])
        #expect(try runAction("remove-segment", ["segment": "buyers"]).profile.segments == [])
        #expect(try failingRun("add-segment", ["segment": "x"], input: WorkflowFixture.input(profile: nil)).message.contains("the event has no profile"))
        #expect(configError("add-segment", ["segment": ""])?.message.contains("config field 'segment'") == true)
        #expect(configError("remove-segment", ["segment": "{{profile@"])?.message.contains("'{{' without '}}'") == true)
    }

    @Test("add-interest sets, increase-interest and decrease-interest change an interest")
    func interests() throws {
        #expect(try runAction("add-interest", ["interest": "cycling", "value": 0.5]).profile.interests["cycling"] == 0.5)
        #expect(try runAction("add-interest", ["interest": "cycling"]).profile.interests["cycling"] == 1)
        #expect(try runAction("increase-interest", ["interest": "hiking", "by": 1.5]).profile.interests["hiking"] == 3.5)
        #expect(try runAction("increase-interest", ["interest": "new"]).profile.interests["new"] == 1)
        #expect(try runAction("decrease-interest", ["interest": "hiking"]).profile.interests["hiking"] == 1)
        #expect(try runAction("decrease-interest", ["interest": "hiking", "by": 3]).profile.interests["hiking"] == -1)
        #expect(try runAction("decrease-interest", ["interest": "hiking", "by": 3, "removeAtZero": true]).profile.interests["hiking"] == nil)
        #expect(configError("add-interest", ["interest": "x", "value": "much"])?.message.contains("'value': expected a number") == true)
        #expect(configError("increase-interest", [:])?.message.contains("'interest': is required") == true)
        #expect(configError("decrease-interest", ["interest": "x", "removeAtZero": 1])?.message.contains("'removeAtZero': expected true or false") == true)
    }

    @Test("grant-consent records a consent that may lapse; revoke-consent removes it; require-consent branches")
    func consents() throws {
        let granted = try runAction("grant-consent", ["consent": "email", "revokeAfterDays": 30])
        #expect(granted.profile.consents["email"] == Consent(revokeMicros: WorkflowFixture.time + 30 * 86_400_000_000))
        #expect(try runAction("grant-consent", ["consent": "sms"]).profile.consents["sms"] == Consent())
        #expect(try runAction("revoke-consent", ["consent": "marketing"]).profile.consents["marketing"] == nil)
        #expect(try runAction("revoke-consent", ["consent": "absent"]).entry.changes.isEmpty)
        #expect(try runAction("require-consent", ["consents": "marketing"]).port == "granted")
        #expect(try runAction("require-consent", ["consents": ["marketing", "lapsed"]]).port == "missing")
        #expect(try runAction("require-consent", ["consents": ["marketing", "lapsed"], "all": false]).port == "granted")
        #expect(try runAction("require-consent", ["consents": ["marketing"]], input: WorkflowFixture.input(profile: nil)).port == "missing")
        #expect(configError("grant-consent", ["consent": "x", "revokeAfterDays": 0])?.message.contains("expected 1 to 36500, got 0") == true)
        #expect(configError("revoke-consent", ["consent": 1])?.message.contains("expected a non-empty string") == true)
        #expect(configError("require-consent", ["consents": []])?.message.contains("at least one") == true)
    }

    @Test("merge-profiles records a request with the keys' values for the projector, and changes nothing")
    func mergeProfiles() throws {
        let run = try runAction("merge-profiles", ["keys": ["profile@pii.email", "profile@traits.phone"]])
        #expect(run.result.effects == [WorkflowEffect(nodeID: "node", request: .mergeProfiles(profileID: "p1", keys: ["profile@pii.email": "jane@example.com"]))])
        #expect(run.result.profile == WorkflowFixture.profile)
        #expect(try runAction("merge-profiles", ["keys": ["profile@traits.phone"]]).port == "missing")
        #expect(try runAction("merge-profiles", ["keys": ["profile@pii.email"]], input: WorkflowFixture.input(profile: nil)).port == "missing")
        #expect(configError("merge-profiles", ["keys": ["event@properties.email"]])?.message.contains("is not a profile field") == true)
    }

    @Test("update-session writes session fields only")
    func updateSession() throws {
        let run = try runAction("update-session", ["field": "session@context.page.title", "from": "event@properties.sku"])
        #expect(run.result.session?.context.page["title"] == "AB-123")
        #expect(try runAction("update-session", ["field": "session@utm.source", "value": "mail"]).result.session?.context.utm == ["source": "mail"])
        #expect(try runAction("update-session", ["field": "session@device.name", "from": "memory@none"]).port == "missing")
        let noSession = WorkflowInput(event: WorkflowFixture.event)
        #expect(try failingRun("update-session", ["field": "session@os.name", "value": "x"], input: noSession).message.contains("the event has no session"))
        #expect(configError("update-session", ["field": "profile@traits.x", "value": 1])?.message.contains("expected a session@ field") == true)
        #expect(configError("update-session", ["field": "session@stats.events", "value": 1])?.message.contains("cannot be written") == true)
    }
}
