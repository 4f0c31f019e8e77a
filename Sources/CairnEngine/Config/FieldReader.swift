import CairnModel

/// Reads one configuration object's fields from its JSON form, each error naming the object and
/// the field; `finish()` refuses fields it did not read, so that a misspelt field in a file is an
/// error rather than silently ignored.
struct FieldReader {
    let kind: ConfigurationKind
    private(set) var id: String?
    private let object: JSONObject
    private var read: Set<String> = ["kind"]
    /// Where this object sits in a larger one (`graph.nodes[2]`), put before field names.
    private let prefix: String?

    init(_ object: JSONObject, kind: ConfigurationKind, id: String? = nil, prefix: String? = nil) {
        self.object = object
        self.kind = kind
        self.id = id ?? object["id"]?.stringValue
            ?? (kind.derivesIDFromName && prefix == nil ? object["name"]?.stringValue.map(ConfigurationID.derived(fromName:)) : nil)
        self.prefix = prefix
    }

    func error(_ field: String, _ message: String, code: ConfigurationError.Code = .invalidObject) -> ConfigurationError {
        ConfigurationError(code, kind: kind, id: id, field: prefix.map { $0 + "." + field } ?? field, message)
    }

    private mutating func value(_ field: String) -> JSONValue? {
        read.insert(field)
        guard let value = object[field], !value.isNull else { return nil }
        return value
    }

    mutating func string(_ field: String) throws(ConfigurationError) -> String {
        guard let text = try optionalString(field) else { throw error(field, "is required") }
        return text
    }

    mutating func optionalString(_ field: String) throws(ConfigurationError) -> String? {
        guard let value = value(field) else { return nil }
        guard let text = value.stringValue else { throw error(field, "must be a string, not \(value)") }
        return text
    }

    mutating func bool(_ field: String, default fallback: Bool) throws(ConfigurationError) -> Bool {
        guard let value = value(field) else { return fallback }
        guard let flag = value.boolValue else { throw error(field, "must be true or false, not \(value)") }
        return flag
    }

    mutating func strings(_ field: String) throws(ConfigurationError) -> [String] {
        guard let value = value(field) else { return [] }
        guard let array = value.arrayValue else { throw error(field, "must be a list of strings, not \(value)") }
        var strings: [String] = []
        for (index, element) in array.enumerated() {
            guard let text = element.stringValue else { throw error("\(field)[\(index)]", "must be a string, not \(element)") }
            strings.append(text)
        }
        return strings
    }

    mutating func object(_ field: String) throws(ConfigurationError) -> JSONObject? {
        guard let value = value(field) else { return nil }
        guard let object = value.objectValue else { throw error(field, "must be an object, not \(value)") }
        return object
    }

    mutating func objects(_ field: String) throws(ConfigurationError) -> [JSONObject] {
        guard let value = value(field) else { return [] }
        guard let array = value.arrayValue else { throw error(field, "must be a list of objects, not \(value)") }
        var objects: [JSONObject] = []
        for (index, element) in array.enumerated() {
            guard let object = element.objectValue else { throw error("\(field)[\(index)]", "must be an object, not \(element)") }
            objects.append(object)
        }
        return objects
    }

    /// Throws for the first field that was never read.
    func finish() throws(ConfigurationError) {
        if let unknown = object.keys.first(where: { !read.contains($0) }) {
            throw error(unknown, "is not a field of \(kind.rawValue)")
        }
    }
}
