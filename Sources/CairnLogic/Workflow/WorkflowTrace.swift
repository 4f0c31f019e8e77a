import CairnModel

/// What happened at one node in a run, in run order: for `cairn workflow test` and for checking
/// that two runs of the same input did the same thing.
public struct WorkflowTraceEntry: Sendable, Equatable {
    public enum Status: Sendable, Equatable {
        /// The node ran and sent values out on the ports in ``WorkflowTraceEntry/outputs``.
        case ran
        /// No value arrived at the node: every edge into it came from a port not taken or a
        /// node that was itself skipped.
        case skipped
        /// The node threw; the run stopped here and changed nothing.
        case failed(LogicError)
    }

    public let nodeID: String
    public let action: String
    public let status: Status
    /// The values that arrived, in the order their upstream nodes ran.
    public let inputs: [WorkflowArrival]
    /// The values sent out, by port, in the order sent.
    public let outputs: [PortValue]
    /// The fields the node changed.
    public let changes: [WorkflowChange]
    /// The effects the node requested.
    public let effects: [WorkflowEffect]

    /// The output ports that got a value: the branches taken.
    public var portsTaken: [String] { outputs.map(\.port) }

    public var jsonValue: JSONValue {
        var object: JSONObject = ["node": .string(nodeID), "action": .string(action)]
        switch status {
        case .ran: object["status"] = "ran"
        case .skipped: object["status"] = "skipped"
        case .failed(let error):
            object["status"] = "failed"
            object["error"] = ["code": .string(error.code.name), "message": .string(error.message)]
        }
        object["inputs"] = .array(inputs.map {
            ["from": .string($0.fromNode), "fromPort": .string($0.fromPort), "toPort": .string($0.toPort), "value": $0.value]
        })
        object["outputs"] = .array(outputs.map { ["port": .string($0.port), "value": $0.value] })
        object["changes"] = .array(changes.map { ["field": .string($0.field), "value": $0.value ?? .null, "deleted": .bool($0.value == nil)] })
        object["effects"] = .array(effects.map(\.jsonValue))
        return .object(object)
    }
}

/// What a run produced. When ``error`` is set the run failed: the event, profile, session,
/// memory and state are those of the input, there are no effects, and the trace ends at the
/// node that failed.
public struct WorkflowResult: Sendable, Equatable {
    public let event: Event
    public let profile: Profile?
    public let session: Session?
    public let memory: JSONObject
    /// Gate state for the projector to store and give to the next run for this profile.
    public let state: JSONObject
    /// The requests recorded, in the order the nodes made them (see ``WorkflowEffect``).
    public let effects: [WorkflowEffect]
    /// One entry per node that ran, was skipped, or failed, in run order.
    public let trace: [WorkflowTraceEntry]
    /// Steps the run took (see ``WorkflowLimits/stepsMax``).
    public let stepsUsed: Int
    /// Why the run failed, if it did.
    public let error: LogicError?

    /// A JSON rendering of the whole result: two runs of one input render to identical bytes.
    public var jsonValue: JSONValue {
        [
            "event": event.jsonValue(includingPersonal: true),
            "profile": profile?.jsonValue ?? .null,
            "session": session?.jsonValue ?? .null,
            "memory": .object(memory),
            "state": .object(state),
            "effects": .array(effects.map(\.jsonValue)),
            "trace": .array(trace.map(\.jsonValue)),
            "steps": .integer(Int64(stepsUsed)),
            "error": error.map { ["code": .string($0.code.name), "message": .string($0.message)] } ?? .null,
        ]
    }
}
