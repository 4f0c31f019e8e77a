import CairnModel

/// What an action sees and changes when its node runs: the event, profile, session, workflow
/// memory and gate state of the run so far, the value that arrived at the node, the facts and
/// time given in the ``WorkflowInput``, and the effects requested so far.
///
/// Actions read through ``value(of:)`` and the typed properties, and write only through the
/// mutating methods here, which check that the field can be written and record each change for
/// the node's trace. Nothing here reads a clock or a random source: ``nowMicros`` is the event's
/// time. A context belongs to one run and is not shared between tasks.
public struct ActionContext: Sendable {
    /// The event the workflow runs for, with the changes made so far.
    public internal(set) var event: Event
    /// The event's profile, or nil for a profile-less event.
    public internal(set) var profile: Profile?
    /// The event's session, or nil for an event without one.
    public internal(set) var session: Session?
    /// The workflow's memory (`memory@...`): scratch values shared by the nodes of one run.
    public internal(set) var memory: JSONObject
    /// Gate state kept between runs (``WorkflowInput/state``), changed by gates.
    public internal(set) var state: JSONObject
    /// Results of earlier requests and look-ups, as given in the input (``WorkflowInput/facts``).
    public let facts: JSONObject
    /// The event's time in microseconds since the Unix epoch: the only time a run knows.
    public let nowMicros: Int64
    /// Whether the profile was created by this event (as the projector says in the input).
    public let isNewProfile: Bool
    /// Whether this event started a new session (a new visit).
    public let isNewSession: Bool
    /// The id of the workflow that runs.
    public let workflowID: String

    /// The id of the node that runs.
    public internal(set) var nodeID: String = ""
    /// The value that arrived at the node (`payload@`): the start node gets the input's payload;
    /// a node with several arrivals gets the one from the upstream node that ran last.
    public internal(set) var payload: JSONValue = .null
    /// Every value that arrived at the node, in the order their upstream nodes ran.
    public internal(set) var arrivals: [WorkflowArrival] = []

    /// Changes made by the running node, for its trace entry.
    var changes: [WorkflowChange] = []
    /// Effects requested by the whole run so far.
    var effects: [WorkflowEffect] = []
    /// Steps charged so far, and the most allowed.
    var stepsUsed = 0
    let limits: WorkflowLimits

    init(input: WorkflowInput, workflowID: String, limits: WorkflowLimits) {
        event = input.event
        profile = input.profile
        session = input.session
        memory = input.memory
        state = input.state
        facts = input.facts
        nowMicros = input.nowMicros
        isNewProfile = input.isNewProfile
        isNewSession = input.isNewSession
        self.workflowID = workflowID
        self.limits = limits
    }

    /// Counts `steps` units of work against ``WorkflowLimits/stepsMax``. Every node run costs one
    /// step; actions whose work grows with their input (regular expressions, templates, string
    /// splitting) charge for it as they go, so that no run can go on without bound.
    ///
    /// - Throws: ``LogicError`` `limitExceeded` once the run's steps pass the limit.
    public mutating func charge(steps: Int) throws(LogicError) {
        stepsUsed += steps
        if stepsUsed > limits.stepsMax {
            throw LogicError(.limitExceeded, "the run took more than \(limits.stepsMax) steps (node '\(nodeID)')")
        }
    }

    /// Records a request to be performed outside the reducer (see ``WorkflowEffect``).
    ///
    /// - Throws: ``LogicError`` `limitExceeded` past ``WorkflowLimits/effectsMax``.
    public mutating func request(_ request: WorkflowEffect.Request) throws(LogicError) {
        guard effects.count < limits.effectsMax else {
            throw LogicError(.limitExceeded, "the run requested more than \(limits.effectsMax) effects (node '\(nodeID)')")
        }
        effects.append(WorkflowEffect(nodeID: nodeID, request: request))
    }

    /// Sets gate state under `key` (nil removes it).
    public mutating func setState(_ key: String, to value: JSONValue?) {
        state[key] = value
        changes.append(WorkflowChange(field: "state@" + key, value: value))
    }

    /// A failure of the running node on its data, as ``LogicError`` `actionFailed` naming the node.
    public func failure(_ message: String) -> LogicError {
        LogicError(.actionFailed, "node '\(nodeID)': \(message)")
    }
}

/// A value that arrived at a node: from which node and port, on which input port.
public struct WorkflowArrival: Sendable, Equatable {
    public let fromNode: String
    public let fromPort: String
    public let toPort: String
    public let value: JSONValue

    public init(fromNode: String, fromPort: String, toPort: String, value: JSONValue) {
        self.fromNode = fromNode
        self.fromPort = fromPort
        self.toPort = toPort
        self.value = value
    }
}

/// One field a node changed: its reference as text (`profile@traits.city`, `state@gate`) and the
/// value it has now, nil once deleted.
public struct WorkflowChange: Sendable, Equatable {
    public let field: String
    public let value: JSONValue?

    public init(field: String, value: JSONValue?) {
        self.field = field
        self.value = value
    }
}
