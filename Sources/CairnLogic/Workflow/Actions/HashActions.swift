import CairnModel

/// `hash`: the SHA-256 of a value, as 64 lower-case hex digits. A string is hashed as its UTF-8
/// bytes; other values as their canonical JSON text. With `salt`, the salt's UTF-8 comes first.
///
/// Config: `from` (reference, default `payload@`), `to` (writable reference, optional; give the
/// same field as `from` to replace a value by its hash), `algorithm` (`sha256`, the default and
/// only one), `salt` (string, optional). Ports out: `payload` with the digest; `missing`.
public struct HashAction: WorkflowAction {
    public static let name = "hash"
    public static let summary = "Replaces or copies a value as its SHA-256 hex digest."
    public static let outputPorts = ["payload", "missing"]

    let operation: TextOperation
    let salt: String

    public init(config: ActionConfig) throws(LogicError) {
        operation = try TextOperation(config: config)
        _ = try config.choice("algorithm", of: ["sha256"], default: "sha256")
        salt = try config.optionalString("salt") ?? ""
    }

    public func run(_ context: inout ActionContext) throws(LogicError) -> ActionOutput {
        try operation.run(&context) { text, _ in .string(SHA256.hex(salt + text)) }
    }
}

/// `mask`: hides a text field in place but for some characters at its ends, e.g.
/// `jane@example.com` → `ja************om`.
///
/// Config: `field` (writable reference, required), `keepStart` and `keepEnd` (integers 0 to
/// 100, default 0: characters left visible at each end), `character` (one character, default
/// `*`). A text no longer than `keepStart + keepEnd` is masked whole. Ports out: `payload`;
/// `missing` when the field is missing or not a string.
public struct MaskAction: WorkflowAction {
    public static let name = "mask"
    public static let summary = "Masks a text field but for a few characters at its ends."
    public static let outputPorts = ["payload", "missing"]

    let field: FieldReference
    let keepStart: Int
    let keepEnd: Int
    let character: Character

    public init(config: ActionConfig) throws(LogicError) {
        field = try config.writableReference("field")
        keepStart = Int(try config.integer("keepStart", in: 0...100, default: 0))
        keepEnd = Int(try config.integer("keepEnd", in: 0...100, default: 0))
        let text = try config.string("character", default: "*")
        guard text.count == 1, let first = text.first else { throw config.error("character", "expected one character, got '\(text)'") }
        character = first
    }

    public func run(_ context: inout ActionContext) throws(LogicError) -> ActionOutput {
        guard case .string(let text)? = context.value(of: field) else { return .on("missing", context.payload) }
        _ = try TextOperation.text(of: .string(text), in: &context)
        let characters = Array(text)
        let masked: String
        if characters.count <= keepStart + keepEnd {
            masked = String(repeating: character, count: characters.count)
        } else {
            masked = String(characters[..<keepStart]) + String(repeating: character, count: characters.count - keepStart - keepEnd)
                + String(characters[(characters.count - keepEnd)...])
        }
        try context.set(field, to: .string(masked))
        return .on("payload", context.payload)
    }
}
