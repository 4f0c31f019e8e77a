import CairnModel
import Testing
@testable import CairnEngine

@Suite("Field-level diffs")
struct FieldChangeTests {
    @Test("nested objects are compared key by key; other values whole; order follows the keys")
    func diff() {
        let before: JSONValue = ["a": 1, "b": ["x": "old", "y": true], "c": [1, 2], "e": "gone", "g": ["h": 1]]
        let after: JSONValue = ["a": 1, "b": ["x": "new", "y": true, "z": .null], "c": [1, 3], "d": ["k": 2], "g": 5]
        let changes = FieldChange.diff(before, after)
        #expect(changes.map(\.path) == ["b.x", "b.z", "c", "d.k", "e", "g"])
        #expect(changes[0].before == "old" && changes[0].after == "new")
        #expect(changes[1].before == nil && changes[1].after == .null)
        #expect(changes[4].before == "gone" && changes[4].after == nil)
        #expect(changes[5].before == ["h": 1] && changes[5].after == 5)
        #expect(FieldChange.diff(before, before).isEmpty)
        #expect(FieldChange.diff(nil, ["a": ["b": 1]]).map(\.path) == ["a.b"])
        #expect(FieldChange.diff(["a": [:]], ["a": [:]]).isEmpty)
    }
}
