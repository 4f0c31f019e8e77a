import CairnModel

// Actions that make text. Each sends the text it made on `payload` (and writes it to `to`
// when given); the text it starts from is read from `from`, by default `payload@`, and when
// that points at nothing the action sends its payload on `missing` instead. A string is used
// as it is, null as the empty string, other values as their JSON text. Text longer than
// `WorkflowLimits.textBytesMax` fails the run.

/// `template`: fills a template's holes from the run's data.
///
/// Config: `template` (string, required, e.g. `Hello {{profile@traits.name}}`), `to`
/// (writable reference, optional).
public struct TemplateAction: WorkflowAction {
    public static let name = "template"
    public static let summary = "Renders a template such as 'Hello {{profile@traits.name}}'."

    let template: Template
    let to: FieldReference?

    public init(config: ActionConfig) throws(LogicError) {
        template = try config.template("template")
        to = try config.optionalWritableReference("to")
    }

    public func run(_ context: inout ActionContext) throws(LogicError) -> ActionOutput {
        let text = JSONValue.string(try template.render(in: &context))
        if let to { try context.set(to, to: text) }
        return .on("payload", text)
    }
}

/// The common shape of the text operations: `from` (reference, default `payload@`), `to`
/// (writable reference, optional), ports `payload` and `missing`.
struct TextOperation: Sendable {
    let from: FieldReference
    let to: FieldReference?

    init(config: ActionConfig) throws(LogicError) {
        from = try config.reference("from", default: "payload@")
        to = try config.optionalWritableReference("to")
    }

    /// Reads the input text, checks its size, charges for it, and sends `transform`'s result on.
    func run(_ context: inout ActionContext, _ transform: (String, inout ActionContext) throws(LogicError) -> JSONValue) throws(LogicError) -> ActionOutput {
        guard let value = context.value(of: from) else { return .on("missing", context.payload) }
        let text = try Self.text(of: value, in: &context)
        let result = try transform(text, &context)
        if let to { try context.set(to, to: result) }
        return .on("payload", result)
    }

    static func text(of value: JSONValue, in context: inout ActionContext) throws(LogicError) -> String {
        let text = value.plainText
        let bytes = text.utf8.count
        guard bytes <= context.limits.textBytesMax else {
            throw LogicError(.limitExceeded, "node '\(context.nodeID)': the text is \(bytes) bytes; the limit is \(context.limits.textBytesMax)")
        }
        try context.charge(steps: 1 + bytes / 64)
        return text
    }
}

/// `text-trim`: removes white space at both ends. Config: `from`, `to`.
public struct TrimTextAction: WorkflowAction {
    public static let name = "text-trim"
    public static let summary = "Removes white space at both ends of a text."
    public static let outputPorts = ["payload", "missing"]

    let operation: TextOperation

    public init(config: ActionConfig) throws(LogicError) {
        operation = try TextOperation(config: config)
    }

    public func run(_ context: inout ActionContext) throws(LogicError) -> ActionOutput {
        try operation.run(&context) { text, _ in
            let scalars = text.unicodeScalars
            guard let first = scalars.firstIndex(where: { !$0.properties.isWhitespace }),
                  let last = scalars.lastIndex(where: { !$0.properties.isWhitespace })
            else { return "" }
            return .string(String(scalars[first...last]))
        }
    }
}

/// `text-lowercase`: lower-cases a text (Unicode full case mapping). Config: `from`, `to`.
public struct LowercaseTextAction: WorkflowAction {
    public static let name = "text-lowercase"
    public static let summary = "Lower-cases a text."
    public static let outputPorts = ["payload", "missing"]

    let operation: TextOperation

    public init(config: ActionConfig) throws(LogicError) {
        operation = try TextOperation(config: config)
    }

    public func run(_ context: inout ActionContext) throws(LogicError) -> ActionOutput {
        try operation.run(&context) { text, _ in .string(text.lowercased()) }
    }
}

/// `text-uppercase`: upper-cases a text (Unicode full case mapping). Config: `from`, `to`.
public struct UppercaseTextAction: WorkflowAction {
    public static let name = "text-uppercase"
    public static let summary = "Upper-cases a text."
    public static let outputPorts = ["payload", "missing"]

