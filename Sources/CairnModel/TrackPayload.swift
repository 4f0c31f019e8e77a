/// Tracardi's tracker payload, the body of `POST /track`, read into events.
///
/// Shared by the server's `/track` endpoint and `cairn import`. The payload looks like this
/// (tracardi-js and the Python track clients both send it; see `shared/fixtures/clients`):
///
/// ```json
/// {"source": {"id": "..."}, "session": {"id": "..."}, "profile": {"id": "..."} | null,
///  "context": {...}, "properties": {...}, "options": {...}, "device": {"id": "..."},
///  "metadata": {...}, "request": {...},
///  "events": [{"id": "...", "type": "page-view", "time": {"create": "2026-..."},
///              "properties": {...}, "context": {...}, "options": {...}, "tags": [...]}]}
/// ```
///
/// Each element of `events` becomes one ``Event``:
///
/// - `sourceID`, `sessionID`, `profileID` come from the payload. `source.id` is required;
///   `session` and `profile` may be absent or null (a profile-less event), and
///   `"profile_less": true` drops the profile as in Tracardi.
/// - `context` is the payload's context with the event's merged over it, recursively for
///   nested objects (the event wins). The payload's `device` (tracardi-js sends a stable
///   `{"id"}`) is kept as `context.device` unless a context already has one.
/// - `options`: Tracardi's defaults (all true), then the payload's options, then the event's.
/// - `time` gives ``Event/clientTime`` (see ``ClientTime`` for the accepted forms); an
///   unreadable time is nil, not an error.
/// - `id`: the event's own `id` when it has one, otherwise `makeID(index)` with the event's
///   index in `events`: the caller, not the model, owns randomness.
/// - personal fields are moved into ``Event/personal`` by `policy`.
///
/// Ignored: `metadata` (Tracardi overwrites it on the server; so does Cairn, in the log
/// record's own timestamp), `request` (the server records what it saw itself), the payload's
/// `properties` (session properties in Tracardi, not part of any event), `debug`, unknown fields.
public enum TrackPayload {
    /// The most events one payload may carry.
    public static let eventsMax = 1000

    /// The events in a tracker payload, in payload order.
    ///
    /// - Parameters:
    ///   - json: The parsed request body.
    ///   - policy: Which fields are personal.
    ///   - makeID: Called with an event's index in `events` for each event without an `id`.
    /// - Throws: ``ModelError`` with code `invalidField` or `invalidEventType` and the path of
    ///   the offending field (`events[2].type: expected a non-empty string, found null`), or
    ///   `limitExceeded` for more than ``eventsMax`` events. All or nothing: one bad event
    ///   rejects the payload. A payload without `events` (or with null) has none.
    public static func parse(
        _ json: JSONValue, policy: PersonalDataPolicy = .default, makeID: (Int) -> String
    ) throws(ModelError) -> [Event] {
        guard case .object(let payload) = json else {
            throw PayloadFields.invalid("", expected: "a tracker payload (a JSON object)", found: json)
        }
        let sourceID = try PayloadFields.sourceID(payload)
        let sessionID = try PayloadFields.entityID(payload, "session", path: "session")
        var profileID = try PayloadFields.entityID(payload, "profile", path: "profile")
        if payload["profile_less"]?.boolValue == true { profileID = nil }
        var context = try PayloadFields.optionalObject(payload, "context", path: "context")
        if case .object(let device)? = payload["device"], context["device"] == nil {
            context["device"] = .object(device)
        }
        let options = EventOptions().overridden(by: try PayloadFields.optionalObject(payload, "options", path: "options"))

        let elements: [JSONValue]
        switch payload["events"] {
        case nil, .null?: elements = []  // Tracardi's default: a payload may only ask for its profile.
        case .array(let array)?: elements = array
        case let other: throw PayloadFields.invalid("events", expected: "an array of events", found: other)
        }
        guard elements.count <= eventsMax else {
            throw ModelError(.limitExceeded, path: "events", "\(elements.count) events in one payload; the limit is \(eventsMax)")
        }
        var events: [Event] = []
        events.reserveCapacity(elements.count)
        for (index, element) in elements.enumerated() {
            let path = "events[\(index)]"
            guard case .object(let object) = element else {
                throw PayloadFields.invalid(path, expected: "an event object", found: element)
            }
            let part = try PayloadFields.EventPart(object, path: path)
            let event = Event(
                id: part.id ?? makeID(index), type: part.type, clientTime: part.clientTime, sourceID: sourceID,
                sessionID: sessionID, profileID: profileID, properties: part.properties,
                context: context.merging(part.context), tags: part.tags, personal: [:],
                options: options.overridden(by: part.options)
            )
            events.append(policy.separate(event))
        }
        return events
    }
}
