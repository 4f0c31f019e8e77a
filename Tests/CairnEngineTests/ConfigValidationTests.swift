import CairnModel
import Testing
@testable import CairnEngine

@Suite("Configuration objects: validation names the object and the field")
struct ConfigValidationTests {
    /// The error of reading `yaml` as an object.
    func readError(_ yaml: String) -> ConfigurationError? {
        configurationError { _ = try object(yaml: yaml) }
    }

    @Test("a missing, mistyped or unknown field is named with its object")
    func missingAndUnknownFields() throws {
        let missing = try #require(readError("kind: event-source\nid: web\nbridge: rest\n"))
        #expect(missing.code == .invalidObject && missing.kind == .eventSource && missing.id == "web" && missing.field == "name")
        #expect(missing.description == #"event-source "web": name: is required"#)

        let mistyped = try #require(readError("kind: event-source\nid: web\nname: Web\nbridge: rest\nenabled: maybe\n"))
        #expect(mistyped.field == "enabled")

        let unknown = try #require(readError("kind: event-source\nid: web\nname: Web\nbridge: rest\ncolour: red\n"))
        #expect(unknown.field == "colour" && unknown.message.contains("not a field of event-source"))

        let kind = try #require(readError("kind: gadget\nid: x\n"))
        #expect(kind.field == "kind" && kind.message.contains("event-source"))
    }

    @Test("each kind's own rules", arguments: [
        ("kind: event-source\nid: web\nname: Web\nbridge: ftp\n", "bridge"),
        ("kind: event-source\nid: a/b\nname: Web\nbridge: rest\n", "id"),
        ("kind: event-source\nid: web\nname: '  '\nbridge: rest\n", "name"),
        ("kind: routing-rule\nid: r\nname: R\nevent_type: '   '\nsource_id: web\nworkflow_id: w\n", "event_type"),
        ("kind: routing-rule\nid: r\nname: R\nevent_type: x\nsource_id: 'a b'\nworkflow_id: w\n", "source_id"),
        ("kind: segment\nname: Buyers\ncondition: ''\n", "condition"),
        ("kind: segment\nid: other\nname: Buyers\ncondition: x\n", "id"),
        ("kind: segment\nname: Buyers\ncondition: x\nevent_types: [ok, '']\n", "event_types[1]"),
        ("kind: consent-type\nname: Marketing\nauto_revoke: soon\n", "auto_revoke"),
        ("kind: consent-type\nname: Marketing\ndefault_value: maybe\n", "default_value"),
        ("kind: compliance-rule\nid: c\nname: C\nevent_type: x\nfields: []\naction: hash\n", "fields"),
        ("kind: compliance-rule\nid: c\nname: C\nevent_type: x\nfields: [a]\naction: shred\n", "action"),
        ("kind: compliance-rule\nid: c\nname: C\nevent_type: x\nfields: ['a..b']\naction: remove\n", "fields[0]"),
        ("kind: identification-point\nid: i\nname: I\nevent_type: login\nfields: [{event_property: properties.email}]\n", "fields[0].profile_field"),
        ("kind: workflow\nid: w\nname: W\n", "graph.nodes"),
        ("kind: workflow\nid: w\nname: W\ngraph: {nodes: [{id: a, action: start}, {id: a, action: end}]}\n", "graph.nodes[1].id"),
        ("kind: workflow\nid: w\nname: W\ngraph: {nodes: [{id: a, action: start}], edges: [{from: a, to: b}]}\n", "graph.edges[0].to"),
        ("kind: workflow\nid: w\nname: W\ngraph: {nodes: [{id: a, action: start, config: 3}]}\n", "graph.nodes[0].config"),
        ("kind: resource\nid: m\nname: M\ntype: smtp\ncredentials: {production: 'plain text'}\n", "credentials.production"),
        ("kind: resource\nid: m\nname: M\ntype: smtp\ncredentials: {staging: 'x'}\n", "credentials.staging"),
        ("kind: destination\nid: d\nname: D\nresource_id: m\non: sometimes\n", "on"),
        ("kind: destination\nid: d\nname: D\nresource_id: m\non: event\nmapping: [1]\n", "mapping"),
    ])
    func fieldRules(yaml: String, field: String) throws {
        let error = try #require(readError(yaml))
        #expect(error.field == field, "\(error)")
        #expect(error.code == .invalidObject)
    }