    let operation: TextOperation

    public init(config: ActionConfig) throws(LogicError) {
        operation = try TextOperation(config: config)
    }

    public func run(_ context: inout ActionContext) throws(LogicError) -> ActionOutput {
        try operation.run(&context) { text, _ in .string(text.uppercased()) }
    }
}

/// `text-split`: splits a text at a separator into an array of strings.
///
/// Config: `from`, `to`, `separator` (non-empty string, required), `limit` (integer 1 to
/// 10,000, default 1,000: the most parts; the last part keeps the rest of the text),
/// `omitEmpty` (Boolean, default false).
public struct SplitTextAction: WorkflowAction {
    public static let name = "text-split"
    public static let summary = "Splits a text at a separator into an array."
    public static let outputPorts = ["payload", "missing"]

    let operation: TextOperation
    let separator: String
    let limit: Int
    let omitEmpty: Bool

    public init(config: ActionConfig) throws(LogicError) {
        operation = try TextOperation(config: config)
        separator = try config.string("separator")
        limit = Int(try config.integer("limit", in: 1...10_000, default: 1_000))
        omitEmpty = try config.bool("omitEmpty", default: false)
    }

    public func run(_ context: inout ActionContext) throws(LogicError) -> ActionOutput {
        try operation.run(&context) { text, context throws(LogicError) in
            var parts: [JSONValue] = []
            var rest = Substring(text)
            while parts.count < limit - 1, let range = rest.firstRange(of: separator) {
                let part = rest[..<range.lowerBound]
                if !(omitEmpty && part.isEmpty) { parts.append(.string(String(part))) }
                rest = rest[range.upperBound...]
            }
            if !(omitEmpty && rest.isEmpty) { parts.append(.string(String(rest))) }
            try context.charge(steps: parts.count)
            return .array(parts)
        }
    }
}

/// `text-join`: joins the elements of an array into one text. Strings go in as they are, null
/// as nothing, other values as their JSON text; a value that is not an array is one element.
///
/// Config: `from`, `to`, `separator` (string, default empty).
public struct JoinTextAction: WorkflowAction {
    public static let name = "text-join"
    public static let summary = "Joins the elements of an array into a text."
    public static let outputPorts = ["payload", "missing"]

    let from: FieldReference
    let to: FieldReference?
    let separator: String

    public init(config: ActionConfig) throws(LogicError) {
        from = try config.reference("from", default: "payload@")
        to = try config.optionalWritableReference("to")
        separator = try config.optionalString("separator") ?? ""
    }

    public func run(_ context: inout ActionContext) throws(LogicError) -> ActionOutput {
        guard let value = context.value(of: from) else { return .on("missing", context.payload) }
        let elements = value.arrayValue ?? [value]
        try context.charge(steps: elements.count)
        let text = elements.map(\.plainText).joined(separator: separator)
        let result = JSONValue.string(try TextOperation.text(of: .string(text), in: &context))
        if let to { try context.set(to, to: result) }
        return .on("payload", result)
    }
}

/// `calculator`: computes an arithmetic expression over the run's data (see ``Calculation``).
///
/// Config: `expression` (string, required, e.g. `event@properties.price * 1.2`), `to`
/// (writable reference, optional).
/// Ports out: `payload` with the number; `error` with `{"error": message}` when the expression
/// cannot be computed on this data (a missing field, a division by zero).
public struct CalculatorAction: WorkflowAction {
    public static let name = "calculator"
    public static let summary = "Computes an arithmetic expression over fields."
    public static let outputPorts = ["payload", "error"]

    let calculation: Calculation
    let to: FieldReference?

    public init(config: ActionConfig) throws(LogicError) {
        let text = try config.string("expression")
        do {
            calculation = try Calculation(parsing: text)
        } catch {
            throw config.error("expression", error.message)
        }
        to = try config.optionalWritableReference("to")
    }

    public func run(_ context: inout ActionContext) throws(LogicError) -> ActionOutput {
        switch try calculation.evaluate(in: &context) {
        case .success(let value):
            if let to { try context.set(to, to: value) }
            return .on("payload", value)
        case .failure(let failure):
            return .on("error", ["error": .string(failure.message)])
        }
    }
}
