import CairnModel
import Testing
@testable import CairnLogic

@Suite("Actions: copying, setting and changing fields")
struct ActionDataTests {
    @Test("copy-data copies a value; a missing source goes by 'missing' and writes nothing")
    func copyData() throws {
        let run = try runAction("copy-data", ["from": "event@properties.sku", "to": "profile@traits.lastSku"])
        #expect(run.profile.traits["lastSku"] == "AB-123")
        #expect(run.port == "payload")
        let missing = try runAction("copy-data", ["from": "event@properties.nope", "to": "profile@traits.lastSku"])
        #expect(missing.port == "missing")
        #expect(missing.profile.traits["lastSku"] == nil)
        #expect(configError("copy-data", ["from": "event@properties.sku"])?.message.contains("config field 'to': is required") == true)
        #expect(configError("copy-data", ["from": "event@properties.sku", "to": "payload@x"])?.message.contains("payload@ is read-only") == true)
    }

    @Test("map-data builds an object from fields, leaving out missing ones")
    func mapData() throws {
        let run = try runAction("map-data", ["fields": ["name": "profile@traits.name", "total": "event@properties.total", "gone": "event@properties.gone"], "to": "memory@summary"])
        #expect(run.value == ["name": "Jane", "total": 120])
        #expect(run.result.memory["summary"] == ["name": "Jane", "total": 120])
        #expect(configError("map-data", ["fields": ["name": 3]])?.message.contains("'name': expected a field reference") == true)
        #expect(configError("map-data", ["fields": ["name": "traits.name"]])?.message.contains("expected ROOT@PATH") == true)
        #expect(configError("map-data", [:])?.message.contains("config field 'fields'") == true)
    }

    @Test("set-field writes a literal or a referenced value; exactly one of value and from")
    func setField() throws {
        #expect(try runAction("set-field", ["field": "event@properties.flag", "value": true]).result.event.properties["flag"] == true)
        #expect(try runAction("set-field", ["field": "memory@a.b[0]", "from": "profile@traits.city"]).result.memory["a"] == ["b": ["Oslo"]])
        #expect(try runAction("set-field", ["field": "memory@a", "from": "profile@traits.none"]).port == "missing")
        #expect(configError("set-field", ["field": "memory@a"])?.message.contains("give either 'value' (a value) or 'from'") == true)
        #expect(configError("set-field", ["field": "memory@a", "value": 1, "from": "event@id"])?.message.contains("not both") == true)
        #expect(configError("set-field", ["field": "profile@id", "value": 1])?.message.contains("profile@id cannot be written") == true)
    }

    @Test("increment-field and decrement-field keep integers exact, count missing as 0, and refuse non-numbers")
    func incrementDecrement() throws {
        #expect(try runAction("increment-field", ["field": "profile@stats.counters.orders"]).profile.stats.counters["orders"] == 3)
        #expect(try runAction("increment-field", ["field": "profile@traits.visits", "by": 2.5]).profile.traits["visits"] == 6.5)
        #expect(try runAction("increment-field", ["field": "memory@n", "by": 5]).result.memory["n"] == 5)
        #expect(try runAction("decrement-field", ["field": "profile@stats.counters.orders", "by": 2]).profile.stats.counters["orders"] == 0)
        #expect(try runAction("decrement-field", ["field": "profile@interests.hiking"]).profile.interests["hiking"] == 1.0)
        #expect(try failingRun("increment-field", ["field": "profile@traits.name"]).message.contains("holds a string, not a number"))
        let big = WorkflowInput(event: WorkflowFixture.event, payload: nil, memory: ["n": .integer(.max)])
        #expect(try failingRun("increment-field", ["field": "memory@n"], input: big).message.contains("does not fit"))
        #expect(try failingRun("increment-field", ["field": "profile@stats.counters.orders", "by": 0.5]).code == .unwritableField)
        #expect(configError("increment-field", ["field": "memory@n", "by": "two"])?.message.contains("config field 'by': expected a number") == true)
        #expect(configError("decrement-field", [:])?.message.contains("config field 'field': is required") == true)
    }

