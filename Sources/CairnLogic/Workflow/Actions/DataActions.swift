import CairnModel

// Actions that copy, set and change fields by reference. They send the payload they received
// on unchanged; where the value they need is missing they send it on `missing` instead.

/// `copy-data`: copies the value at `from` to `to`.
///
/// Config: `from` (reference, required), `to` (writable reference, required).
/// Ports out: `payload`; `missing` when `from` points at nothing (nothing is written).
public struct CopyDataAction: WorkflowAction {
    public static let name = "copy-data"
    public static let summary = "Copies a value from one field to another."
    public static let outputPorts = ["payload", "missing"]

    let from: FieldReference
    let to: FieldReference

    public init(config: ActionConfig) throws(LogicError) {
        from = try config.reference("from")
        to = try config.writableReference("to")
    }

    public func run(_ context: inout ActionContext) throws(LogicError) -> ActionOutput {
        guard let value = context.value(of: from) else { return .on("missing", context.payload) }
        try context.set(to, to: value)
        return .on("payload", context.payload)
    }
}

/// `map-data`: builds an object from several fields and sends it on (and writes it to `to`).
///
/// Config: `fields` (object, required: output key → reference text, e.g.
/// `{"name": "profile@traits.name"}`), `to` (writable reference, optional). A field that points
/// at nothing is left out of the object.
public struct MapDataAction: WorkflowAction {
    public static let name = "map-data"
    public static let summary = "Builds an object from several fields."

    let fields: SortedMap<FieldReference>
    let to: FieldReference?

    public init(config: ActionConfig) throws(LogicError) {
        let object = try config.object("fields")
        guard !object.isEmpty else { throw config.error("fields", "expected an object of output key → field reference") }
        var fields: SortedMap<FieldReference> = [:]
        for entry in object.entries {
            guard let text = entry.value.stringValue else { throw config.error("fields", "'\(entry.key)': expected a field reference, got \(entry.value)") }
            do {
                fields[entry.key] = try FieldReference(parsing: text)
            } catch {
                throw config.error("fields", "'\(entry.key)': \(error.message)")
            }
        }
        self.fields = fields
        to = try config.optionalWritableReference("to")
    }

    public func run(_ context: inout ActionContext) throws(LogicError) -> ActionOutput {
        var result: JSONObject = [:]
        for entry in fields.entries {
            result[entry.key] = context.value(of: entry.value)
        }
        if let to { try context.set(to, to: .object(result)) }
        return .on("payload", .object(result))
    }
}

/// `set-field`: writes a value into a field.
///
/// Config: `field` (writable reference, required), and `value` (any JSON) or `from` (reference).
/// Ports out: `payload`; `missing` when `from` points at nothing (nothing is written).
public struct SetFieldAction: WorkflowAction {
    public static let name = "set-field"
    public static let summary = "Writes a value, given or read from another field, into a field."
    public static let outputPorts = ["payload", "missing"]

    let field: FieldReference
    let source: ValueSource

    public init(config: ActionConfig) throws(LogicError) {
        field = try config.writableReference("field")
        source = try config.source()
    }

    public func run(_ context: inout ActionContext) throws(LogicError) -> ActionOutput {
        guard let value = source.value(in: context) else { return .on("missing", context.payload) }
        try context.set(field, to: value)
        return .on("payload", context.payload)
    }
}

/// `increment-field` and `decrement-field`: add to or subtract from a number in a field; a
/// missing field counts as 0. Integers stay integers (an overflow fails the run); anything with
/// a decimal gives a decimal.
///
/// Config: `field` (writable reference, required), `by` (number, default 1).
public struct IncrementFieldAction: WorkflowAction {
    public static let name = "increment-field"
    public static let summary = "Adds a number to a numeric field (missing counts as 0)."

    let field: FieldReference
    let by: JSONValue

    public init(config: ActionConfig) throws(LogicError) {
        field = try config.writableReference("field")
        by = try config.number("by", default: 1)
    }

    public func run(_ context: inout ActionContext) throws(LogicError) -> ActionOutput {
        try Self.add(by, to: field, in: &context)
        return .on("payload", context.payload)
    }

