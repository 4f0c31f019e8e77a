import CairnModel

/// `update-session`: writes a value into a field of the session.
///
/// Config: `field` (a writable `session@` reference, required: `device.*`, `os.*`, `app.*`,
/// `utm.*`, `context.page.*` or `metadata.status`), and `value` or `from`.
/// Ports out: `payload`; `missing` when `from` points at nothing. Fails the run for an event
/// without a session.
public struct UpdateSessionAction: WorkflowAction {
    public static let name = "update-session"
    public static let summary = "Writes a value into a field of the session."
    public static let outputPorts = ["payload", "missing"]

    let field: FieldReference
    let source: ValueSource

    public init(config: ActionConfig) throws(LogicError) {
        field = try config.writableReference("field")
        guard field.root == .session else { throw config.error("field", "expected a session@ field, got \(field)") }
        source = try config.source()
    }

    public func run(_ context: inout ActionContext) throws(LogicError) -> ActionOutput {
        guard let value = source.value(in: context) else { return .on("missing", context.payload) }
        try context.set(field, to: value)
        return .on("payload", context.payload)
    }
}
