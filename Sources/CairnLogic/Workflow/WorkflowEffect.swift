import CairnModel

/// A request a workflow run records for something to happen outside it.
///
/// **The effects rule.** A workflow runs inside the reducer, which must give the same result
/// every time it replays the same log. So a run never performs anything: it only records
/// requests (emit an event, send to a destination, call a remote resource, reply values, UX
/// items, merge profiles), and the shell that owns the I/O performs them after the reducer has
/// committed. A result that a workflow needs later (a remote call's response, a profile found for
/// a merge) enters the log as a fact (an event) before any reducer reads it; the run then finds
/// it in ``WorkflowInput/facts`` or its payload, never by asking the outside world itself.
public struct WorkflowEffect: Sendable, Equatable {
    /// The node that recorded the request.
    public let nodeID: String
    public let request: Request

    public init(nodeID: String, request: Request) {
        self.nodeID = nodeID
        self.request = request
    }

    public enum Request: Sendable, Equatable {
        /// Append `event`, caused by the event with id `causeEventID`. The event's id is derived
        /// from the cause, the workflow and the node, so a replay requests the same id again.
        case emitEvent(Event, causeEventID: String)
        /// Deliver `data` to the destination with id `destinationID`.
        case sendToDestination(destinationID: String, data: JSONValue)
        /// Call the resource `resourceID` with `request`; the response comes back as a fact
        /// under `factKey` (see ``RemoteCallAction``).
        case remoteCall(resourceID: String, request: JSONObject, factKey: String)
        /// Put `value` under `key` in the reply to the tracker.
        case response(key: String, value: JSONValue)
        /// Show a UX item (a widget, a message) in the tracker's page.
        case uxItem(JSONObject)
        /// Merge into `profileID` every profile that has the same values at the merge keys
        /// (reference text → value), e.g. `{"profile@pii.email": "a@example.com"}`.
        case mergeProfiles(profileID: String, keys: JSONObject)
    }
}

extension WorkflowEffect {
    /// A JSON rendering for traces and the command line: `{"node": ..., "type": ..., ...}`.
    public var jsonValue: JSONValue {
        var object: JSONObject = ["node": .string(nodeID)]
        switch request {
        case .emitEvent(let event, let cause):
            object["type"] = "emit-event"
            object["event"] = event.jsonValue(includingPersonal: true)
            object["cause"] = .string(cause)
        case .sendToDestination(let destination, let data):
            object["type"] = "send-to-destination"
            object["destination"] = .string(destination)
            object["data"] = data
        case .remoteCall(let resource, let request, let factKey):
            object["type"] = "remote-call"
            object["resource"] = .string(resource)
            object["request"] = .object(request)
            object["fact"] = .string(factKey)
        case .response(let key, let value):
            object["type"] = "response"
            object["key"] = .string(key)
            object["value"] = value
        case .uxItem(let item):
            object["type"] = "ux"
            object["item"] = .object(item)
        case .mergeProfiles(let profileID, let keys):
            object["type"] = "merge-profiles"
            object["profile"] = .string(profileID)
            object["keys"] = .object(keys)
        }
        return .object(object)
    }
}
