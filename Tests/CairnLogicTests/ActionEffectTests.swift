import CairnModel
import Testing
@testable import CairnLogic

@Suite("Actions: requests recorded as effects")
struct ActionEffectTests {
    @Test("emit-event requests an event linked to its cause, with an id that a replay gives again")
    func emitEvent() throws {
        let run = try runAction("emit-event", ["type": "Order Confirmed", "properties": ["source": "workflow"], "tags": ["auto"]])
        let expected = Event(
            id: "e1-wf-node", type: "order-confirmed", clientTime: WorkflowFixture.time, sourceID: "web", sessionID: "s1", profileID: "p1",
            properties: ["source": "workflow"], context: ["cause": ["event": "e1", "workflow": "wf", "node": "node", "depth": 1]], tags: ["auto"]
        )
        #expect(run.result.effects == [WorkflowEffect(nodeID: "node", request: .emitEvent(expected, causeEventID: "e1"))])
        #expect(run.result.event == WorkflowFixture.event)
        let fromMemory = try runAction("emit-event", ["type": "x", "from": "profile@traits"])
        guard case .emitEvent(let event, _)? = fromMemory.result.effects.first?.request else { Issue.record("no event"); return }
        #expect(event.properties == WorkflowFixture.profile.traits)
        #expect(try failingRun("emit-event", ["type": "x", "from": "profile@traits.name"]).message.contains("must be an object, not a string"))
        #expect(configError("emit-event", ["type": "\t"])?.message.contains("config field 'type'") == true)
        #expect(configError("emit-event", ["type": "x", "properties": [1]])?.message.contains("expected an object") == true)
    }

    @Test("emit-event counts the depth of a chain of emitted events and stops it at the limit")
    func emitEventDepth() throws {
        func input(causeDepth: Int) -> WorkflowInput {
            var input = WorkflowFixture.input()
            input.event.context["cause"] = ["event": "e0", "workflow": "wf", "node": "node", "depth": .integer(Int64(causeDepth))]
            return input
        }
        let run = try runAction("emit-event", ["type": "next"], input: input(causeDepth: EmitEventAction.depthMax - 1))
        guard case .emitEvent(let event, _)? = run.result.effects.first?.request else { Issue.record("no event"); return }
        #expect(event.context["cause"]?["depth"] == .integer(Int64(EmitEventAction.depthMax)))
        let error = try failingRun("emit-event", ["type": "next"], input: input(causeDepth: EmitEventAction.depthMax))
        #expect(error.message.contains("chains of emitted events end at depth \(EmitEventAction.depthMax)"))
    }

    @Test("add-ux-item requests an item with rendered content")
    func uxItem() throws {
        let run = try runAction("add-ux-item", ["type": "message", "content": "Welcome back, {{profile@traits.name}}", "props": ["position": "top"]])
        #expect(run.result.effects.map(\.request) == [.uxItem(["type": "message", "content": "Welcome back, Jane", "props": ["position": "top"]])])
        #expect(configError("add-ux-item", ["content": "x"])?.message.contains("'type': is required") == true)
        #expect(configError("add-ux-item", ["type": "x", "props": "y"])?.message.contains("'props': expected an object") == true)
    }

    @Test("set-response requests a reply value")
    func response() throws {
        #expect(try runAction("set-response", ["key": "offer", "from": "profile@traits.city"]).result.effects.map(\.request) == [.response(key: "offer", value: "Oslo")])
        #expect(try runAction("set-response", ["key": "offer", "from": "profile@traits.none"]).port == "missing")
        #expect(configError("set-response", ["value": 1])?.message.contains("'key': is required") == true)
    }

    @Test("send-to-destination requests a delivery of the payload or a field")
    func destination() throws {
        #expect(try runAction("send-to-destination", ["destination": "crm", "from": "profile@pii"]).result.effects.map(\.request)
            == [.sendToDestination(destinationID: "crm", data: ["email": "jane@example.com"])])
        #expect(try runAction("send-to-destination", ["destination": "crm"], input: WorkflowFixture.input(payload: "hi")).result.effects.map(\.request)
            == [.sendToDestination(destinationID: "crm", data: "hi")])
        #expect(configError("send-to-destination", ["data": 1])?.message.contains("'destination': is required") == true)
    }

    @Test("remote-call requests the call until its response is a fact, then goes on with it")
    func remoteCall() throws {
        let config: JSONObject = ["resource": "geo", "method": "GET", "path": "/city/{{profile@traits.city}}", "body": nil]
        let first = try runAction("remote-call", config)
        #expect(first.port == "requested")
        #expect(first.result.effects.map(\.request) == [.remoteCall(resourceID: "geo", request: ["method": "GET", "path": "/city/Oslo", "body": .object(WorkflowFixture.event.properties)], factKey: "wf/node")])
        let answered = try runAction("remote-call", config, input: WorkflowFixture.input(facts: ["wf/node": ["country": "NO"]]))
        #expect(answered.port == "response")
        #expect(answered.value == ["country": "NO"])
        #expect(answered.result.effects.isEmpty)
        #expect(try runAction("remote-call", ["resource": "geo", "factKey": "geo", "body": 1], input: WorkflowFixture.input(facts: ["geo": 1])).port == "response")
        #expect(configError("remote-call", ["resource": "geo", "method": "TRACE"])?.message.contains("expected one of GET, POST, PUT, PATCH, DELETE") == true)
    }

    @Test("effects render to JSON with their kind and node")
    func effectJSON() {
        let effect = WorkflowEffect(nodeID: "n", request: .remoteCall(resourceID: "r", request: ["method": "GET"], factKey: "k"))
        #expect(effect.jsonValue.text == #"{"fact":"k","node":"n","request":{"method":"GET"},"resource":"r","type":"remote-call"}"#)
    }
}
