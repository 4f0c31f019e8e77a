import CairnModel

/// One side of a changed field: absent, or a value in the form the diff had it.
enum FieldValue {
    case absent
    case json(JSONValue)
    case text(String)
    case integer(Int64)
    case bool(Bool)
    /// Microseconds since the Unix epoch, rendered as ISO 8601 text.
    case time(Int64)

    var jsonValue: JSONValue? {
        switch self {
        case .absent: return nil
        case .json(let value): return value
        case .text(let value): return .string(value)
        case .integer(let value): return .integer(value)
        case .bool(let value): return .bool(value)
        case .time(let micros): return .string(ClientTime.iso8601(micros: micros))
        }
    }

    init(_ value: JSONValue?) {
        self = value.map(FieldValue.json) ?? .absent
    }
}

/// Where a diff puts the fields it finds, in order. The path is `prefix.key`, or `prefix` alone
/// when `key` is nil; sinks that write bytes never need to join them into a string.
protocol FieldSink {
    mutating func add(_ prefix: String, _ key: String?, before: FieldValue, after: FieldValue)
    var isEmpty: Bool { get }
}

/// Collects `FieldChange`s (tests, tools).
struct FieldChangeList: FieldSink {
    var changes: [FieldChange] = []
    var isEmpty: Bool { changes.isEmpty }

    mutating func add(_ prefix: String, _ key: String?, before: FieldValue, after: FieldValue) {
        changes.append(FieldChange(path: FieldDiff.join(prefix, key), before: before.jsonValue, after: after.jsonValue))
    }
}

/// Writes each field as the binary JSON of `FieldChange.jsonValue`, counting them: the projector's
/// path, which builds no `FieldChange`, path string or time string.
struct BinaryFieldSink: FieldSink {
    var writer = JSONBinaryWriter(capacity: 512)
    var count = 0
    var isEmpty: Bool { count == 0 }

    mutating func add(_ prefix: String, _ key: String?, before: FieldValue, after: FieldValue) {
        count += 1
        writer.object(count: 1 + (after.isAbsent ? 0 : 1) + (before.isAbsent ? 0 : 1))
        if !after.isAbsent {
            writer.key("after")
            write(after)
        }
        if !before.isAbsent {
            writer.key("before")
            write(before)
        }
        writer.key("path")
        writer.string(prefix, joinedWith: key)
    }

    private mutating func write(_ value: FieldValue) {
        switch value {
        case .absent: break
        case .json(let json): writer.value(json)
        case .text(let text): writer.string(text)
        case .integer(let number): writer.integer(number)
        case .bool(let flag): writer.bool(flag)
        case .time(let micros): writer.string(ClientTime.iso8601(micros: micros))
        }
    }
}

extension FieldValue {
    var isAbsent: Bool {
        if case .absent = self { return true }
        return false
    }
}

/// Field diffs of profiles and sessions, computed from the typed values.
///
/// The fields equal `FieldChange.diff(before?.jsonValue, after.jsonValue)`, paths, values and
/// order alike (a test compares the two on random pairs), but only the fields that differ are
/// looked at closely: unchanged fields are skipped by comparing the typed values, which for maps
/// and arrays an event did not touch is a buffer identity check. Fields that rarely change
/// (consents, interests) fall back to the full rendering.
enum FieldDiff {
    /// A profile's changed fields, in the order of its JSON rendering; `before` nil: created.
    static func profile<Sink: FieldSink>(_ before: Profile?, _ after: Profile, into sink: inout Sink) {
        var out = Fields(sink: sink)
        defer { sink = out.sink }
        out.scalar("active", before?.active, after.active, FieldValue.bool)
        if before?.consents != after.consents { out.rendered("consents", before, after, empty: after.consents.isEmpty) }
        out.scalar("id", before?.id, after.id, FieldValue.text)
        if before?.ids != after.ids { out.whole("ids", before.map { .array($0.ids.map { .string($0) }) }, .array(after.ids.map { .string($0) })) }
        if before?.interests != after.interests { out.rendered("interests", before, after, empty: after.interests.isEmpty) }
        out.scalar("metadata.time.insert", before?.metadata.insertMicros, after.metadata.insertMicros, FieldValue.time)
        out.scalar("metadata.time.update", before?.metadata.updateMicros, after.metadata.updateMicros, FieldValue.time)
        out.scalar("metadata.time.visit.last", before?.metadata.lastVisitMicros, after.metadata.lastVisitMicros, FieldValue.time)
        out.object("pii", before?.pii, after.pii)
        if before?.segments != after.segments {
            out.whole("segments", before.map { .array($0.segments.map { .string($0) }) }, .array(after.segments.map { .string($0) }))
        }
        if before?.stats.counters != after.stats.counters {
            out.object("stats.counters", before?.stats.counters.mapValues { .integer($0) }, after.stats.counters.mapValues { .integer($0) })
        }
        out.scalar("stats.views", before?.stats.views, after.stats.views, FieldValue.integer)
        out.scalar("stats.visits", before?.stats.visits, after.stats.visits, FieldValue.integer)
        out.object("traits", before?.traits, after.traits)
    }

