/// Segment's HTTP tracking API, read into events.
///
/// Two request shapes (Segment's server libraries such as analytics-python send the first; see
/// `shared/fixtures/clients`):
///
/// ```json
/// POST /v1/batch
/// {"batch": [{"type": "track", "event": "Order Completed", "userId": "user-42",
///             "anonymousId": null, "messageId": "...", "timestamp": "2026-...+00:00",
///             "properties": {...}, "context": {...}, "integrations": {...}}, ...],
///  "context": {...}, "integrations": {...}, "writeKey": "...", "sentAt": "2026-..."}
///
/// POST /v1/track (also /v1/identify, /page, /screen, /group, /alias)
/// {"event": "Order Completed", "userId": "user-42", ...}
/// ```
///
/// Each message becomes one ``Event``; `docs/segment-posthog.md` has the mapping field by field.
/// In short:
///
/// - `id`: the message's `messageId` (Segment's deduplication key), otherwise `makeID(index)`.
/// - `type`: a track's `event` name as an ``EventType`` (`Order Completed` → `order-completed`);
///   `page-view`, `screen-view`, `identify`, `group` and `alias` for the other message types.
/// - `profileID`: `anonymousId`, else `userId`; an alias's `previousId`. A `userId` is also put
///   in the properties as `user_id`, so that an identifying field `user_id` links the anonymous
///   profile to the identified one.
/// - `sessionID`: the context's `sessionId` when there is one; Segment has no sessions.
/// - `clientTime`: `timestamp`, else `originalTimestamp` (see ``ClientTime``).
/// - `properties`: `properties` (track, page, screen) or `traits` (identify, group), plus a
///   page's or screen's `name` and `category`, a group's `group_id` and `user_id`.
/// - `context`: the batch's `context` with the message's merged over it, and `integrations`
///   under `context.integrations`.
/// - personal fields are moved into ``Event/personal`` by `policy`.
///
/// Not read: `writeKey` (see ``writeKey(in:)``: the caller maps the key to a source), `sentAt`
/// and `receivedAt` (correcting a client's clock needs the time received, which the caller has),
/// `channel`, `version`, unknown fields.
public enum SegmentPayload {
    /// The most messages one batch may carry.
    public static let messagesMax = 1000

    /// The kind of a Segment message: the `type` of a message in a batch, or implied by the
    /// endpoint of a single message. The raw value is the endpoint's last path component
    /// (`/v1/track` takes a `track`).
    public enum MessageType: String, Sendable, Hashable, CaseIterable {
        case track, page, screen, identify, group, alias

        /// The Cairn type of every message of this kind; nil for `track`, whose type is its
        /// `event` name.
        var eventType: EventType? {
            switch self {
            case .track: nil
            case .page: "page-view"
            case .screen: "screen-view"
            case .identify: "identify"
            case .group: "group"
            case .alias: "alias"
            }
        }

        /// `track, page, screen, identify, group, alias`, for error messages.
        static let list = allCases.map(\.rawValue).joined(separator: ", ")
    }

    /// The write key in a request body (`writeKey`, in a batch or in a single message), if it
    /// is a non-empty string. Clients usually send it as the user name of HTTP Basic
    /// authentication instead; reading that, and mapping the key to a source, is the caller's.
    public static func writeKey(in json: JSONValue) -> String? {
        guard case .string(let key)? = json["writeKey"], !key.isEmpty else { return nil }
        return key
    }

