import CairnModel
import Testing
@testable import CairnLogic

@Suite("Actions: conditions and condition gates")
struct ActionConditionTests {
    @Test("if branches on a condition over the run's data and time", arguments: [
        ("profile@stats.visits > 3", "true"), ("profile@stats.visits > 4", "false"), ("event@properties.total >= 100 AND profile@traits.city == \"Oslo\"", "true"),
        ("memory@nothing EXISTS", "false"), ("payload@sku == \"AB-123\"", "true"), ("session@device.name == \"phone\"", "true"),
    ])
    func ifBranches(condition: String, port: String) throws {
        let run = try runAction("if", ["condition": .string(condition)])
        #expect(run.port == port)
        #expect(run.value == .object(WorkflowFixture.event.properties))
    }

    @Test("if sees changes made earlier in the run")
    func seesEarlierChanges() throws {
        let workflow = try Workflow(
            id: "w",
            nodes: [
                WorkflowNode(id: "a", action: "start"), WorkflowNode(id: "b", action: "add-segment", config: ["segment": "vip"]),
                WorkflowNode(id: "c", action: "if", config: ["condition": "profile@segments CONTAINS \"vip\""]), WorkflowNode(id: "d", action: "end"),
            ],
            edges: [WorkflowEdge(from: "a", to: "b"), WorkflowEdge(from: "b", to: "c"), WorkflowEdge(from: "c", port: "true", to: "d")]
        ).validate()
        let result = workflow.run(WorkflowFixture.input())
        #expect(result.trace.map(\.status) == [.ran, .ran, .ran, .ran])
    }

    @Test("if refuses a missing or unparsable condition, naming the node and field")
    func ifConfig() throws {
        #expect(configError("if", [:])?.message.contains("config field 'condition': is required") == true)
        let error = configError("if", ["condition": "profile@stats.visits >"])
        #expect(error?.code == .invalidConfig)
        #expect(error?.message.hasPrefix("workflow 'wf': node 'node' (if): config field 'condition': ") == true)
    }

    @Test("once-per-profile with a condition passes the first time the condition holds")
    func onceWithCondition() throws {
        let config: JSONObject = ["condition": "event@properties.total > 200"]
        let small = try runAction("once-per-profile", config)
        #expect(small.port == "false")
        #expect(small.result.state.isEmpty)
        var event = WorkflowFixture.event
        event.properties["total"] = 250
        let big = try runAction("once-per-profile", config, input: WorkflowInput(event: event, profile: WorkflowFixture.profile, state: small.result.state))
        #expect(big.port == "true")
        #expect(big.result.state.keys == ["once:node"])
        #expect(configError("once-per-profile", ["condition": "(("])?.message.contains("config field 'condition'") == true)
    }

    @Test("threshold with a condition counts only the runs for which it holds")
    func thresholdWithCondition() throws {
        let config: JSONObject = ["count": 2, "condition": "payload@ == \"buy\""]
        var state: JSONObject = [:]
        var ports: [String?] = []
        for payload in ["buy", "look", "look", "buy"] as [JSONValue] {
            let run = try runAction("threshold", config, input: WorkflowFixture.input(payload: payload, state: state))
            ports.append(run.port)
            state = run.result.state
        }
        #expect(ports == ["false", "false", "false", "true"])
        #expect(configError("threshold", ["count": 2, "condition": 3])?.message.contains("config field 'condition': expected a string") == true)
    }
}
