import CairnModel

// Writing into JSON values by the path of a field reference.

extension JSONValue {
    /// A short name of the value's kind for messages: `a string`, `an object`.
    var kindName: String {
        switch self {
        case .null: "null"
        case .bool: "a Boolean"
        case .integer, .number: "a number"
        case .string: "a string"
        case .array: "an array"
        case .object: "an object"
        }
    }

    /// The number of bytes of the canonical JSON text, computed without building it.
    var serializedByteCount: Int {
        switch self {
        case .array(let elements):
            return 2 + max(0, elements.count - 1) + elements.reduce(0) { $0 + $1.serializedByteCount }
        case .object(let object):
            var total = 2 + max(0, object.count - 1)
            for entry in object.entries {
                total += JSONValue.string(entry.key).serialized().count + 1 + entry.value.serializedByteCount
            }
            return total
        default:
            return serialized().count
        }
    }

    /// This value with `newValue` put at `path`. Missing keys become objects on the way; an index
    /// may replace an element or append one (index == count). `reference` names the write in
    /// errors.
    ///
    /// - Throws: ``LogicError`` `unwritableField` when a step meets a value of the wrong kind or
    ///   an index past the end.
    func setting(_ newValue: JSONValue, at path: ArraySlice<FieldReference.Component>, reference: FieldReference) throws(LogicError) -> JSONValue {
        guard let first = path.first else { return newValue }
        let rest = path.dropFirst()
        switch (first, self) {
        case (.key(let key), .object(var object)):
            object[key] = try (object[key] ?? .null).setting(newValue, at: rest, reference: reference)
            return .object(object)
        case (.key(let key), .null):
            return .object([key: try JSONValue.null.setting(newValue, at: rest, reference: reference)])
        case (.index(let index), .array(var elements)):
            if index < elements.count {
                elements[index] = try elements[index].setting(newValue, at: rest, reference: reference)
            } else if index == elements.count {
                elements.append(try JSONValue.null.setting(newValue, at: rest, reference: reference))
            } else {
                throw LogicError(.unwritableField, "cannot write \(reference): index \(index) is past the end of an array of \(elements.count)")
            }
            return .array(elements)
        case (.index(let index), .null) where index == 0:
            return .array([try JSONValue.null.setting(newValue, at: rest, reference: reference)])
        case (.key, _):
            throw LogicError(.unwritableField, "cannot write \(reference): key '\(first.text)' is below \(kindName), not an object")
        case (.index, _):
            throw LogicError(.unwritableField, "cannot write \(reference): index \(first.text) is below \(kindName), not an array")
        }
    }

    /// This value without the member or element at `path`; unchanged when it is not there.
    func removing(at path: ArraySlice<FieldReference.Component>) -> JSONValue {
        guard let first = path.first else { return self }
        let rest = path.dropFirst()
        switch (first, self) {
        case (.key(let key), .object(var object)):
            guard let member = object[key] else { return self }
            object[key] = rest.isEmpty ? JSONValue?.none : member.removing(at: rest)
            return .object(object)
        case (.index(let index), .array(var elements)):
            guard index >= 0, index < elements.count else { return self }
            if rest.isEmpty {
                elements.remove(at: index)
            } else {
                elements[index] = elements[index].removing(at: rest)
            }
            return .array(elements)
        default:
            return self
        }
    }

    /// The text of a value as a template or a string operation sees it: strings as they are,
    /// null as the empty string, everything else as canonical JSON.
    var plainText: String {
        switch self {
        case .string(let text): text
        case .null: ""
        default: description
        }
    }
}

extension FieldReference.Component {
    /// `name` for a key, `[3]` for an index.
    var text: String {
        switch self {
        case .key(let key): key
        case .index(let index): "[\(index)]"
        }
    }
}

/// Whether `left` sorts before `right` by UTF-8 bytes, the order of node ids and map keys.
func precedesUTF8(_ left: String, _ right: String) -> Bool {
    left.utf8.lexicographicallyPrecedes(right.utf8)
}
