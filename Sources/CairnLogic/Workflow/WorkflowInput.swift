import CairnModel

/// Everything a workflow run reads: the event, its profile and session as the projection has
/// them, and every outside fact the run may need, given by the caller. A run reads nothing
/// else: no clock, no random source, no storage.
public struct WorkflowInput: Sendable, Equatable {
    public var event: Event
    public var profile: Profile?
    public var session: Session?
    /// The value the start node passes on (`payload@` of the nodes after it); by default the
    /// event's properties.
    public var payload: JSONValue
    /// The memory the run starts with (`memory@`), usually empty.
    public var memory: JSONObject
    /// Gate state of this workflow for this profile, as the previous run left it
    /// (``WorkflowResult/state``); the projector stores it between runs.
    public var state: JSONObject
    /// Facts that entered the log before this run: `previousEvent` and `previousSession` (as their
    /// JSON renderings), responses of remote calls under their fact keys, and anything else an
    /// action documents that it reads.
    public var facts: JSONObject
    /// The event's time, microseconds since the Unix epoch: the run's only notion of now.
    public var nowMicros: Int64
    /// Whether this event created the profile.
    public var isNewProfile: Bool
    /// Whether this event started a new session.
    public var isNewSession: Bool

    /// An input for `event`, whose time is its client time or `nowMicros` when given.
    ///
    /// Traps when neither a time is given nor the event has a client time: a run must know the
    /// event's time (a programmer error to omit it).
    public init(
        event: Event, profile: Profile? = nil, session: Session? = nil, payload: JSONValue? = nil, memory: JSONObject = [:],
        state: JSONObject = [:], facts: JSONObject = [:], nowMicros: Int64? = nil, isNewProfile: Bool = false, isNewSession: Bool = false
    ) {
        guard let time = nowMicros ?? event.clientTime else {
            preconditionFailure("a workflow input needs the event's time")
        }
        self.event = event
        self.profile = profile
        self.session = session
        self.payload = payload ?? .object(event.properties)
        self.memory = memory
        self.state = state
        self.facts = facts
        self.nowMicros = time
        self.isNewProfile = isNewProfile
        self.isNewSession = isNewSession
    }
}
