import CairnModel

/// An action a workflow node runs: the unit extensions add.
///
/// An action is a value built from its node's config by ``init(config:)``, which decodes every
/// field into a typed property and throws naming the field that is wrong; the workflow is
/// validated with it when it is saved, so a bad config never reaches a run. It declares its
/// input and output ports, and ``run(_:)`` is a pure function of the ``ActionContext``: it reads
/// the event, profile, session, memory, payload, facts and time there, changes them only through
/// the context's methods, records effects as requests, and returns the values it sends out on
/// its ports. A port that gets no value in the output is not taken, and the nodes after it are
/// skipped unless another path reaches them.
///
/// `run` must not read a clock, a random source, storage or the network, nor depend on
/// `Dictionary` iteration order: the same context must always give the same result.
public protocol WorkflowAction: Sendable {
    /// The name nodes refer to the action by, e.g. `add-segment`.
    static var name: String { get }
    /// One line saying what the action does.
    static var summary: String { get }
    /// The ports values arrive on; by default `payload`. Empty only for the start action.
    static var inputPorts: [String] { get }
    /// The ports values leave by; by default `payload`.
    static var outputPorts: [String] { get }

    /// Decodes the node's config.
    ///
    /// - Throws: ``LogicError`` `invalidConfig` naming the field (``ActionConfig`` does this).
    init(config: ActionConfig) throws(LogicError)

    /// Runs the action for one node.
    ///
    /// - Throws: ``LogicError``: `actionFailed` when the data cannot be worked on (use
    ///   ``ActionContext/failure(_:)``), `unwritableField` or `limitExceeded` from the context's
    ///   methods. A throw fails the whole run, which then changes nothing.
    func run(_ context: inout ActionContext) throws(LogicError) -> ActionOutput
}

extension WorkflowAction {
    public static var inputPorts: [String] { ["payload"] }
    public static var outputPorts: [String] { ["payload"] }
}

/// The values an action sends out, by port, in the order it sent them.
public struct ActionOutput: Sendable, Equatable {
    public private(set) var values: [PortValue] = []

    public init() {}

    /// An output of `value` on `port` alone.
    public static func on(_ port: String, _ value: JSONValue) -> ActionOutput {
        var output = ActionOutput()
        output.send(value, on: port)
        return output
    }

    /// No value on any port: every branch after the node is skipped.
    public static let none = ActionOutput()

    /// Sends `value` out on `port`, replacing an earlier value on the same port.
    public mutating func send(_ value: JSONValue, on port: String) {
        if let index = values.firstIndex(where: { $0.port == port }) {
            values[index] = PortValue(port: port, value: value)
        } else {
            values.append(PortValue(port: port, value: value))
        }
    }

    /// The value sent on `port`, if any.
    public subscript(port: String) -> JSONValue? {
        values.first { $0.port == port }?.value
    }
}

/// A value on a named port.
public struct PortValue: Sendable, Equatable {
    public let port: String
    public let value: JSONValue

    public init(port: String, value: JSONValue) {
        self.port = port
        self.value = value
    }
}
