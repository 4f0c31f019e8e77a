/// PostHog's capture API, read into events.
///
/// Two request shapes (posthog-python sends the first; see `shared/fixtures/clients`):
///
/// ```json
/// POST /batch/
/// {"api_key": "phc_...", "batch": [{"event": "$pageview", "distinct_id": "...",
///   "uuid": "...", "timestamp": "2026-...+00:00", "properties": {"$lib": "posthog-python", ...},
///   "$set": {...}}, ...], "historical_migration": false, "sent_at": "2026-..."}
///
/// POST /capture/, /i/v0/e/, /e/
/// {"api_key": "phc_...", "event": "purchase", "distinct_id": "...", "properties": {...}}
/// ```
///
/// Each event becomes one ``Event``; `docs/segment-posthog.md` has the mapping field by field.
/// In short:
///
/// - `id`: the event's `uuid`, otherwise `makeID(index)`.
/// - `type`: `$pageview` → `page-view`, `$pageleave` → `page-leave`, `$screen` → `screen-view`,
///   `$autocapture` → `autocapture`, `$identify` and `$set` → `identify`, `$create_alias` →
///   `alias`; any other name as an ``EventType`` with one leading `$` dropped.
/// - `profileID`: `distinct_id` (or, as posthog-js sends it, `properties.distinct_id`); for an
///   `$identify` with `$anon_distinct_id`, that anonymous id.
/// - `properties.user_id`: the distinct id, which PostHog keys its persons on, so that an
///   identifying field `user_id` links profiles as PostHog links persons; an alias's `alias`;
///   none when `$process_person_profile` is false (PostHog's anonymous events).
/// - `sessionID`: `properties.$session_id`.
/// - `clientTime`: `timestamp` (see ``ClientTime``).
/// - `properties`: the event's own properties (those not starting with `$`), with the members
///   of `$set_once` and `$set` merged in; PostHog's `$` properties go to `context.posthog`
///   without the `$` (`$lib` → `context.posthog.lib`), except `$ip`, which goes to `context.ip`.
/// - personal fields are moved into ``Event/personal`` by `policy`.
///
/// Not read: `api_key` (see ``apiKey(in:)``: the caller maps the key to a source), `sent_at`,
/// `offset` and `historical_migration` (correcting a client's clock needs the time received,
/// which the caller has), unknown fields.
public enum PostHogPayload {
    /// The most events one batch may carry.
    public static let eventsMax = 1000

    /// The project API key in a request body: `api_key` at the top; else, for a batch, that of
    /// the first event that has one; an event's key is its `api_key`, else `properties.token`
    /// (where posthog-js puts it). Nil when there is none, or it is not a non-empty string.
    /// A key in the query string or a header is the caller's to read.
    public static func apiKey(in json: JSONValue) -> String? {
        func key(_ value: JSONValue?) -> String? {
            guard case .string(let key)? = value, !key.isEmpty else { return nil }
            return key
        }
        func eventKey(_ event: JSONValue) -> String? {
            key(event["api_key"]) ?? key(event["properties"]?["token"])
        }
        switch json {
        case .array(let events): return events.lazy.compactMap(eventKey).first
        case .object(let body):
            if let found = key(body["api_key"]) { return found }
            if let events = body["batch"]?.arrayValue { return events.lazy.compactMap(eventKey).first }
            return eventKey(json)
        default: return nil
        }
    }

    /// The events of a `POST /batch/` body, in batch order: an object whose `batch` is an
    /// array of events, or an array of events (posthog-js posts its batches to `/e/` that way).
    ///
    /// - Parameters:
    ///   - json: The parsed request body.
    ///   - sourceID: The event source the caller resolved the API key to. Traps if empty.
    ///   - policy: Which fields are personal.
    ///   - makeID: Called with an event's index in the batch for each event without a `uuid`.
    /// - Throws: ``ModelError`` with code `invalidField` or `invalidEventType` and the path of
    ///   the offending field (`batch[2].distinct_id: expected a non-empty string, an integer or
    ///   null, found an object`), or `limitExceeded` for more than ``eventsMax`` events. All or
    ///   nothing: one bad event rejects the batch. Paths in an array body start at `[2]`.
    public static func parseBatch(
        _ json: JSONValue, sourceID: String, policy: PersonalDataPolicy = .default, makeID: (Int) -> String
    ) throws(ModelError) -> [Event] {
        precondition(!sourceID.isEmpty, "a PostHog batch needs the id of its event source")
        let elements: [JSONValue]
        let prefix: String
        switch json {
        case .array(let array):
            (elements, prefix) = (array, "")
        case .object(let body):
            guard case .array(let array)? = body["batch"] else {
                throw PayloadFields.invalid("batch", expected: "an array of events", found: body["batch"])
            }
            (elements, prefix) = (array, "batch")
        default:
            throw PayloadFields.invalid("", expected: "a PostHog batch (a JSON object or array)", found: json)
        }
        guard elements.count <= eventsMax else {
            throw ModelError(.limitExceeded, path: prefix, "\(elements.count) events in one batch; the limit is \(eventsMax)")
        }
        var events: [Event] = []
        events.reserveCapacity(elements.count)
        for (index, element) in elements.enumerated() {
            let path = "\(prefix)[\(index)]"
            guard case .object(let object) = element else {
                throw PayloadFields.invalid(path, expected: "an event object", found: element)
            }
            events.append(policy.separate(try event(object, path: path, sourceID: sourceID) { makeID(index) }))
        }
        return events
    }