    /// A session's changed fields, in the order of its JSON rendering; `before` nil: created.
    static func session<Sink: FieldSink>(_ before: Session?, _ after: Session, into sink: inout Sink) {
        var out = Fields(sink: sink)
        defer { sink = out.sink }
        out.object("app", before?.context.app, after.context.app)
        // `context` holds `page` alone, so its fields are those of `context.page`.
        out.object("context.page", before?.context.page, after.context.page)
        out.object("device", before?.context.device, after.context.device)
        out.scalar("id", before?.id, after.id, FieldValue.text)
        out.scalar("metadata.status", before?.status.rawValue, after.status.rawValue, FieldValue.text)
        out.scalar("metadata.time.duration", before.map(durationSeconds), durationSeconds(after)) { .json(.number($0)) }
        out.scalar("metadata.time.insert", before?.startMicros, after.startMicros, FieldValue.time)
        out.scalar("metadata.time.update", before?.lastEventMicros, after.lastEventMicros, FieldValue.time)
        out.object("os", before?.context.os, after.context.os)
        switch (before, before?.profileID, after.profileID) {
        case let (_, old?, new?): out.scalar("profile.id", old, new, FieldValue.text)
        case (nil, _, nil): out.whole("profile", nil, .null)
        case (nil, _, let new?): out.scalar("profile.id", nil, new, FieldValue.text)
        case (_, nil, let new?): out.whole("profile", .null, ["id": .string(new)])
        case (_, let old?, nil): out.whole("profile", ["id": .string(old)], .null)
        case (_, nil, nil): break
        }
        out.scalar("stats.events", before?.eventCount, after.eventCount, FieldValue.integer)
        out.object("utm", before?.context.utm, after.context.utm)
    }

    private static func durationSeconds(_ session: Session) -> Double {
        Double(session.durationMicros) / 1_000_000
    }

    /// The generic walk over two JSON values at `prefix.key` (see `FieldChange.diff`).
    static func json<Sink: FieldSink>(_ before: JSONValue?, _ after: JSONValue?, at prefix: String, _ key: String?, into sink: inout Sink) {
        let old = before?.objectValue
        let new = after?.objectValue
        let walkable = (old != nil || before == nil) && (new != nil || after == nil) && (old?.isEmpty == false || new?.isEmpty == false)
        let isRoot = prefix.isEmpty && key == nil
        if walkable || (isRoot && (old != nil || new != nil)) {
            let path = join(prefix, key)
            let left = old?.entries ?? []
            let right = new?.entries ?? []
            var i = 0, j = 0
            while i < left.count || j < right.count {
                let takeLeft = j == right.count || (i < left.count && left[i].key.utf8.lexicographicallyPrecedes(right[j].key.utf8))
                let takeRight = i == left.count || (j < right.count && right[j].key.utf8.lexicographicallyPrecedes(left[i].key.utf8))
                if takeLeft {
                    json(left[i].value, nil, at: path, left[i].key, into: &sink)
                    i += 1
                } else if takeRight {
                    json(nil, right[j].value, at: path, right[j].key, into: &sink)
                    j += 1
                } else {
                    json(left[i].value, right[j].value, at: path, left[i].key, into: &sink)
                    i += 1
                    j += 1
                }
            }
            return
        }
        if before != after && !isRoot { sink.add(prefix, key, before: FieldValue(before), after: FieldValue(after)) }
    }

    static func join(_ prefix: String, _ key: String?) -> String {
        guard let key else { return prefix }
        return prefix.isEmpty ? key : prefix + "." + key
    }

    /// The typed fields' helpers; each adds nothing when the two sides are equal.
    private struct Fields<Sink: FieldSink> {
        var sink: Sink

        mutating func scalar<T: Equatable>(_ path: String, _ before: T?, _ after: T, _ render: (T) -> FieldValue) {
            if before != after { sink.add(path, nil, before: before.map(render) ?? .absent, after: render(after)) }
        }

        mutating func whole(_ path: String, _ before: JSONValue?, _ after: JSONValue) {
            if before != after { sink.add(path, nil, before: FieldValue(before), after: .json(after)) }
        }

        /// An object field: its keys compared one by one, as the generic diff does.
        mutating func object(_ path: String, _ before: JSONObject?, _ after: JSONObject) {
            if before != after { FieldDiff.json(before.map(JSONValue.object), .object(after), at: path, nil, into: &sink) }
        }

        /// A rarely changed field of a profile, diffed on the full renderings; a new profile's
        /// empty field is reported as the empty object without rendering anything.
        mutating func rendered(_ key: String, _ before: Profile?, _ after: Profile, empty: Bool) {
            if before == nil && empty {
                sink.add(key, nil, before: .absent, after: .json(.object([:])))
            } else {
                FieldDiff.json(before?.jsonValue[key], after.jsonValue[key], at: key, nil, into: &sink)
            }
        }
    }
}
