import CairnModel
import Testing
@testable import CairnLogic

@Suite("Actions: checks, look-ups of supplied facts, and gates")
struct ActionCheckTests {
    @Test("has-segment, new-profile and new-visit branch on what the input says")
    func checks() throws {
        #expect(try runAction("has-segment", ["segment": "buyers"]).port == "true")
        #expect(try runAction("has-segment", ["segment": "{{profile@traits.city}}"]).port == "false")
        #expect(try runAction("has-segment", ["segment": "buyers"], input: WorkflowFixture.input(profile: nil)).port == "false")
        #expect(configError("has-segment", [:])?.message.contains("'segment': is required") == true)
        #expect(try runAction("new-profile").port == "false")
        #expect(try runAction("new-visit").port == "true")
        var input = WorkflowFixture.input()
        input.isNewProfile = true
        input.isNewSession = false
        #expect(try runAction("new-profile", input: input).port == "true")
        #expect(try runAction("new-visit", input: input).port == "false")
        #expect(configError("new-profile", ["flag": true])?.message.contains("the action takes no config") == true)
        #expect(configError("new-visit", ["x": 1])?.code == .invalidConfig)
    }

    @Test("previous-event and previous-session send on the supplied facts, or go by 'missing'")
    func previous() throws {
        let facts: JSONObject = ["previousEvent": ["id": "e0", "type": "page-view"], "previousSession": ["id": "s0"]]
        let event = try runAction("previous-event", ["to": "memory@previous"], input: WorkflowFixture.input(facts: facts))
        #expect(event.port == "found")
        #expect(event.value == ["id": "e0", "type": "page-view"])
        #expect(event.result.memory["previous"]?["id"] == "e0")
        #expect(try runAction("previous-session", input: WorkflowFixture.input(facts: facts)).value == ["id": "s0"])
        #expect(try runAction("previous-event").port == "missing")
        #expect(try runAction("previous-session", input: WorkflowFixture.input(facts: ["previousSession": nil])).port == "missing")
        #expect(configError("previous-event", ["to": "event@id"])?.message.contains("cannot be written") == true)
        #expect(configError("previous-session", ["to": 1])?.message.contains("expected a non-empty string") == true)
    }

    @Test("once-per-profile lets the first run through and remembers it in the gate state")
    func oncePerProfile() throws {
        let first = try runAction("once-per-profile")
        #expect(first.port == "true")
        #expect(first.result.state == ["once:node": "2026-03-04T10:20:30.000000Z"])
        let second = try runAction("once-per-profile", input: WorkflowFixture.input(state: first.result.state))
        #expect(second.port == "false")
        #expect(second.result.state == first.result.state)
        #expect(try runAction("once-per-profile", ["key": "welcome"], input: WorkflowFixture.input(state: first.result.state)).port == "true")
        #expect(configError("once-per-profile", ["key": 7])?.message.contains("'key': expected a string") == true)
    }

    @Test("threshold passes on the count-th run, within the window, and resets or not")
    func threshold() throws {
        func run(_ config: JSONObject, _ state: JSONObject, at time: Int64) throws -> ActionRun {
            try runAction("threshold", config, input: WorkflowInput(event: WorkflowFixture.event, profile: WorkflowFixture.profile, state: state, nowMicros: time))
        }
        let second: Int64 = 1_000_000
        var state: JSONObject = [:]
        var ports: [String?] = []
        for time in [0, 1, 2, 3, 4, 5] as [Int64] {
            let step = try run(["count": 3], state, at: time * second)
            ports.append(step.port)
            state = step.result.state
        }
        #expect(ports == ["false", "false", "true", "false", "false", "true"])

        state = [:]
        ports = []
        for time in [0, 1, 2, 3] as [Int64] {
            let step = try run(["count": 2, "reset": false], state, at: time * second)
            ports.append(step.port)
            state = step.result.state
        }
        #expect(ports == ["false", "true", "true", "true"])
        #expect(state == ["threshold:node": [2_000_000, 3_000_000]])

        state = [:]
        ports = []
        for time in [0, 10, 20, 21] as [Int64] {
            let step = try run(["count": 2, "withinSeconds": 5], state, at: time * second)
            ports.append(step.port)
            state = step.result.state
        }
        #expect(ports == ["false", "false", "false", "true"])
        #expect(configError("threshold", [:])?.message.contains("'count': is required") == true)
        #expect(configError("threshold", ["count": 2, "withinSeconds": 0])?.message.contains("expected 1 to 315360000") == true)
    }
}
