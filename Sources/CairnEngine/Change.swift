import CairnModel

/// One change to a projection, as appended to the change log.
///
/// Encoded as a JSON object (binary JSON in the change log, text for `cairn tail --json`):
///
///     {"entity":"profile","kind":"profile.updated","id":"…",
///      "fields":[{"path":"stats.views","before":3,"after":4}, …],
///      "offset":1234,"event":"…","seq":0,"merged_into":"…"}
///
/// `offset` is the event log offset of the event that caused the change and `seq` its position
/// among that event's changes: together they identify the change uniquely (an idempotency key).
public struct Change: Sendable, Equatable {
    public enum Entity: String, Sendable {
        case profile, session, identity
    }

    public enum Kind: String, Sendable {
        case profileCreated = "profile.created"
        case profileUpdated = "profile.updated"
        case profileMerged = "profile.merged"
        case sessionOpened = "session.opened"
        case sessionUpdated = "session.updated"
        case sessionClosed = "session.closed"
        case identityLinked = "identity.linked"

        public var entity: Entity {
            switch self {
            case .profileCreated, .profileUpdated, .profileMerged: return .profile
            case .sessionOpened, .sessionUpdated, .sessionClosed: return .session
            case .identityLinked: return .identity
            }
        }
    }

    public var kind: Kind
    public var id: String
    public var fields: [FieldChange]
    public var offset: UInt64
    public var eventID: String
    public var seq: Int
    /// For `profile.merged`: the survivor; for `identity.linked`: the profile linked to.
    public var target: String?

    public init(kind: Kind, id: String, fields: [FieldChange] = [], offset: UInt64, eventID: String, seq: Int = 0, target: String? = nil) {
        self.kind = kind
        self.id = id
        self.fields = fields
        self.offset = offset
        self.eventID = eventID
        self.seq = seq
        self.target = target
    }

    public var jsonValue: JSONValue {
        // Built in key order (the hot path of the projector), so no sorting is needed.
        var entries: [JSONObject.Entry] = [
            .init(key: "entity", value: .string(kind.entity.rawValue)),
            .init(key: "event", value: .string(eventID)),
            .init(key: "fields", value: .array(fields.map(\.jsonValue))),
            .init(key: "id", value: .string(id)),
            .init(key: "kind", value: .string(kind.rawValue)),
            .init(key: "offset", value: .integer(Int64(offset))),
            .init(key: "seq", value: .integer(Int64(seq))),
        ]
        if let target { entries.append(.init(key: "target", value: .string(target))) }
        return .object(JSONObject(trustedSortedEntries: entries))
    }

    /// Decodes a change from its JSON value; throws naming the field that is wrong.
    public init(jsonValue value: JSONValue) throws {
        func string(_ key: String) throws -> String {
            guard let text = value[key]?.stringValue else { throw EngineError(.corruptedProjection, "change.\(key): expected a string") }
            return text
        }
        func integer(_ key: String) throws -> Int64 {
            guard let number = value[key]?.integerValue, number >= 0 else { throw EngineError(.corruptedProjection, "change.\(key): expected a non-negative integer") }
            return number
        }
        guard let kind = Kind(rawValue: try string("kind")) else { throw EngineError(.corruptedProjection, "change.kind: unknown kind") }
        guard let fields = value["fields"]?.arrayValue else { throw EngineError(.corruptedProjection, "change.fields: expected an array") }
        self.kind = kind
        self.id = try string("id")
        self.fields = try fields.map(FieldChange.init(jsonValue:))
        self.offset = UInt64(try integer("offset"))
        self.eventID = try string("event")
        self.seq = Int(try integer("seq"))
        self.target = value["target"]?.stringValue
    }
}

/// One field's value before and after a change; nil means absent.
public struct FieldChange: Sendable, Equatable {
    public var path: String
    public var before: JSONValue?
    public var after: JSONValue?

    public init(path: String, before: JSONValue?, after: JSONValue?) {
        self.path = path
        self.before = before
        self.after = after
    }

    var jsonValue: JSONValue {
        var entries: [JSONObject.Entry] = []
        if let after { entries.append(.init(key: "after", value: after)) }
        if let before { entries.append(.init(key: "before", value: before)) }
        entries.append(.init(key: "path", value: .string(path)))
        return .object(JSONObject(trustedSortedEntries: entries))
    }

    init(jsonValue value: JSONValue) throws {
        guard let path = value["path"]?.stringValue else { throw EngineError(.corruptedProjection, "change.fields[].path: expected a string") }
        self.path = path
        self.before = value["before"]
        self.after = value["after"]
    }

    /// The fields that differ between two JSON renderings, by dot path, in path order. Objects
    /// are compared key by key; any other value (arrays included) is compared whole.
    public static func diff(_ before: JSONValue?, _ after: JSONValue?) -> [FieldChange] {
        var old: [(String, JSONValue)] = []
        var new: [(String, JSONValue)] = []
        if let before { flatten(before, prefix: "", into: &old) }
        if let after { flatten(after, prefix: "", into: &new) }
        // Dot paths of nested keys do not come out in byte order ("a.b" after "a-c"): sort.
        old.sort { $0.0.utf8.lexicographicallyPrecedes($1.0.utf8) }
        new.sort { $0.0.utf8.lexicographicallyPrecedes($1.0.utf8) }
        var changes: [FieldChange] = []
        var i = 0, j = 0
        while i < old.count || j < new.count {
            if j == new.count || (i < old.count && old[i].0.utf8.lexicographicallyPrecedes(new[j].0.utf8)) {
                changes.append(FieldChange(path: old[i].0, before: old[i].1, after: nil))
                i += 1
            } else if i == old.count || new[j].0.utf8.lexicographicallyPrecedes(old[i].0.utf8) {
                changes.append(FieldChange(path: new[j].0, before: nil, after: new[j].1))
                j += 1
            } else {
                if old[i].1 != new[j].1 { changes.append(FieldChange(path: old[i].0, before: old[i].1, after: new[j].1)) }
                i += 1
                j += 1
            }
        }
        return changes
    }

    private static func flatten(_ value: JSONValue, prefix: String, into out: inout [(String, JSONValue)]) {
        if case .object(let object) = value, !object.isEmpty {
            for entry in object.entries {
                flatten(entry.value, prefix: prefix.isEmpty ? entry.key : prefix + "." + entry.key, into: &out)
            }
        } else if !prefix.isEmpty {
            out.append((prefix, value))
        }
    }
}
