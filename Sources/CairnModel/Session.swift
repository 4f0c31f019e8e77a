/// A visit: the events a client sent under one session id, as projected from the log.
///
/// Times are microseconds since the Unix epoch and come from events, never from a clock.
public struct Session: Sendable, Hashable {
    /// The session id the client sent.
    public let id: String
    /// The profile the session belongs to, or nil for a profile-less session.
    public var profileID: String?
    /// Where the visit happens: device, operating system, app, campaign and page.
    public var context: SessionContext
    /// The time of the session's first event.
    public var startMicros: Int64
    /// The time of its latest event.
    public var lastEventMicros: Int64
    /// How long the visit has lasted so far, as the projection measures it.
    public var durationMicros: Int64
    /// Whether the session is still open.
    public var status: SessionStatus
    /// How many events it has had.
    public var eventCount: Int64

    public init(
        id: String, profileID: String? = nil, context: SessionContext = SessionContext(), startMicros: Int64,
        lastEventMicros: Int64? = nil, durationMicros: Int64 = 0, status: SessionStatus = .open, eventCount: Int64 = 0
    ) {
        self.id = id
        self.profileID = profileID
        self.context = context
        self.startMicros = startMicros
        self.lastEventMicros = lastEventMicros ?? startMicros
        self.durationMicros = durationMicros
        self.status = status
        self.eventCount = eventCount
    }
}

/// A session's surroundings, each a JSON object as the tracker sent it (Tracardi's session
/// `device`, `os`, `app`, `utm`, and the current `page`).
public struct SessionContext: Sendable, Hashable {
    public var device: JSONObject
    public var os: JSONObject
    public var app: JSONObject
    public var utm: JSONObject
    public var page: JSONObject

    public init(device: JSONObject = [:], os: JSONObject = [:], app: JSONObject = [:], utm: JSONObject = [:], page: JSONObject = [:]) {
        self.device = device
        self.os = os
        self.app = app
        self.utm = utm
        self.page = page
    }
}

/// Whether a session still accepts events.
public enum SessionStatus: String, Sendable, Hashable, CaseIterable {
    case open
    case closed
}

extension Session {
    /// A JSON rendering for command-line output, with Tracardi's session field names where they
    /// exist (`metadata.time.insert`, `metadata.time.duration` in seconds, `metadata.status`,
    /// top-level `device`, `os`, `app`, `utm`) and `context.page`, `metadata.time.update` (the
    /// latest event) and `stats.events` for the rest:
    ///
    /// ```json
    /// {"app":{},"context":{"page":{…}},"device":{…},"id":"s1",
    ///  "metadata":{"status":"open","time":{"duration":12.5,"insert":"…","update":"…"}},
    ///  "os":{},"profile":{"id":"p1"},"stats":{"events":4},"utm":{}}
    /// ```
    public var jsonValue: JSONValue {
        [
            "id": .string(id),
            "profile": profileID.map { ["id": .string($0)] } ?? .null,
            "metadata": [
                "time": [
                    "insert": .string(ClientTime.iso8601(micros: startMicros)),
                    "update": .string(ClientTime.iso8601(micros: lastEventMicros)),
                    "duration": .number(Double(durationMicros) / 1_000_000),
                ],
                "status": .string(status.rawValue),
            ],
            "device": .object(context.device),
            "os": .object(context.os),
            "app": .object(context.app),
            "utm": .object(context.utm),
            "context": ["page": .object(context.page)],
            "stats": ["events": .integer(eventCount)],
        ]
    }
}
