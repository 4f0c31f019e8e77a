import CairnModel

/// One change of configuration as it is stored in the event log: a record of kind
/// `RecordKind.configuration` whose key is `<kind>/<id>` and whose payload is this value as
/// binary JSON:
///
/// ```json
/// {"format": 1, "kind": "event-source", "id": "…", "version": 3, "action": "update",
///  "author": "", "object": { …the full new object… }}
/// ```
///
/// `version` counts the object's changes from 1, across deletions and re-creations; `object` is
/// null for a deletion. A resource's credentials are in the object sealed only.
public struct ConfigurationRecord: Sendable, Equatable {
    public enum Action: String, Sendable, CaseIterable {
        case create, update, delete, enable, disable
    }

    public static let format: Int64 = 1

    public var key: ConfigurationKey
    public var version: UInt64
    public var action: Action
    /// Who made the change; empty when unknown (the command line).
    public var author: String
    /// The object after the change; nil for a deletion.
    public var object: ConfigurationObject?

    public init(key: ConfigurationKey, version: UInt64, action: Action, author: String = "", object: ConfigurationObject?) {
        precondition((object == nil) == (action == .delete), "a deletion and only a deletion has no object")
        precondition(object.map { $0.key == key } ?? true, "the object's key is the record's")
        self.key = key
        self.version = version
        self.action = action
        self.author = author
        self.object = object
    }

    /// The log record's key: `<kind>/<id>`.
    public var logKey: [UInt8] { Array(key.description.utf8) }

    /// The payload: binary JSON (see the type's documentation).
    public func encoded() -> [UInt8] {
        let fields: JSONObject = [
            "format": .integer(Self.format), "kind": .string(key.kind.rawValue), "id": .string(key.id),
            "version": .integer(Int64(version)), "action": .string(action.rawValue), "author": .string(author),
            "object": object.map { .object($0.json) } ?? .null,
        ]
        return JSONValue.object(fields).binaryEncoded()
    }

    /// Decodes a payload.
    ///
    /// - Throws: ``ConfigurationError`` `invalidRecord` for anything but a well-formed record of
    ///   format 1 whose object is valid and matches its kind and id.
    public init(payload: [UInt8]) throws(ConfigurationError) {
        let value: JSONValue
        do { value = try JSONValue(binary: payload) } catch {
            throw ConfigurationError(.invalidRecord, "configuration record is not binary JSON: \(error)")
        }
        guard let fields = value.objectValue, fields["format"]?.integerValue == Self.format else {
            throw ConfigurationError(.invalidRecord, "configuration record is not an object of format \(Self.format)")
        }
        guard let kindName = fields["kind"]?.stringValue, let kind = ConfigurationKind(rawValue: kindName),
              let id = fields["id"]?.stringValue,
              let version = fields["version"]?.integerValue, version >= 1,
              let action = fields["action"]?.stringValue.flatMap(Action.init(rawValue:)),
              let author = fields["author"]?.stringValue,
              let objectValue = fields["object"]
        else {
            throw ConfigurationError(.invalidRecord, "configuration record lacks kind, id, version, action, author or object")
        }
        var object: ConfigurationObject?
        if let json = objectValue.objectValue {
            do { object = try ConfigurationObject(json: json) } catch {
                throw ConfigurationError(.invalidRecord, kind: kind, id: id, field: error.field, "object in the log is invalid: \(error.message)")
            }
        }
        guard (object == nil) == (action == .delete), object.map({ $0.key == ConfigurationKey(kind, id) }) ?? true else {
            throw ConfigurationError(.invalidRecord, kind: kind, id: id, "record's object does not match its kind, id and action")
        }
        self.init(key: ConfigurationKey(kind, id), version: UInt64(version), action: action, author: author, object: object)
    }
}
