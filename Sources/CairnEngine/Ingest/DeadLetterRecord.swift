import CairnLog
import CairnModel

extension RecordKind {
    /// A rejected event in the dead-letter log (payload: ``DeadLetterRecord``, binary JSON).
    public static let deadLetter: UInt16 = 4
}

/// One rejected event as the dead-letter log (`DATA/deadletter`) holds it: a record of kind
/// ``RecordKind/deadLetter`` whose key is the event's id and whose payload is this value as
/// binary JSON:
///
/// ```json
/// {"format": 1, "reason": "unknown-source", "message": "event source \"web\" does not exist (bridge import)",
///  "source_id": "web", "bridge": "import", "event_id": "e-1", "payload": { …as sent… }}
/// ```
///
/// `payload` is the JSON the event came in: a corpus line whole, or a tracker payload with its
/// `events` narrowed to this one event (see ``originalPayload(of:in:)``), so that it can be sent
/// again as it is. The log's own timestamp says when the event was refused.
public struct DeadLetterRecord: Sendable, Equatable {
    public static let format: Int64 = 1

    /// The rejection's reason name (``IngestRejection/Reason/name``).
    public var reason: String
    public var message: String
    /// The source and bridge the event came through.
    public var sourceID: String
    public var bridge: String
    public var eventID: String
    public var payload: JSONValue

    public init(reason: String, message: String, sourceID: String, bridge: String, eventID: String, payload: JSONValue) {
        self.reason = reason
        self.message = message
        self.sourceID = sourceID
        self.bridge = bridge
        self.eventID = eventID
        self.payload = payload
    }

    /// The record of `event`, refused by `gate` for `rejection`, sent as `payload`.
    public init(_ rejection: IngestRejection, event: Event, gate: IngestGate, payload: JSONValue) {
        self.init(reason: rejection.reason.name, message: rejection.message, sourceID: gate.sourceID,
                  bridge: gate.bridge.rawValue, eventID: event.id, payload: payload)
    }

    /// The payload as JSON, with the field names of the type's documentation.
    public var jsonValue: JSONValue {
        ["format": .integer(Self.format), "reason": .string(reason), "message": .string(message), "source_id": .string(sourceID),
         "bridge": .string(bridge), "event_id": .string(eventID), "payload": payload]
    }

    /// The log record: key the event id, payload ``jsonValue`` in binary JSON.
    public var appendRecord: AppendRecord {
        AppendRecord(kind: RecordKind.deadLetter, key: Array(eventID.utf8), payload: jsonValue.binaryEncoded())
    }

    /// Decodes a record's payload.
    ///
    /// - Throws: ``EngineError`` `invalidEvent` for anything but a well-formed record of format 1.
    public init(payload bytes: [UInt8]) throws(EngineError) {
        let value: JSONValue
        do { value = try JSONValue(binary: bytes) } catch {
            throw EngineError(.invalidEvent, "dead-letter record is not binary JSON: \(error)")
        }
        guard case .object(let object) = value, object["format"] == .integer(Self.format),
              let reason = object["reason"]?.stringValue, let message = object["message"]?.stringValue,
              let sourceID = object["source_id"]?.stringValue, let bridge = object["bridge"]?.stringValue,
              let eventID = object["event_id"]?.stringValue, let payload = object["payload"], object.count == 7
        else { throw EngineError(.invalidEvent, "dead-letter record of an unknown shape: \(value)") }
        self.init(reason: reason, message: message, sourceID: sourceID, bridge: bridge, eventID: eventID, payload: payload)
    }

    /// What to keep as the payload of the event at `index` of the events read from `json`: for
    /// a tracker payload (an object with an `events` array), the payload with `events` holding
    /// only that event; for anything else, `json` itself.
    public static func originalPayload(of index: Int, in json: JSONValue) -> JSONValue {
        guard case .object(var object) = json, let events = object["events"]?.arrayValue, events.indices.contains(index) else { return json }
        object["events"] = .array([events[index]])
        return .object(object)
    }
}
