import CairnModel

/// What a registry knows of an action: its name, summary and ports, and how to build it from a
/// node's config.
public struct ActionDescriptor: Sendable {
    public let name: String
    public let summary: String
    public let inputPorts: [String]
    public let outputPorts: [String]
    let make: @Sendable (ActionConfig) throws(LogicError) -> any WorkflowAction

    init<Action: WorkflowAction>(_ type: Action.Type) {
        name = Action.name
        summary = Action.summary
        inputPorts = Action.inputPorts
        outputPorts = Action.outputPorts
        make = { config throws(LogicError) in try Action(config: config) }
    }

    /// The action built from `config`, with every config field read.
    ///
    /// - Throws: ``LogicError`` `invalidConfig` when a field is wrong or unknown.
    public func build(config: JSONObject) throws(LogicError) -> any WorkflowAction {
        let reader = ActionConfig(config)
        let action = try make(reader)
        if let unknown = reader.unreadKeys.first {
            let known = reader.readKeys
            throw LogicError(.invalidConfig, "config field '\(unknown)' is not known" + (known.isEmpty ? "; the action takes no config" : "; fields are " + known.joined(separator: ", ")))
        }
        return action
    }
}

/// The actions workflows may use, by name. A value: build one with the built-ins and
/// ``register(_:)`` extensions on top, then validate workflows against it.
public struct ActionRegistry: Sendable {
    private var descriptors: SortedMap<ActionDescriptor> = [:]

    /// An empty registry.
    public init() {}

    /// Adds `type`. Registering two actions under one name is a programmer error and traps.
    public mutating func register<Action: WorkflowAction>(_ type: Action.Type) {
        precondition(descriptors[Action.name] == nil, "two actions named '\(Action.name)'")
        descriptors[Action.name] = ActionDescriptor(type)
    }

    /// The action called `name`, if registered.
    public func descriptor(named name: String) -> ActionDescriptor? {
        descriptors[name]
    }

    /// Every registered action, by name.
    public var all: [ActionDescriptor] { descriptors.values }

    /// The built-in actions (see `docs/workflows.md`).
    public static let builtIn: ActionRegistry = {
        var registry = ActionRegistry()
        for type in builtInActionTypes { registry.register(type) }
        return registry
    }()
}