    /// The events of a `POST /v1/batch` body, in batch order.
    ///
    /// - Parameters:
    ///   - json: The parsed request body.
    ///   - sourceID: The event source the caller resolved the write key to. Traps if empty.
    ///   - policy: Which fields are personal.
    ///   - makeID: Called with a message's index in `batch` for each message without a `messageId`.
    /// - Throws: ``ModelError`` with code `invalidField` or `invalidEventType` and the path of
    ///   the offending field (`batch[2].type: expected one of track, page, screen, identify,
    ///   group, alias, found "click"`), or `limitExceeded` for more than ``messagesMax``
    ///   messages. All or nothing: one bad message rejects the batch. `batch` is required.
    public static func parseBatch(
        _ json: JSONValue, sourceID: String, policy: PersonalDataPolicy = .default, makeID: (Int) -> String
    ) throws(ModelError) -> [Event] {
        precondition(!sourceID.isEmpty, "a Segment batch needs the id of its event source")
        guard case .object(let body) = json else {
            throw PayloadFields.invalid("", expected: "a Segment batch (a JSON object)", found: json)
        }
        guard case .array(let elements)? = body["batch"] else {
            throw PayloadFields.invalid("batch", expected: "an array of messages", found: body["batch"])
        }
        guard elements.count <= messagesMax else {
            throw ModelError(.limitExceeded, path: "batch", "\(elements.count) messages in one batch; the limit is \(messagesMax)")
        }
        let shared = Shared(
            context: try PayloadFields.optionalObject(body, "context", path: "context"),
            integrations: try PayloadFields.optionalObject(body, "integrations", path: "integrations")
        )
        var events: [Event] = []
        events.reserveCapacity(elements.count)
        for (index, element) in elements.enumerated() {
            let path = "batch[\(index)]"
            guard case .object(let message) = element else {
                throw PayloadFields.invalid(path, expected: "a message object", found: element)
            }
            let type = try messageType(message, path: path)
            let event = try Self.event(message, type: type, path: path, shared: shared, sourceID: sourceID) { makeID(index) }
            events.append(policy.separate(event))
        }
        return events
    }

    /// The event of a single-message request (`POST /v1/track` and the like), whose endpoint
    /// implies `type`.
    ///
    /// - Parameters:
    ///   - json: The parsed request body: one message.
    ///   - type: The endpoint's message type. A `type` in the message, if present and not null,
    ///     must be the same.
    ///   - sourceID: The event source the caller resolved the write key to. Traps if empty.
    ///   - policy: Which fields are personal.
    ///   - makeID: Called with 0 when the message has no `messageId`.
    /// - Throws: ``ModelError`` as ``parseBatch(_:sourceID:policy:makeID:)`` does, with paths
    ///   relative to the message (`userId: expected ...`), and for a `type` other than the
    ///   endpoint's (`type: expected "track" (the endpoint's type) or no type, found "identify"`).
    public static func parseMessage(
        _ json: JSONValue, type: MessageType, sourceID: String, policy: PersonalDataPolicy = .default,
        makeID: (Int) -> String
    ) throws(ModelError) -> Event {
        precondition(!sourceID.isEmpty, "a Segment message needs the id of its event source")
        guard case .object(let message) = json else {
            throw PayloadFields.invalid("", expected: "a Segment message (a JSON object)", found: json)
        }
        switch message["type"] {
        case nil, .null?: break
        case .string(let name)? where name == type.rawValue: break
        case let other:
            let found = other?.stringValue.map(PayloadFields.quoted) ?? (other?.kindName ?? "")
            throw ModelError(.invalidField, path: "type", "expected \"\(type.rawValue)\" (the endpoint's type) or no type, found \(found)")
        }
        let event = try Self.event(message, type: type, path: "", shared: Shared(context: [:], integrations: [:]), sourceID: sourceID) {
            makeID(0)
        }
        return policy.separate(event)
    }

    // MARK: - One message

    /// What a batch gives all of its messages.
    private struct Shared {
        var context: JSONObject
        var integrations: JSONObject
    }

    /// The `type` of a message in a batch.
    private static func messageType(_ message: JSONObject, path: String) throws(ModelError) -> MessageType {
        let value = message["type"]
        guard let name = value?.stringValue, let type = MessageType(rawValue: name) else {
            let found = value.map { $0.stringValue.map(PayloadFields.quoted) ?? $0.kindName } ?? ""
            throw ModelError(
                .invalidField, path: path + ".type",
                "expected one of \(MessageType.list), " + (value == nil ? "but it is missing" : "found \(found)")
            )
        }
        return type
    }