    @Test("append-to-array appends (optionally only new values); remove-from-array removes every equal element")
    func arrays() throws {
        #expect(try runAction("append-to-array", ["field": "profile@traits.tags", "value": "y"]).profile.traits["tags"] == ["x", "y"])
        #expect(try runAction("append-to-array", ["field": "profile@traits.tags", "value": "x", "unique": true]).profile.traits["tags"] == ["x"])
        #expect(try runAction("append-to-array", ["field": "memory@list", "from": "event@properties.sku"]).result.memory["list"] == ["AB-123"])
        #expect(try failingRun("append-to-array", ["field": "profile@traits.name", "value": 1]).message.contains("not an array"))
        #expect(try runAction("remove-from-array", ["field": "event@properties.items", "value": "a"]).result.event.properties["items"] == ["b"])
        #expect(try runAction("remove-from-array", ["field": "event@tags", "value": "web"]).result.event.tags == [])
        #expect(try runAction("remove-from-array", ["field": "memory@none", "value": "a"]).entry.changes.isEmpty)
        #expect(configError("append-to-array", ["field": "memory@l", "value": 1, "unique": "yes"])?.message.contains("expected true or false") == true)
        #expect(configError("remove-from-array", ["value": 1])?.message.contains("'field': is required") == true)
    }

    @Test("delete-field deletes a field and does nothing for a missing one")
    func deleteField() throws {
        let run = try runAction("delete-field", ["field": "profile@pii.email"])
        #expect(run.profile.pii["email"] == nil)
        #expect(run.entry.changes == [WorkflowChange(field: "profile@pii.email", value: nil)])
        #expect(try runAction("delete-field", ["field": "profile@consents.marketing"]).profile.consents["marketing"] == nil)
        #expect(try runAction("delete-field", ["field": "memory@x"]).entry.changes.isEmpty)
        #expect(configError("delete-field", ["field": "session@id"])?.message.contains("session@id cannot be written") == true)
    }

    @Test("profile writes map onto the typed profile; other paths are refused with the reason", arguments: [
        ("profile@interests.a.b", "write one interest"), ("profile@segments[0]", "write the whole list"), ("profile@consents", "write one consent"),
        ("profile@stats.visits", "only stats.counters.NAME"), ("profile@metadata.time", "cannot be written"), ("event@id", "cannot be written"),
        ("event@type.x", "event@type is a string"), ("session@context.x", "only context.page"), ("session@metadata.duration", "only metadata.status"),
    ])
    func refusedPaths(path: String, reason: String) {
        let error = configError("set-field", ["field": .string(path), "value": 1])
        #expect(error?.code == .invalidConfig)
        #expect(error?.message.contains(reason) == true, "\(String(describing: error))")
    }

    @Test("typed profile, event and session fields take values of their kind")
    func typedWrites() throws {
        #expect(try runAction("set-field", ["field": "profile@segments", "value": ["b", "a"]]).profile.segments == ["a", "b"])
        #expect(try runAction("set-field", ["field": "profile@consents.email", "value": ["revoke": "2027-01-01T00:00:00Z"]]).profile.consents["email"]
            == Consent(revokeMicros: ClientTime.parse("2027-01-01T00:00:00Z")))
        #expect(try runAction("set-field", ["field": "profile@consents.sms", "value": true]).profile.consents["sms"] == Consent())
        #expect(try runAction("set-field", ["field": "event@type", "value": "Order Shipped"]).result.event.type == "order-shipped")
        #expect(try runAction("set-field", ["field": "event@tags[1]", "value": "new"]).result.event.tags == ["web", "new"])
        #expect(try runAction("set-field", ["field": "session@metadata.status", "value": "closed"]).result.session?.status == .closed)
        #expect(try failingRun("set-field", ["field": "profile@interests.x", "value": "high"]).message.contains("takes a number, not a string"))
        #expect(try failingRun("set-field", ["field": "profile@segments", "value": [1]]).message.contains("array of strings"))
        #expect(try failingRun("set-field", ["field": "profile@consents.x", "value": 3]).code == .unwritableField)
        #expect(try failingRun("set-field", ["field": "event@type", "value": " "]).message.contains("event type is empty"))
        #expect(try failingRun("set-field", ["field": "event@tags[0]", "value": 1]).message.contains("takes strings only"))
        #expect(try failingRun("set-field", ["field": "profile@traits.name.first", "value": 1]).message.contains("key 'first' is below a string"))
        #expect(try failingRun("set-field", ["field": "memory@l[3]", "value": 1], input: WorkflowInput(event: WorkflowFixture.event, memory: ["l": [1]])).message.contains("index 3 is past the end"))
        #expect(try failingRun("set-field", ["field": "profile@traits.x", "value": 1], input: WorkflowFixture.input(profile: nil)).message.contains("the event has no profile"))
    }
}
