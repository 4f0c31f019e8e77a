// Reading the fields of tracker payloads and corpus lines, with errors that name the field path.
// Shared by `TrackPayload` and `CorpusLine`.

enum PayloadFields {
    static func invalid(_ path: String, expected: String, found value: JSONValue?) -> ModelError {
        let what = value.map { "found \($0.kindName)" } ?? "but it is missing"
        return ModelError(.invalidField, path: path, "expected \(expected), \(what)")
    }

    /// `parent[key]` as an object; an absent or null member is an empty object.
    static func optionalObject(_ parent: JSONObject, _ key: String, path: String) throws(ModelError) -> JSONObject {
        switch parent[key] {
        case nil, .null?: return [:]
        case .object(let object)?: return object
        case let other: throw invalid(path, expected: "an object", found: other)
        }
    }

    /// `parent[key]` as a non-empty string.
    static func requiredString(_ parent: JSONObject, _ key: String, path: String) throws(ModelError) -> String {
        guard case .string(let text)? = parent[key], !text.isEmpty else {
            throw invalid(path, expected: "a non-empty string", found: parent[key])
        }
        return text
    }

    /// `parent[key]` as a non-empty string; nil when absent or null.
    static func optionalString(_ parent: JSONObject, _ key: String, path: String) throws(ModelError) -> String? {
        switch parent[key] {
        case nil, .null?: return nil
        case .string(let text)? where !text.isEmpty: return text
        case let other: throw invalid(path, expected: "a non-empty string or null", found: other)
        }
    }

    /// The id of an entity reference such as `"session": {"id": "..."}`: nil when the member, or
    /// its `id`, is absent or null.
    static func entityID(_ parent: JSONObject, _ key: String, path: String) throws(ModelError) -> String? {
        switch parent[key] {
        case nil, .null?: return nil
        case .object(let entity)?: return try optionalString(entity, "id", path: path + ".id")
        case let other: throw invalid(path, expected: "an object with an \"id\", or null", found: other)
        }
    }

    /// `source.id`, which every event must have.
    static func sourceID(_ parent: JSONObject) throws(ModelError) -> String {
        guard case .object(let source)? = parent["source"] else {
            throw invalid("source", expected: "an object with an \"id\"", found: parent["source"])
        }
        return try requiredString(source, "id", path: "source.id")
    }

    /// The fields every event carries itself, wherever it is found: in `events[]` of a tracker
    /// payload or at the top level of a corpus line. `path` is the event's path, or empty.
    struct EventPart {
        var id: String?
        var type: EventType
        var clientTime: Int64?
        var properties: JSONObject
        var context: JSONObject
        var options: JSONObject
        var tags: [String]

        init(_ object: JSONObject, path: String) throws(ModelError) {
            let prefix = path.isEmpty ? "" : path + "."
            id = try optionalString(object, "id", path: prefix + "id")
            let typeName = try requiredString(object, "type", path: prefix + "type")
            do {
                type = try EventType(typeName)
            } catch {
                throw ModelError(.invalidEventType, path: prefix + "type", error.message)
            }
            clientTime = object["time"].flatMap { ClientTime.parse($0) }
            properties = try optionalObject(object, "properties", path: prefix + "properties")
            context = try optionalObject(object, "context", path: prefix + "context")
            options = try optionalObject(object, "options", path: prefix + "options")
            tags = try Self.tags(object["tags"], path: prefix + "tags")
        }

        /// Tags: an array of strings; absent or null is none.
        private static func tags(_ value: JSONValue?, path: String) throws(ModelError) -> [String] {
            switch value {
            case nil, .null?: return []
            case .array(let elements)?:
                var tags: [String] = []
                tags.reserveCapacity(elements.count)
                for (index, element) in elements.enumerated() {
                    guard case .string(let tag) = element else {
                        throw invalid("\(path)[\(index)]", expected: "a string", found: element)
                    }
                    tags.append(tag)
                }
                return tags
            case let other: throw invalid(path, expected: "an array of strings", found: other)
            }
        }
    }
}

extension JSONValue {
    /// What kind of value this is, with an article, for error messages: `an object`, `null`.
    var kindName: String {
        switch self {
        case .null: "null"
        case .bool: "a Boolean"
        case .integer: "an integer"
        case .number: "a number"
        case .string(let text): text.isEmpty ? "an empty string" : "a string"
        case .array: "an array"
        case .object: "an object"
        }
    }
}