    /// The event of one message, before the personal-data policy.
    private static func event(
        _ message: JSONObject, type: MessageType, path: String, shared: Shared, sourceID: String, makeID: () -> String
    ) throws(ModelError) -> Event {
        func at(_ key: String) -> String { path.isEmpty ? key : path + "." + key }

        let id = try PayloadFields.optionalString(message, "messageId", path: at("messageId"))
        let userID: String?
        let profileID: String
        var properties: JSONObject
        switch type {
        case .alias:
            userID = try PayloadFields.requiredIdentifier(message, "userId", path: at("userId"))
            profileID = try PayloadFields.requiredIdentifier(message, "previousId", path: at("previousId"))
            properties = [:]
        case .track, .page, .screen, .identify, .group:
            userID = try PayloadFields.identifier(message, "userId", path: at("userId"))
            guard let id = try PayloadFields.identifier(message, "anonymousId", path: at("anonymousId")) ?? userID else {
                throw ModelError(.invalidField, path: path, "expected an anonymousId or a userId, found neither")
            }
            profileID = id
            let key = type == .identify || type == .group ? "traits" : "properties"
            properties = try PayloadFields.optionalObject(message, key, path: at(key))
        }
        let eventType: EventType
        if let fixed = type.eventType {
            eventType = fixed
        } else {
            let name = try PayloadFields.requiredString(message, "event", path: at("event"))
            do {
                eventType = try EventType(name)
            } catch {
                throw ModelError(.invalidEventType, path: at("event"), error.message)
            }
        }
        if type == .page || type == .screen {
            for key in ["name", "category"] {
                if let value = try PayloadFields.optionalText(message, key, path: at(key)) { properties[key] = .string(value) }
            }
        }
        if type == .group {
            properties["group_id"] = .string(try PayloadFields.requiredIdentifier(message, "groupId", path: at("groupId")))
        }
        if let userID { properties["user_id"] = .string(userID) }

        var context = shared.context.merging(try PayloadFields.optionalObject(message, "context", path: at("context")))
        let integrations = shared.integrations.merging(try PayloadFields.optionalObject(message, "integrations", path: at("integrations")))
        if !integrations.isEmpty { context = context.merging(["integrations": .object(integrations)]) }
        // The path names the context the session id came from: the message's, or the batch's.
        let sessionPath = message["context"]?["sessionId"] != nil || path.isEmpty ? at("context.sessionId") : "context.sessionId"
        let sessionID = try PayloadFields.identifier(context, "sessionId", path: sessionPath, allowingFraction: true)
        let clientTime = message["timestamp"].flatMap { ClientTime.parse($0) } ?? message["originalTimestamp"].flatMap { ClientTime.parse($0) }

        return Event(
            id: id ?? makeID(), type: eventType, clientTime: clientTime, sourceID: sourceID, sessionID: sessionID,
            profileID: profileID, properties: properties, context: context
        )
    }
}

// Field readers for the Segment and PostHog payloads (PostHogPayload uses them too).
extension PayloadFields {
    /// `parent[key]` as an id: a non-empty string, or an integer written in decimal (clients
    /// send numeric user ids); with `allowingFraction`, any number, written as canonical JSON.
    /// Nil when absent or null.
    static func identifier(
        _ parent: JSONObject, _ key: String, path: String, allowingFraction: Bool = false
    ) throws(ModelError) -> String? {
        let expected = allowingFraction ? "a non-empty string, a number or null" : "a non-empty string, an integer or null"
        return try identifier(parent[key], path: path, expected: expected, allowingFraction: allowingFraction)
    }

    /// ``identifier(_:_:path:allowingFraction:)`` that must be present.
    static func requiredIdentifier(_ parent: JSONObject, _ key: String, path: String) throws(ModelError) -> String {
        let expected = "a non-empty string or an integer"
        guard let id = try identifier(parent[key], path: path, expected: expected, allowingFraction: false) else {
            throw invalid(path, expected: expected, found: parent[key])
        }
        return id
    }

    private static func identifier(
        _ value: JSONValue?, path: String, expected: String, allowingFraction: Bool
    ) throws(ModelError) -> String? {
        switch value {
        case nil, .null?: return nil
        case .string(let text)? where !text.isEmpty: return text
        case .integer(let number)?: return String(number)
        case .number(let number)? where allowingFraction: return JSONValue.number(number).description
        case let other: throw invalid(path, expected: expected, found: other)
        }
    }

    /// `parent[key]` as any string, empty included; nil when absent or null.
    static func optionalText(_ parent: JSONObject, _ key: String, path: String) throws(ModelError) -> String? {
        switch parent[key] {
        case nil, .null?: return nil
        case .string(let text)?: return text
        case let other: throw invalid(path, expected: "a string or null", found: other)
        }
    }

    /// `text` in double quotes for an error message, cut after 40 characters.
    static func quoted(_ text: String) -> String {
        text.count <= 40 ? "\"\(text)\"" : "\"\(text.prefix(40))…\""
    }
}