    static func add(_ amount: JSONValue, to field: FieldReference, in context: inout ActionContext) throws(LogicError) {
        let current = context.value(of: field) ?? .integer(0)
        guard current.doubleValue != nil else { throw context.failure("\(field) holds \(current.kindName), not a number") }
        guard let sum = Arithmetic.apply(.add, current, amount) else { throw context.failure("\(field) + \(amount) does not fit in a number") }
        try context.set(field, to: sum)
    }
}

/// See ``IncrementFieldAction``: the same config, with `by` subtracted.
public struct DecrementFieldAction: WorkflowAction {
    public static let name = "decrement-field"
    public static let summary = "Subtracts a number from a numeric field (missing counts as 0)."

    let increment: IncrementFieldAction

    public init(config: ActionConfig) throws(LogicError) {
        increment = try IncrementFieldAction(config: config)
    }

    public func run(_ context: inout ActionContext) throws(LogicError) -> ActionOutput {
        guard let negated = Arithmetic.apply(.subtract, .integer(0), increment.by) else { throw context.failure("cannot negate \(increment.by)") }
        try IncrementFieldAction.add(negated, to: increment.field, in: &context)
        return .on("payload", context.payload)
    }
}

/// `append-to-array`: appends a value to the array in a field (a missing field starts empty).
///
/// Config: `field` (writable reference, required), `value` or `from`, `unique` (Boolean,
/// default false: when true, a value already in the array is not added again).
/// Ports out: `payload`; `missing` when `from` points at nothing.
public struct AppendToArrayAction: WorkflowAction {
    public static let name = "append-to-array"
    public static let summary = "Appends a value to an array field."
    public static let outputPorts = ["payload", "missing"]

    let field: FieldReference
    let source: ValueSource
    let unique: Bool

    public init(config: ActionConfig) throws(LogicError) {
        field = try config.writableReference("field")
        source = try config.source()
        unique = try config.bool("unique", default: false)
    }

    public func run(_ context: inout ActionContext) throws(LogicError) -> ActionOutput {
        guard let value = source.value(in: context) else { return .on("missing", context.payload) }
        var elements = try context.array(in: field) ?? []
        if !(unique && elements.contains(value)) {
            elements.append(value)
            try context.set(field, to: .array(elements))
        }
        return .on("payload", context.payload)
    }
}

/// `remove-from-array`: removes every element equal to a value from the array in a field.
///
/// Config: `field` (writable reference, required), `value` or `from`. A missing field, or one
/// without the value, is left as it is.
public struct RemoveFromArrayAction: WorkflowAction {
    public static let name = "remove-from-array"
    public static let summary = "Removes a value from an array field."

    let field: FieldReference
    let source: ValueSource

    public init(config: ActionConfig) throws(LogicError) {
        field = try config.writableReference("field")
        source = try config.source()
    }

    public func run(_ context: inout ActionContext) throws(LogicError) -> ActionOutput {
        guard let value = source.value(in: context), let elements = try context.array(in: field) else { return .on("payload", context.payload) }
        let kept = elements.filter { $0 != value }
        if kept.count != elements.count { try context.set(field, to: .array(kept)) }
        return .on("payload", context.payload)
    }
}

/// `delete-field`: deletes a field (nothing happens when it is missing).
///
/// Config: `field` (writable reference, required).
public struct DeleteFieldAction: WorkflowAction {
    public static let name = "delete-field"
    public static let summary = "Deletes a field."

    let field: FieldReference

    public init(config: ActionConfig) throws(LogicError) {
        field = try config.writableReference("field")
    }

    public func run(_ context: inout ActionContext) throws(LogicError) -> ActionOutput {
        if context.value(of: field) != nil { try context.delete(field) }
        return .on("payload", context.payload)
    }
}

extension ActionContext {
    /// The elements of the array in `field`, or nil when the field is missing; the array actions
    /// share it. Throws a run failure when the field holds something other than an array.
    func array(in field: FieldReference) throws(LogicError) -> [JSONValue]? {
        guard let current = value(of: field) else { return nil }
        guard let elements = current.arrayValue else { throw failure("\(field) holds \(current.kindName), not an array") }
        return elements
    }
}
