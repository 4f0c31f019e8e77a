/// One line of the corpus generator's output (`cairn-corpus`), read into an event.
///
/// A corpus line is one compact JSON object per event, the fields of a tracker payload and of
/// its single event side by side:
///
/// ```json
/// {"id":"ada1edc1-...","type":"page-view","time":"2026-01-01T00:00:00.172029Z",
///  "source":{"id":"cairn-web-store"},"session":{"id":"484682ea-..."},
///  "profile":{"id":"abc4bfd1-..."},"context":{"page":{...},"browser":{...}},
///  "properties":{"section":"product"}}
/// ```
///
/// `id`, `type` and `source.id` are required; `session`, `profile`, `time`, `context`,
/// `properties`, and also `options` and `tags`, are read as in ``TrackPayload``.
public enum CorpusLine {
    /// The event on one corpus line.
    ///
    /// - Throws: ``ModelError`` with code `invalidField` or `invalidEventType` naming the field.
    public static func parse(_ json: JSONValue, policy: PersonalDataPolicy = .default) throws(ModelError) -> Event {
        guard case .object(let object) = json else {
            throw PayloadFields.invalid("", expected: "a corpus event (a JSON object)", found: json)
        }
        let part = try PayloadFields.EventPart(object, path: "")
        guard let id = part.id else {
            throw PayloadFields.invalid("id", expected: "a non-empty string", found: object["id"])
        }
        let event = Event(
            id: id, type: part.type, clientTime: part.clientTime, sourceID: try PayloadFields.sourceID(object),
            sessionID: try PayloadFields.entityID(object, "session", path: "session"),
            profileID: try PayloadFields.entityID(object, "profile", path: "profile"),
            properties: part.properties, context: part.context, tags: part.tags, personal: [:],
            options: EventOptions().overridden(by: part.options)
        )
        return policy.separate(event)
    }

    /// ``parse(_:policy:)`` of the JSON text `line` (without its newline).
    ///
    /// - Throws: ``ModelError`` from ``JSONParser`` or from ``parse(_:policy:)``.
    public static func parse(line: [UInt8], policy: PersonalDataPolicy = .default) throws(ModelError) -> Event {
        try parse(JSONParser.parse(line), policy: policy)
    }
}