    /// The event of a single-event request (`POST /capture/`, `/i/v0/e/`, `/e/`).
    ///
    /// - Parameters:
    ///   - json: The parsed request body: one event.
    ///   - sourceID: The event source the caller resolved the API key to. Traps if empty.
    ///   - policy: Which fields are personal.
    ///   - makeID: Called with 0 when the event has no `uuid`.
    /// - Throws: ``ModelError`` as ``parseBatch(_:sourceID:policy:makeID:)`` does, with paths
    ///   relative to the event (`distinct_id: expected ...`).
    public static func parseEvent(
        _ json: JSONValue, sourceID: String, policy: PersonalDataPolicy = .default, makeID: (Int) -> String
    ) throws(ModelError) -> Event {
        precondition(!sourceID.isEmpty, "a PostHog event needs the id of its event source")
        guard case .object(let object) = json else {
            throw PayloadFields.invalid("", expected: "a PostHog event (a JSON object)", found: json)
        }
        return policy.separate(try event(object, path: "", sourceID: sourceID) { makeID(0) })
    }

    // MARK: - One event

    /// PostHog's event names that have a Cairn name of their own.
    private static let eventTypes: [String: EventType] = [
        "$pageview": "page-view", "$pageleave": "page-leave", "$screen": "screen-view",
        "$autocapture": "autocapture", "$identify": "identify", "$set": "identify", "$create_alias": "alias",
    ]

    /// The event of one PostHog event, before the personal-data policy.
    private static func event(_ object: JSONObject, path: String, sourceID: String, makeID: () -> String) throws(ModelError) -> Event {
        func at(_ key: String) -> String { path.isEmpty ? key : path + "." + key }

        let name = try PayloadFields.requiredString(object, "event", path: at("event"))
        let type: EventType
        if let known = eventTypes[name] {
            type = known
        } else {
            do {
                type = try EventType(name.hasPrefix("$") ? String(name.dropFirst()) : name)
            } catch {
                throw ModelError(.invalidEventType, path: at("event"), error.message)
            }
        }
        let id = try PayloadFields.optionalString(object, "uuid", path: at("uuid"))
        let sent = try PayloadFields.optionalObject(object, "properties", path: at("properties"))

        // Who: PostHog reads `distinct_id` from the event, or from its properties.
        let distinctID: String
        if let id = try PayloadFields.identifier(object, "distinct_id", path: at("distinct_id")) {
            distinctID = id
        } else if let id = try PayloadFields.identifier(sent, "distinct_id", path: at("properties.distinct_id")) {
            distinctID = id
        } else {
            throw PayloadFields.invalid(at("distinct_id"), expected: "a non-empty string or an integer", found: object["distinct_id"])
        }
        var profileID = distinctID
        var userID: String? = sent["$process_person_profile"] == .bool(false) ? nil : distinctID
        switch name {
        case "$identify":
            if let anonymous = try PayloadFields.identifier(sent, "$anon_distinct_id", path: at("properties.$anon_distinct_id")) {
                profileID = anonymous
            }
            userID = distinctID
        case "$create_alias":
            userID = try PayloadFields.requiredIdentifier(sent, "alias", path: at("properties.alias"))
        default:
            break
        }
        let sessionID = try PayloadFields.identifier(sent, "$session_id", path: at("properties.$session_id"))

        // What: the event's own properties, then person properties; PostHog's own go to context.
        var properties: JSONObject = [:]
        var posthog: JSONObject = [:]
        var context: JSONObject = [:]
        for entry in sent.entries {
            switch entry.key {
            case "$set", "$set_once", "distinct_id", "token": continue  // read apart, or the request's
            case "$ip": context["ip"] = entry.value
            case let key where key.hasPrefix("$"): posthog[String(key.dropFirst())] = entry.value
            default: properties[entry.key] = entry.value
            }
        }
        for key in ["$set_once", "$set"] {
            // The event's `$set_once` or `$set`, with its properties' put over it.
            let members = try PayloadFields.optionalObject(object, key, path: at(key))
                .merging(try PayloadFields.optionalObject(sent, key, path: at("properties." + key)))
            var reserved: JSONObject = [:]  // PostHog's own person properties: `$initial_referrer`
            for entry in members.entries {
                if entry.key.hasPrefix("$") {
                    reserved[String(entry.key.dropFirst())] = entry.value
                } else if key == "$set" || properties[entry.key] == nil {
                    properties[entry.key] = entry.value
                }
            }
            if !reserved.isEmpty { posthog[String(key.dropFirst())] = .object(reserved) }
        }
        if let userID { properties["user_id"] = .string(userID) }
        if !posthog.isEmpty { context["posthog"] = .object(posthog) }

        return Event(
            id: id ?? makeID(), type: type, clientTime: object["timestamp"].flatMap { ClientTime.parse($0) },
            sourceID: sourceID, sessionID: sessionID, profileID: profileID, properties: properties, context: context
        )
    }
}
