import CairnModel
import Testing
@testable import CairnEngine

@Suite("Configuration state: plans, versions and the fold")
struct ConfigStateTests {
    let source = ConfigurationObject.eventSource(EventSourceDefinition(id: "web", name: "Web", bridge: .rest))
    let checks = StructuralChecks()

    /// Plans `changes` on `state` and folds the records in.
    func commit(_ changes: [ConfigurationChange], _ state: inout ConfigurationState) throws -> [ConfigurationRecord] {
        let records = try state.plan(changes, checks: checks, key: noKey)
        for record in records {
            try state.apply(record, offset: UInt64(state.recordCount), timestampMicros: 0)
        }
        return records
    }

    @Test("versions count each object's changes, across deletion and re-creation")
    func versionsIncrement() throws {
        var state = ConfigurationState()
        let key = ConfigurationKey(.eventSource, "web")
        #expect(try commit([.create(source)], &state).map(\.version) == [1])
        var renamed = EventSourceDefinition(id: "web", name: "Web site", bridge: .rest)
        #expect(try commit([.put(.eventSource(renamed))], &state).map(\.action) == [.update])
        #expect(try commit([.setEnabled(key, false)], &state).map(\.action) == [.disable])
        #expect(try commit([.setEnabled(key, false)], &state).isEmpty)
        renamed.enabled = true
        #expect(try commit([.put(.eventSource(renamed))], &state).map(\.action) == [.enable])
        #expect(try commit([.delete(key)], &state).map(\.version) == [5])
        #expect(state.entry(key) == nil)
        let recreated = try commit([.create(source)], &state)
        #expect(recreated.map(\.version) == [6] && recreated.map(\.action) == [.create])
        #expect(state.entry(key)?.version == 6 && state.recordCount == 6)
    }

    @Test("putting an equal object records nothing; creating an existing one or changing one twice is a conflict")
    func idempotenceAndConflicts() throws {
        var state = ConfigurationState()
        _ = try commit([.put(source)], &state)
        #expect(try commit([.put(source)], &state).isEmpty)
        #expect(configurationError { _ = try state.plan([.create(source)], checks: checks, key: noKey) }?.code == .conflict)
        #expect(configurationError { _ = try state.plan([.put(source), .put(source)], checks: checks, key: noKey) }?.code == .conflict)
        #expect(configurationError { _ = try state.plan([.delete(ConfigurationKey(.segment, "none"))], checks: checks, key: noKey) }?.code == .notFound)
    }

    @Test("references must resolve, within the same plan too; a named object cannot be deleted")
    func references() throws {
        var state = ConfigurationState()
        let workflow = ConfigurationObject.workflow(WorkflowDefinition(id: "w", name: "W", graph: sampleGraph))
        let rule = ConfigurationObject.routingRule(RoutingRule(id: "r", name: "R", eventType: "x", sourceID: "web", workflowID: "w"))
        let dangling = try #require(configurationError { _ = try state.plan([.put(rule)], checks: checks, key: noKey) })
        #expect(dangling.code == .invalidReference && dangling.kind == .routingRule && dangling.field == "source_id")
        #expect(try commit([.put(rule), .put(source), .put(workflow)], &state).count == 3)
        let delete = try #require(configurationError { _ = try state.plan([.delete(source.key)], checks: checks, key: noKey) })
        #expect(delete.code == .invalidReference && delete.message.contains("routing-rule"))
        #expect(try commit([.delete(rule.key), .delete(source.key)], &state).count == 2)
    }

    @Test("a failing change leaves the plan empty: all or nothing")
    func allOrNothing() throws {
        let state = ConfigurationState()
        let bad = ConfigurationObject.eventSource(EventSourceDefinition(id: "", name: "X", bridge: .rest))
        let error = try #require(configurationError { _ = try state.plan([.put(source), .put(bad)], checks: checks, key: noKey) })
        #expect(error.field == "id")
        #expect(state.count == 0)
    }

    @Test("records encode and decode; the fold refuses records that do not follow")
    func recordsAndFold() throws {
        for (index, object) in try sampleObjects(key: testKey()).enumerated() {
            let record = ConfigurationRecord(key: object.key, version: UInt64(index + 1), action: .create, author: "ada", object: object)
            #expect(try ConfigurationRecord(payload: record.encoded()) == record)
        }
        let deletion = ConfigurationRecord(key: source.key, version: 2, action: .delete, object: nil)
        #expect(try ConfigurationRecord(payload: deletion.encoded()) == deletion)
        #expect(configurationError { _ = try ConfigurationRecord(payload: [1, 2, 3]) }?.code == .invalidRecord)

        var state = ConfigurationState()
        let skipped = ConfigurationRecord(key: source.key, version: 2, action: .create, object: source)
        #expect(configurationError { try state.apply(skipped, offset: 9, timestampMicros: 0) }?.message.contains("offset 9") == true)
        let update = ConfigurationRecord(key: source.key, version: 1, action: .update, object: source)
        #expect(configurationError { try state.apply(update, offset: 0, timestampMicros: 0) }?.code == .invalidRecord)
        var disabled = source
        disabled.enabled = false
        try state.apply(ConfigurationRecord(key: source.key, version: 1, action: .create, object: source), offset: 0, timestampMicros: 5)
        let wrongFlag = ConfigurationRecord(key: source.key, version: 2, action: .enable, object: disabled)
        #expect(configurationError { try state.apply(wrongFlag, offset: 1, timestampMicros: 0) }?.code == .invalidRecord)
        #expect(state.entry(source.key)?.timestampMicros == 5)
    }
}
