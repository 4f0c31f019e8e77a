import CairnModel

/// A node's config as an action decodes it: typed getters that throw ``LogicError``
/// `invalidConfig` naming the field and what was expected, and that remember which fields were
/// read so that a field no getter asked for is reported as unknown (a misspelt `segmnet` is an
/// error, not a silent default).
///
/// Lives only while one action is built, on one thread; not `Sendable`.
public final class ActionConfig {
    /// The config as the node has it.
    public let object: JSONObject
    private var read: [String] = []

    public init(_ object: JSONObject) {
        self.object = object
    }

    /// The fields read so far, in the order first read.
    var readKeys: [String] { read }

    /// The fields present but never read, in key order.
    var unreadKeys: [String] { object.keys.filter { !read.contains($0) } }

    /// An `invalidConfig` error about `key`.
    public func error(_ key: String, _ message: String) -> LogicError {
        LogicError(.invalidConfig, "config field '\(key)': \(message)")
    }

    /// The raw value of `key`, nil when absent (null counts as absent).
    public func value(_ key: String) -> JSONValue? {
        if !read.contains(key) { read.append(key) }
        guard let value = object[key], !value.isNull else { return nil }
        return value
    }

    /// A required value of any kind.
    public func requiredValue(_ key: String) throws(LogicError) -> JSONValue {
        guard let value = value(key) else { throw error(key, "is required") }
        return value
    }

    /// A non-empty string; `fallback` when absent, required when there is none.
    public func string(_ key: String, default fallback: String? = nil) throws(LogicError) -> String {
        guard let value = value(key) else {
            if let fallback { return fallback }
            throw error(key, "is required (a non-empty string)")
        }
        guard let text = value.stringValue, !text.isEmpty else { throw error(key, "expected a non-empty string, got \(value)") }
        return text
    }

    /// A string that may be empty or absent.
    public func optionalString(_ key: String) throws(LogicError) -> String? {
        guard let value = value(key) else { return nil }
        guard let text = value.stringValue else { throw error(key, "expected a string, got \(value)") }
        return text
    }

    /// One of `choices`; `fallback` when absent.
    public func choice(_ key: String, of choices: [String], default fallback: String? = nil) throws(LogicError) -> String {
        let text = try string(key, default: fallback)
        guard choices.contains(text) else {
            throw error(key, "expected one of \(choices.joined(separator: ", ")), got '\(text)'")
        }
        return text
    }

    /// A field reference (`profile@traits.city`); `fallback` (reference text) when absent.
    public func reference(_ key: String, default fallback: String? = nil) throws(LogicError) -> FieldReference {
        let text = try string(key, default: fallback)
        do {
            return try FieldReference(parsing: text)
        } catch {
            throw self.error(key, error.message)
        }
    }

    /// A field reference, or nil when absent.
    public func optionalReference(_ key: String) throws(LogicError) -> FieldReference? {
        guard value(key) != nil else { return nil }
        return try reference(key)
    }

    /// A field reference that ``ActionContext/set(_:to:)`` can write.
    public func writableReference(_ key: String, default fallback: String? = nil) throws(LogicError) -> FieldReference {
        let reference = try reference(key, default: fallback)
        if let reason = ActionContext.writability(of: reference) { throw error(key, reason) }
        return reference
    }

    /// A writable field reference, or nil when absent.
    public func optionalWritableReference(_ key: String) throws(LogicError) -> FieldReference? {
        guard value(key) != nil else { return nil }
        return try writableReference(key)
    }

    /// An integer in `range`; `fallback` when absent.
    public func integer(_ key: String, in range: ClosedRange<Int64>, default fallback: Int64? = nil) throws(LogicError) -> Int64 {
        guard let value = value(key) else {
            if let fallback { return fallback }
            throw error(key, "is required (an integer)")
        }
        guard let integer = value.integerValue ?? exactInteger(value.doubleValue) else { throw error(key, "expected an integer, got \(value)") }
        guard range.contains(integer) else { throw error(key, "expected \(range.lowerBound) to \(range.upperBound), got \(integer)") }
        return integer
    }

    /// An integer in `range`, or nil when absent.
    public func optionalInteger(_ key: String, in range: ClosedRange<Int64>) throws(LogicError) -> Int64? {
        guard value(key) != nil else { return nil }
        return try integer(key, in: range)
    }

    /// A finite number (integer or decimal); `fallback` when absent.
    public func number(_ key: String, default fallback: JSONValue? = nil) throws(LogicError) -> JSONValue {
        guard let value = value(key) else {
            if let fallback { return fallback }
            throw error(key, "is required (a number)")
        }
        guard let double = value.doubleValue, double.isFinite else { throw error(key, "expected a number, got \(value)") }
        return value
    }

    /// A Boolean; `fallback` when absent.
    public func bool(_ key: String, default fallback: Bool) throws(LogicError) -> Bool {
        guard let value = value(key) else { return fallback }
        guard let bool = value.boolValue else { throw error(key, "expected true or false, got \(value)") }
        return bool
    }

    /// An object; empty when absent.
    public func object(_ key: String) throws(LogicError) -> JSONObject {
        guard let value = value(key) else { return [:] }
        guard let object = value.objectValue else { throw error(key, "expected an object, got \(value.kindName)") }
        return object
    }

    /// A non-empty array of non-empty strings.
    public func strings(_ key: String) throws(LogicError) -> [String] {
        guard let value = value(key) else { throw error(key, "is required (an array of strings)") }
        let elements = value.arrayValue ?? [value]
        var result: [String] = []
        for element in elements {
            guard let text = element.stringValue, !text.isEmpty else { throw error(key, "expected non-empty strings, got \(element)") }
            result.append(text)
        }
        guard !result.isEmpty else { throw error(key, "expected at least one string") }
        return result
    }

    /// Where an action takes a value from: a literal `value`, or a reference `from` (exactly
    /// one of the two; `fallbackReference` when neither is given and there is one).
    public func source(value valueKey: String = "value", from fromKey: String = "from", default fallbackReference: String? = nil) throws(LogicError) -> ValueSource {
        let literal = value(valueKey)
        let hasReference = value(fromKey) != nil
        switch (literal, hasReference) {
        case (let literal?, false):
            return .literal(literal)
        case (nil, true):
            return .reference(try reference(fromKey))
        case (nil, false):
            if let fallbackReference { return .reference(try reference(fromKey, default: fallbackReference)) }
            throw error(valueKey, "give either '\(valueKey)' (a value) or '\(fromKey)' (a field reference)")
        case (.some, true):
            throw error(valueKey, "give either '\(valueKey)' or '\(fromKey)', not both")
        }
    }

    /// A template (text with `{{reference}}` holes): `fallback` when absent; without a fallback,
    /// required and non-empty.
    public func template(_ key: String, default fallback: String? = nil) throws(LogicError) -> Template {
        // Without a fallback the template is required and may not be empty.
        let text: String
        if let fallback {
            text = try optionalString(key) ?? fallback
        } else {
            text = try string(key)
        }
        do {
            return try Template(parsing: text)
        } catch {
            throw self.error(key, error.message)
        }
    }
}

/// A value given literally in a config, or read from a field when the node runs.
public enum ValueSource: Sendable, Equatable {
    case literal(JSONValue)
    case reference(FieldReference)

    /// The value now, or nil when the reference points at nothing.
    public func value(in context: ActionContext) -> JSONValue? {
        switch self {
        case .literal(let value): value
        case .reference(let reference): context.value(of: reference)
        }
    }
}
