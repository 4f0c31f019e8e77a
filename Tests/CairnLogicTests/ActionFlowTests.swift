import CairnModel
import Testing
@testable import CairnLogic

@Suite("Actions: start, end, join; config checks common to every action")
struct ActionFlowTests {
    @Test("start sends the input's payload; end sends nothing")
    func startAndEnd() throws {
        let run = try runAction("end", input: WorkflowFixture.input(payload: "hello"))
        #expect(run.result.trace[0].outputs == [PortValue(port: "payload", value: "hello")])
        #expect(run.entry.outputs.isEmpty)
        let startWithConfig = Workflow(id: "w", nodes: [WorkflowNode(id: "s", action: "start", config: ["payload": 1])], edges: [])
        let error = #expect(throws: LogicError.self) { try startWithConfig.validate() }
        #expect(error?.message.contains("node 's' (start): config field 'payload' is not known") == true)
    }

    /// start → a (set memory@a), start → b (set memory@b), both → join.
    static func joinWorkflow(mode: JSONValue) throws -> ValidatedWorkflow {
        try Workflow(
            id: "w",
            nodes: [
                WorkflowNode(id: "s", action: "start"),
                WorkflowNode(id: "a", action: "map-data", config: ["fields": ["city": "profile@traits.city"]]),
                WorkflowNode(id: "b", action: "map-data", config: ["fields": ["city": "event@properties.sku", "name": "profile@traits.name"]]),
                WorkflowNode(id: "j", action: "join", config: ["mode": mode]),
            ],
            edges: [WorkflowEdge(from: "s", to: "a"), WorkflowEdge(from: "s", to: "b"), WorkflowEdge(from: "a", to: "j"), WorkflowEdge(from: "b", to: "j")]
        ).validate()
    }

    @Test("join gathers the arrivals as an array in run order, or merges objects")
    func join() throws {
        let array = try Self.joinWorkflow(mode: "array").run(WorkflowFixture.input())
        #expect(array.trace.last?.outputs.first?.value == [["city": "Oslo"], ["city": "AB-123", "name": "Jane"]])
        let merged = try Self.joinWorkflow(mode: "merge").run(WorkflowFixture.input())
        #expect(merged.trace.last?.outputs.first?.value == ["city": "AB-123", "name": "Jane"])
        #expect(configError("join", ["mode": "zip"])?.message.contains("expected one of array, merge, got 'zip'") == true)
    }

    @Test("text-uppercase and text-lowercase refuse a bad 'from'")
    func caseConfig() {
        #expect(configError("text-uppercase", ["from": "event@a["])?.message.contains("config field 'from'") == true)
        #expect(configError("text-lowercase", ["from": 1])?.message.contains("expected a non-empty string") == true)
    }

    @Test("every built-in action refuses a config with a field it does not know, naming the field or a missing one")
    func unknownFields() {
        for descriptor in ActionRegistry.builtIn.all {
            let error = #expect(throws: LogicError.self, "\(descriptor.name)") { try descriptor.build(config: ["noSuchField": 1]) }
            #expect(error?.code == .invalidConfig, "\(descriptor.name)")
            #expect(error?.message.hasPrefix("config field '") == true, "\(descriptor.name): \(String(describing: error))")
        }
    }

    @Test("every action's example config in the reference table is accepted")
    func examplesValidate() throws {
        let examples: [(String, JSONObject)] = [
            ("join", ["mode": "merge"]), ("if", ["condition": "profile@stats.visits > 3"]),
            ("copy-data", ["from": "event@properties.plan", "to": "profile@traits.plan"]),
            ("map-data", ["fields": ["name": "profile@traits.name", "total": "event@properties.total"], "to": "memory@order"]),
            ("set-field", ["field": "profile@traits.tier", "value": "gold"]), ("increment-field", ["field": "profile@stats.counters.orders"]),
            ("append-to-array", ["field": "profile@traits.skus", "from": "event@properties.sku", "unique": true]),
            ("remove-from-array", ["field": "profile@traits.skus", "value": "AB-1"]), ("delete-field", ["field": "profile@pii.phone"]),
            ("add-segment", ["segment": "city-{{profile@traits.city}}"]), ("add-interest", ["interest": "hiking", "value": 0.5]),
            ("increase-interest", ["interest": "hiking", "by": 0.25]), ("grant-consent", ["consent": "marketing", "revokeAfterDays": 365]),
            ("require-consent", ["consents": ["marketing", "email"]]), ("merge-profiles", ["keys": ["profile@pii.email"]]),
            ("update-session", ["field": "session@utm.campaign", "from": "event@properties.campaign"]),
            ("template", ["template": "Hello {{profile@traits.name}}", "to": "memory@greeting"]),
            ("text-trim", ["from": "event@properties.email", "to": "memory@email"]), ("text-split", ["separator": ","]),
            ("calculator", ["expression": "event@properties.price * event@properties.quantity", "to": "memory@total"]),
            ("regex-match", ["pattern": #"^[A-Z]{2}-\d+$"#, "from": "event@properties.sku"]),
            ("regex-extract", ["pattern": #"(\d+)"#, "group": 1, "to": "memory@number"]), ("regex-replace", ["pattern": #"\d"#, "replacement": "#"]),
            ("date-offset", ["days": 30, "to": "profile@traits.renewal"]), ("date-format", ["format": "%A %d %B", "utcOffsetMinutes": 60]),
            ("hash", ["from": "profile@pii.email", "to": "profile@traits.emailHash"]), ("mask", ["field": "profile@pii.email", "keepStart": 2, "keepEnd": 4]),
            ("previous-event", ["to": "memory@previous"]), ("once-per-profile", ["condition": "event@properties.total > 100"]),
            ("threshold", ["count": 3, "withinSeconds": 86400]), ("emit-event", ["type": "big-order", "from": "memory@order"]),
            ("add-ux-item", ["type": "message", "content": "Hi {{profile@traits.name}}"]), ("set-response", ["key": "offer", "from": "memory@offer"]),
            ("send-to-destination", ["destination": "crm", "from": "profile@pii"]),
            ("remote-call", ["resource": "geo", "method": "GET", "path": "/city/{{profile@traits.city}}"]),
        ]
        for (action, config) in examples {
            let run = try runAction(action, config)
            #expect(run.result.error == nil, "\(action)")
        }
    }
}
