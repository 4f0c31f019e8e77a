import CairnLog
import CairnModel

/// A change a destination gave up on: every attempt failed (or the destination could not even
/// be compiled). One record of kind ``recordKind`` in the destination dead-letter log
/// (`DATA/destination-deadletter`), keyed by the destination id, whose payload is binary JSON:
///
/// ```json
/// {"format": 1, "destination_id": "crm", "change_offset": 1234, "event_offset": 567,
///  "idempotency_key": "crm/1234", "attempts": 8, "last_error": "HTTP 503: …", "body": {…}}
/// ```
///
/// `change_offset` is the change-log offset of the (first) change, `event_offset` the event-log
/// offset of the event that caused it; `body` is what was sent with each attempt (null when none
/// was made: the destination did not compile).
public struct DestinationDeadLetter: Sendable, Equatable {
    public static let format: Int64 = 1
    /// The record kind in the destination dead-letter log.
    public static let recordKind: UInt16 = 7
    /// The log's directory in a data directory.
    public static func directory(dataDirectory: String) -> String { dataDirectory + "/destination-deadletter" }

    public var destinationID: String
    public var changeOffset: UInt64
    public var eventOffset: UInt64
    public var idempotencyKey: String
    public var attempts: Int
    public var lastError: String
    public var body: JSONValue

    public init(destinationID: String, changeOffset: UInt64, eventOffset: UInt64, idempotencyKey: String, attempts: Int,
                lastError: String, body: JSONValue) {
        self.destinationID = destinationID
        self.changeOffset = changeOffset
        self.eventOffset = eventOffset
        self.idempotencyKey = idempotencyKey
        self.attempts = attempts
        self.lastError = lastError
        self.body = body
    }

    /// The payload as JSON, with the field names of the type's documentation.
    public var jsonValue: JSONValue {
        ["format": .integer(Self.format), "destination_id": .string(destinationID), "change_offset": .integer(Int64(changeOffset)),
         "event_offset": .integer(Int64(eventOffset)), "idempotency_key": .string(idempotencyKey), "attempts": .integer(Int64(attempts)),
         "last_error": .string(lastError), "body": body]
    }

    /// The log record: key the destination id, payload ``jsonValue`` in binary JSON.
    public var appendRecord: AppendRecord {
        AppendRecord(kind: Self.recordKind, key: Array(destinationID.utf8), payload: jsonValue.binaryEncoded())
    }

    /// Decodes a record's payload.
    ///
    /// - Throws: ``ServerError`` for anything but a well-formed record of format 1.
    public init(payload: [UInt8]) throws {
        let value: JSONValue
        do { value = try JSONValue(binary: payload) } catch { throw ServerError("a destination dead letter is not binary JSON: \(error)") }
        guard value["format"]?.integerValue == Self.format,
              let destinationID = value["destination_id"]?.stringValue,
              let changeOffset = value["change_offset"]?.integerValue, changeOffset >= 0,
              let eventOffset = value["event_offset"]?.integerValue, eventOffset >= 0,
              let idempotencyKey = value["idempotency_key"]?.stringValue,
              let attempts = value["attempts"]?.integerValue, attempts >= 0,
              let lastError = value["last_error"]?.stringValue,
              let body = value["body"]
        else {
            throw ServerError("a destination dead letter lacks a field of format \(Self.format)")
        }
        self.init(destinationID: destinationID, changeOffset: UInt64(changeOffset), eventOffset: UInt64(eventOffset),
                  idempotencyKey: idempotencyKey, attempts: Int(attempts), lastError: lastError, body: body)
    }
}
