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
        case profile, session, identity, workflow, configuration
    }

    public enum Kind: String, Sendable, CaseIterable {
        case profileCreated = "profile.created"
        case profileUpdated = "profile.updated"
        case profileMerged = "profile.merged"
        case sessionOpened = "session.opened"
        case sessionUpdated = "session.updated"
        case sessionClosed = "session.closed"
        case identityLinked = "identity.linked"
        case segmentEntered = "segment.entered"
        case segmentExited = "segment.exited"
        case workflowEffect = "workflow.effect"
        case workflowFailed = "workflow.failed"
        case configurationChanged = "configuration.changed"

        public var entity: Entity {
            switch self {
            case .profileCreated, .profileUpdated, .profileMerged, .segmentEntered, .segmentExited: return .profile
            case .sessionOpened, .sessionUpdated, .sessionClosed: return .session
            case .identityLinked: return .identity
            case .workflowEffect, .workflowFailed: return .workflow
            case .configurationChanged: return .configuration
            }
        }
    }

    public var kind: Kind
    public var id: String
    public var fields: [FieldChange]
    public var offset: UInt64
    public var eventID: String
    public var seq: Int
    /// For `profile.merged`: the survivor; for `identity.linked`: the profile linked to; for
    /// `segment.entered` and `segment.exited`: the segment id; for `workflow.effect` and
    /// `workflow.failed`: the profile the workflow ran for. Nil for `configuration.changed`, whose
    /// `id` is the object's key (`segment/gold`), `eventID` empty, and fields its `version`,
    /// `action` and `author`.
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

    /// The binary JSON of `jsonValue`, written directly (the projector encodes every change).
    public func binaryEncoded() -> [UInt8] {
        Self.encode(kind: kind, id: id, offset: offset, eventID: eventID, seq: seq, target: target, fieldCount: fields.count) { writer in
            for field in fields {
                writer.object(count: 1 + (field.after == nil ? 0 : 1) + (field.before == nil ? 0 : 1))
                if let after = field.after {
                    writer.key("after")
                    writer.value(after)
                }
                if let before = field.before {
                    writer.key("before")
                    writer.value(before)
                }
                writer.key("path")
                writer.string(field.path)
            }
        }
    }

    /// Writes a change's binary JSON (the layout of `jsonValue`); `writeFields` writes its
    /// `fieldCount` field objects.
    static func encode(kind: Kind, id: String, offset: UInt64, eventID: String, seq: Int, target: String?, fieldCount: Int,
                       writeFields: (inout JSONBinaryWriter) -> Void) -> [UInt8] {
        var writer = JSONBinaryWriter(capacity: 128 + fieldCount * 64)
        writer.object(count: target == nil ? 7 : 8)
        writer.key("entity")
        writer.string(kind.entity.rawValue)
        writer.key("event")
        writer.string(eventID)
        writer.key("fields")
        writer.array(count: fieldCount)
        writeFields(&writer)
        writer.key("id")
        writer.string(id)
        writer.key("kind")
        writer.string(kind.rawValue)
        writer.key("offset")
        writer.integer(Int64(offset))
        writer.key("seq")
        writer.integer(Int64(seq))
        if let target {
            writer.key("target")
            writer.string(target)
        }
        return writer.bytes
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

    /// The fields that differ between two JSON renderings, by dot path. Objects are compared key
    /// by key (recursively, walking both sorted key lists together, so the result comes out in
    /// key order at each level); any other value (arrays included) is compared whole, and a value
    /// that changes between an object and something else is reported whole. See `FieldDiff`.
    public static func diff(_ before: JSONValue?, _ after: JSONValue?) -> [FieldChange] {
        var sink = FieldChangeList()
        FieldDiff.json(before, after, at: "", nil, into: &sink)
        return sink.changes
    }
}
