import CairnModel
import Testing
@testable import CairnLogic

@Suite("Field references")
struct FieldReferenceTests {
    @Test("references parse into root and path, print back to the same text, and resolve in JSON", arguments: [
        ("profile@traits.city", FieldReference(root: .profile, path: [.key("traits"), .key("city")])),
        ("event@properties.items[1].price", FieldReference(root: .event, path: [.key("properties"), .key("items"), .index(1), .key("price")])),
        (#"session@context["a.b c"]"#, FieldReference(root: .session, path: [.key("context"), .key("a.b c")])),
        ("payload@", FieldReference(root: .payload, path: [])),
        ("memory@[0]", FieldReference(root: .memory, path: [.index(0)])),
    ])
    func parses(text: String, expected: FieldReference) throws {
        let reference = try FieldReference(parsing: text)
        #expect(reference == expected)
        #expect(reference.description == text)
        #expect(try FieldReference(parsing: reference.description) == reference)
    }

    @Test("resolving follows keys and indexes; anything missing or of the wrong kind is nil")
    func resolves() throws {
        let value: JSONValue = ["properties": ["items": [["price": 5], ["price": 7]], "a.b": true]]
        #expect(try FieldReference(parsing: "event@properties.items[1].price").resolve(in: value) == 7)
        #expect(try FieldReference(parsing: #"event@properties["a.b"]"#).resolve(in: value) == true)
        #expect(try FieldReference(parsing: "event@properties.items[2]").resolve(in: value) == nil)
        #expect(try FieldReference(parsing: "event@properties.items.price").resolve(in: value) == nil)
        #expect(try FieldReference(parsing: "event@").resolve(in: value) == value)
    }

    @Test("bad references name the position and what was expected", arguments: [
        ("traits.city", "expected ROOT@PATH"), ("user@x", "unknown root 'user'"), ("profile@a..b", "position 10: expected a key"),
        ("profile@a[", "expected an array index"), ("profile@a[1", "expected ']'"), ("profile@a b", "key character"),
        (#"profile@a["x]"#, "a JSON string key"), ("profile@a[1]b", "expected '.' or '['"),
    ])
    func rejects(text: String, message: String) {
        let error = #expect(throws: LogicError.self) { try FieldReference(parsing: text) }
        #expect(error?.code == .invalidReference)
        #expect(error?.message.contains(message) == true, "\(String(describing: error))")
    }
}
