/// One accepted event: what Cairn appends to its log and every projection is derived from.
///
/// An event is a plain value: it carries its own id, type and client time, and nothing in it
/// depends on the clock, randomness or hash order of the process that built it. Personal data
/// (``personal``) is kept apart from the rest so that it can be encrypted per subject and erased
/// by destroying the key, while the rest of the event stays readable (see ``PersonalDataPolicy``
/// and ``EventRecord``).
public struct Event: Sendable, Hashable {
    /// The event's id: taken from the client when it sent one, otherwise made by the caller.
    public var id: String
    /// The normalized type, e.g. `page-view`.
    public var type: EventType
    /// When the client says the event happened, in microseconds since the Unix epoch; nil when
    /// the client sent no time or one that could not be read (see ``ClientTime``).
    public var clientTime: Int64?
    /// The event source (`source.id` in a tracker payload).
    public var sourceID: String
    /// The session, or nil for an event sent without one.
    public var sessionID: String?
    /// The profile, or nil for a profile-less event.
    public var profileID: String?
    /// The event's properties, without the personal ones.
    public var properties: JSONObject
    /// The event's context (page, browser, screen, utm...), without the personal members.
    public var context: JSONObject
    /// Tags, in the order the client sent them.
    public var tags: [String]
    /// Personal data moved out of `properties` and `context`: `{"properties": {...}, "context":
    /// {...}}`, each member present only when non-empty. Empty when there is none.
    public var personal: JSONObject
    /// What the client asked to be saved.
    public var options: EventOptions

    public init(
        id: String, type: EventType, clientTime: Int64? = nil, sourceID: String, sessionID: String? = nil,
        profileID: String? = nil, properties: JSONObject = [:], context: JSONObject = [:], tags: [String] = [],
        personal: JSONObject = [:], options: EventOptions = EventOptions()
    ) {
        self.id = id
        self.type = type
        self.clientTime = clientTime
        self.sourceID = sourceID
        self.sessionID = sessionID
        self.profileID = profileID
        self.properties = properties
        self.context = context
        self.tags = tags
        self.personal = personal
        self.options = options
    }
}

/// What a client asked Cairn to keep for an event, after Tracardi's options of the same names.
///
/// Every flag defaults to `true`, as in Tracardi: an event is saved, and updates its session and
/// its profile, unless the client says otherwise.
public struct EventOptions: Sendable, Hashable {
    /// Store the event itself (`saveEvent`). False for an ephemeral event that only drives
    /// projections and workflows.
    public var saveEvent: Bool
    /// Create or update the event's session (`saveSession`).
    public var saveSession: Bool
    /// Create or update the event's profile (`saveProfile`).
    public var saveProfile: Bool

    public init(saveEvent: Bool = true, saveSession: Bool = true, saveProfile: Bool = true) {
        self.saveEvent = saveEvent
        self.saveSession = saveSession
        self.saveProfile = saveProfile
    }

    /// These options with the flags set in a client's `options` object put over them. A flag
    /// that is absent or not a Boolean leaves the current value, as Tracardi's `is_on` does;
    /// `saveEvents`, the spelling Tracardi uses in payload-level options, is read as `saveEvent`.
    public func overridden(by object: JSONObject) -> EventOptions {
        var result = self
        if let value = object["saveEvents"]?.boolValue { result.saveEvent = value }
        if let value = object["saveEvent"]?.boolValue { result.saveEvent = value }
        if let value = object["saveSession"]?.boolValue { result.saveSession = value }
        if let value = object["saveProfile"]?.boolValue { result.saveProfile = value }
        return result
    }
}

extension Event {
    /// A JSON rendering for command-line output, with Tracardi's field names: `id`, `type`,
    /// `time` (`{"create": ISO 8601}` or null), `source`/`session`/`profile` as `{"id": ...}` or
    /// null, `properties`, `context`, `tags`, `options`, and `personal` when asked for and present.
    public func jsonValue(includingPersonal: Bool) -> JSONValue {
        var object: JSONObject = [
            "id": .string(id),
            "type": .string(type.rawValue),
            "time": clientTime.map { ["create": .string(ClientTime.iso8601(micros: $0))] } ?? .null,
            "source": ["id": .string(sourceID)],
            "session": sessionID.map { ["id": .string($0)] } ?? .null,
            "profile": profileID.map { ["id": .string($0)] } ?? .null,
            "properties": .object(properties),
            "context": .object(context),
            "tags": .array(tags.map { .string($0) }),
            "options": [
                "saveEvent": .bool(options.saveEvent),
                "saveSession": .bool(options.saveSession),
                "saveProfile": .bool(options.saveProfile),
            ],
        ]
        if includingPersonal, !personal.isEmpty {
            object["personal"] = .object(personal)
        }
        return .object(object)
    }
}
