import CairnModel

/// A script's error: the script, the step (numbered from 1) and what is wrong.
struct ScenarioError: Error, CustomStringConvertible {
    let description: String

    init(script: String, step: Int? = nil, label: String = "", _ message: String) {
        description = script + (step.map { ": step \($0) (\(label))" } ?? "") + ": " + message
    }
}

/// What is wrong with one part of a step; the parser adds the script and the step.
struct ScriptFault: Error {
    let message: String
    init(_ message: String) { self.message = message }
}

/// One mapping of a script: typed reads that name the key at fault, and a check that no key
/// was left unread, so that a misspelt key is an error rather than silently ignored.
final class ScriptObject {
    let object: JSONObject
    /// Where the mapping is, as a prefix for keys: `events[2].`.
    let path: String
    private var read: Set<String> = []

    init(_ object: JSONObject, at path: String) {
        self.object = object
        self.path = path
    }

    convenience init(_ value: JSONValue, at path: String) throws {
        guard let object = value.objectValue else { throw ScriptFault("\(path.isEmpty ? "the argument" : String(path.dropLast())): expected a mapping, got \(value)") }
        self.init(object, at: path)
    }

    private func value(_ key: String) -> JSONValue? {
        read.insert(key)
        return object[key]
    }

    private func wrong(_ key: String, _ expected: String) -> ScriptFault {
        ScriptFault("\(path)\(key): expected \(expected), got \(object[key].map { "\($0)" } ?? "nothing")")
    }

    func string(_ key: String) throws -> String {
        guard let text = try optionalString(key) else { throw wrong(key, "a string") }
        return text
    }

    func optionalString(_ key: String) throws -> String? {
        switch value(key) {
        case nil: return nil
        case .string(let text)?: return text
        case .integer(let number)?: return String(number)  // `id: 42` in YAML
        default: throw wrong(key, "a string")
        }
    }

    func optionalBool(_ key: String) throws -> Bool? {
        guard let value = value(key) else { return nil }
        guard let flag = value.boolValue else { throw wrong(key, "true or false") }
        return flag
    }

    func optionalObject(_ key: String) throws -> JSONObject? {
        guard let value = value(key) else { return nil }
        guard let object = value.objectValue else { throw wrong(key, "a mapping") }
        return object
    }

    func list(_ key: String) throws -> [JSONValue] {
        guard let elements = value(key)?.arrayValue, !elements.isEmpty else { throw wrong(key, "a non-empty list") }
        return elements
    }

    func optionalStrings(_ key: String) throws -> [String]? {
        guard let value = value(key) else { return nil }
        guard let strings = value.arrayValue?.compactMap(\.stringValue), strings.count == value.arrayValue?.count else {
            throw wrong(key, "a list of strings")
        }
        return strings
    }

    func refuseUnread() throws {
        if let unknown = object.keys.first(where: { !read.contains($0) }) {
            throw ScriptFault("\(path)\(unknown): unknown key; known here: " + read.sorted().joined(separator: ", "))
        }
    }
}