    @Test("event types are normalized; derived ids follow the name; durations read and print in one form")
    func normalization() throws {
        guard case .routingRule(let rule) = try object(yaml: "kind: routing-rule\nid: r\nname: R\nevent_type: ' Page View '\nsource_id: web\nworkflow_id: w\n") else {
            Issue.record("not a rule"); return
        }
        #expect(rule.eventType == "page-view")
        let unnormalized = RoutingRule(id: "r", name: "R", eventType: "Page View", sourceID: "web", workflowID: "w")
        #expect(configurationError { try unnormalized.validate() }?.field == "event_type")
        #expect(try unnormalized.normalized().eventType == "page-view")

        let segment = try object(yaml: "kind: segment\nname: Frequent Buyers\ncondition: x\nevent_types: [Order Completed]\n")
        #expect(segment.id == "frequent-buyers")
        guard case .segment(let value) = segment else { return }
        #expect(value.eventTypes == ["order-completed"])

        guard case .consentType(let consent) = try object(yaml: "kind: consent-type\nname: Marketing Mail\nauto_revoke: 2160h\n") else { return }
        #expect(consent.id == "marketing-mail" && consent.autoRevokeSeconds == 90 * 86_400)
        #expect(consent.json["auto_revoke"] == "90d")
        #expect(ConsentType.DurationText.seconds(parsing: "45") == 45)
        #expect(ConsentType.DurationText.seconds(parsing: "2w") == 1_209_600)
        #expect(ConsentType.DurationText.seconds(parsing: "0d") == nil)
        #expect(ConsentType.DurationText.seconds(parsing: "-3d") == nil)
        #expect(ConsentType.DurationText.text(seconds: 90) == "90s")
    }

    @Test("every kind reads back its own JSON form unchanged")
    func jsonRoundTrip() throws {
        for object in try sampleObjects(key: testKey()) {
            #expect(try ConfigurationObject(json: object.json) == object, "\(object.kind)")
            #expect(object.json["kind"] == .string(object.kind.rawValue))
        }
    }

    @Test("random ids are 128 bits of hex; the standard checks run the logic module's condition parser and workflow validation")
    func idsAndWorkflowChecks() throws {
        var generator = SystemRandomNumberGenerator()
        let ids = (0..<100).map { _ in ConfigurationID.random(using: &generator) }
        #expect(Set(ids).count == 100)
        #expect(ids.allSatisfy { $0.utf8.count == 32 && $0.allSatisfy(\.isHexDigit) })
        #expect(ConfigurationID.derived(fromName: "  Big Spenders ") == "big-spenders")

        let good = ConfigurationObject.workflow(WorkflowDefinition(id: "w", name: "W", graph: sampleGraph))
        try StandardChecks().check(good)
        let noStart = ConfigurationObject.workflow(WorkflowDefinition(id: "w", name: "W", graph: ["nodes": [["id": "a", "action": "end"]], "edges": []]))
        try noStart.value.validate()  // structurally fine
        let error = try #require(configurationError { try StandardChecks().check(noStart) })
        #expect(error.kind == .workflow && error.field == "graph" && error.message.contains("start"))
        let segment = ConfigurationObject.segment(Segment(name: "Buyers", condition: "profile@stats.orders >"))
        try segment.value.validate()  // any non-empty text is structurally fine
        let badCondition = try #require(configurationError { try StandardChecks().check(segment) })
        #expect(badCondition.kind == .segment && badCondition.id == "buyers" && badCondition.field == "condition")
        try StandardChecks().check(.segment(Segment(name: "Buyers", condition: "profile@stats.orders > 3 AND event@type == \"purchase\"")))
        let destination = ConfigurationObject.destination(Destination(id: "d", name: "D", resourceID: "m", condition: "((", on: .event))
        #expect(configurationError { try StandardChecks().check(destination) }?.field == "condition")
        try StandardChecks().check(.destination(Destination(id: "d", name: "D", resourceID: "m", on: .event)))
        let unknownAction = ConfigurationObject.workflow(WorkflowDefinition(id: "w", name: "W", graph: ["nodes": [["id": "s", "action": "start"], ["id": "x", "action": "teleport"]], "edges": [["from": "s", "to": "x"]]]))
        #expect(configurationError { try StandardChecks().check(unknownAction) }?.message.contains("teleport") == true)
    }
}
