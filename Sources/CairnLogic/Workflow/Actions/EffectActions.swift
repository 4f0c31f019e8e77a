import CairnModel

// Actions that record requests (see `WorkflowEffect` for the effects rule). They change no data
// and send their payload on unchanged.

/// `emit-event`: requests a new event caused by this one. The new event has the id
/// `<cause id>-<workflow id>-<node id>` (the same on every replay), the event's source,
/// session and profile, the event's time, and in its context the link to its cause:
/// `context.cause = {"event", "workflow", "node", "depth"}`, where `depth` counts the emitted
/// events in the chain (1 for an event emitted by a received one). A run that would emit deeper
/// than ``depthMax`` fails, so that workflows emitting each other's events cannot loop.
///
/// Config: `type` (event type, required), `properties` (object) or `from` (reference to an
/// object; neither: no properties), `tags` (array of strings, optional).
public struct EmitEventAction: WorkflowAction {
    public static let name = "emit-event"
    public static let summary = "Requests a new event, linked to the event that caused it."
    /// The longest chain of emitted events: an event at this depth emits nothing more.
    public static let depthMax = 8

    let type: EventType
    let properties: ValueSource?
    let tags: [String]

    public init(config: ActionConfig) throws(LogicError) {
        let text = try config.string("type")
        do {
            type = try EventType(text)
        } catch {
            throw config.error("type", error.message)
        }
        if config.value("properties") == nil, config.value("from") == nil {
            properties = nil
        } else {
            properties = try config.source(value: "properties", from: "from")
            if case .literal(let value) = properties, value.objectValue == nil { throw config.error("properties", "expected an object, got \(value.kindName)") }
        }
        tags = try config.value("tags") == nil ? [] : config.strings("tags")
    }

    public func run(_ context: inout ActionContext) throws(LogicError) -> ActionOutput {
        var object: JSONObject = [:]
        if let properties {
            let value = properties.value(in: context) ?? .object([:])
            guard let given = value.objectValue else { throw context.failure("the event's properties must be an object, not \(value.kindName)") }
            object = given
        }
        let cause = context.event
        let depth = (cause.context["cause"]?["depth"]?.integerValue ?? 0) + 1
        guard depth <= Self.depthMax else {
            throw context.failure("the event '\(cause.id)' is itself emitted at depth \(depth - 1): chains of emitted events end at depth \(Self.depthMax)")
        }
        let link: JSONObject = [
            "event": .string(cause.id), "workflow": .string(context.workflowID), "node": .string(context.nodeID), "depth": .integer(depth),
        ]
        let event = Event(
            id: "\(cause.id)-\(context.workflowID)-\(context.nodeID)", type: type, clientTime: context.nowMicros, sourceID: cause.sourceID,
            sessionID: cause.sessionID, profileID: cause.profileID, properties: object, context: ["cause": .object(link)], tags: tags
        )
        try context.request(.emitEvent(event, causeEventID: cause.id))
        return .on("payload", context.payload)
    }
}

/// `add-ux-item`: requests a UX item (a message, a widget) for the tracker to show.
///
/// Config: `type` (string, required, e.g. `message`), `content` (template, optional),
/// `props` (object, optional). The item is `{"type", "content", "props"}`.
public struct AddUXItemAction: WorkflowAction {
    public static let name = "add-ux-item"
    public static let summary = "Requests a UX item for the tracker to show."

    let type: String
    let content: Template
    let props: JSONObject

    public init(config: ActionConfig) throws(LogicError) {
        type = try config.string("type")
        content = try config.template("content", default: "")
        props = try config.object("props")
    }

    public func run(_ context: inout ActionContext) throws(LogicError) -> ActionOutput {
        let text = try content.render(in: &context)
        try context.request(.uxItem(["type": .string(type), "content": .string(text), "props": .object(props)]))
        return .on("payload", context.payload)
    }
}

/// `set-response`: puts a value into the reply to the tracker's /track call.
///
/// Config: `key` (string, required), and `value` or `from`. Ports out: `payload`; `missing`
/// when `from` points at nothing.
public struct SetResponseAction: WorkflowAction {
    public static let name = "set-response"
    public static let summary = "Puts a value into the tracker's reply."
    public static let outputPorts = ["payload", "missing"]

    let key: String
    let source: ValueSource

    public init(config: ActionConfig) throws(LogicError) {
        key = try config.string("key")
        source = try config.source()
    }

    public func run(_ context: inout ActionContext) throws(LogicError) -> ActionOutput {
        guard let value = source.value(in: context) else { return .on("missing", context.payload) }
        try context.request(.response(key: key, value: value))
        return .on("payload", context.payload)
    }
}

/// `send-to-destination`: requests that data be delivered to a destination.
///
/// Config: `destination` (string, required: the destination's id), and `data` (any JSON) or
/// `from` (reference; by default `payload@`). Ports out: `payload`; `missing` when `from`
/// points at nothing.
public struct SendToDestinationAction: WorkflowAction {
    public static let name = "send-to-destination"
    public static let summary = "Requests delivery of data to a destination."
    public static let outputPorts = ["payload", "missing"]

    let destination: String
    let data: ValueSource

    public init(config: ActionConfig) throws(LogicError) {
        destination = try config.string("destination")
        data = try config.source(value: "data", from: "from", default: "payload@")
    }

    public func run(_ context: inout ActionContext) throws(LogicError) -> ActionOutput {
        guard let value = data.value(in: context) else { return .on("missing", context.payload) }
        try context.request(.sendToDestination(destinationID: destination, data: value))
        return .on("payload", context.payload)
    }
}

/// `remote-call`: calls a resource (an HTTP API configured elsewhere) in two passes, without
/// doing I/O. When the response is not among the input's facts, the node records the request
/// and goes on by `requested`; the shell performs the call and appends the response to the log
/// as a fact under the request's fact key. A later run that has the fact goes on by `response`
/// with it, and records no new request.
///
/// Config: `resource` (string, required), `method` (`GET`, `POST`, `PUT`, `PATCH`, `DELETE`;
/// default `POST`), `path` (template, default empty), `body` (any JSON) or `from` (reference;
/// by default `payload@`), `factKey` (string, default `<workflow id>/<node id>`).
/// The request recorded is `{"method", "path", "body"}`.
public struct RemoteCallAction: WorkflowAction {
    public static let name = "remote-call"
    public static let summary = "Requests a call to a remote resource; goes on with its response once that is a fact."
    public static let outputPorts = ["requested", "response"]

    let resource: String
    let method: String
    let path: Template
    let body: ValueSource
    let factKey: String?

    public init(config: ActionConfig) throws(LogicError) {
        resource = try config.string("resource")
        method = try config.choice("method", of: ["GET", "POST", "PUT", "PATCH", "DELETE"], default: "POST")
        path = try config.template("path", default: "")
        body = try config.source(value: "body", from: "from", default: "payload@")
        factKey = try config.optionalString("factKey")
    }

    public func run(_ context: inout ActionContext) throws(LogicError) -> ActionOutput {
        let key = factKey ?? "\(context.workflowID)/\(context.nodeID)"
        if let response = context.facts[key] { return .on("response", response) }
        let request: JSONObject = [
            "method": .string(method), "path": .string(try path.render(in: &context)), "body": body.value(in: context) ?? .null,
        ]
        try context.request(.remoteCall(resourceID: resource, request: request, factKey: key))
        return .on("requested", context.payload)
    }
}
