import CairnModel

// Reading and writing the run's data by field reference.
//
// Reads see the same JSON shapes as the command line's renderings (`Event.jsonValue`,
// `Profile.jsonValue`, `Session.jsonValue`). Writes map onto the typed values; the writable
// fields are:
//
//   event@    properties[.…], context[.…], tags[[N]], type
//   profile@  traits[.…], pii[.…], interests.NAME (a number), stats.counters.NAME (an integer),
//             segments (an array of strings), consents.NAME ({"revoke": time or null}, or true)
//   session@  device[.…], os[.…], app[.…], utm[.…], context.page[.…], metadata.status ("open"/"closed")
//   memory@   anything below memory (memory@ itself must stay an object)
//
// `payload@` is read-only: a node passes a new value on through its output ports instead.

extension ActionContext {
    /// The value `reference` points at in the run's current data, or nil when it is missing.
    public func value(of reference: FieldReference) -> JSONValue? {
        let path = reference.path
        switch reference.root {
        case .payload:
            return reference.resolve(in: payload)
        case .memory:
            return reference.resolve(in: .object(memory))
        case .event:
            let rest = FieldReference(root: .event, path: Array(path.dropFirst()))
            switch path.first {
            case .key("properties"): return rest.resolve(in: .object(event.properties))
            case .key("context"): return rest.resolve(in: .object(event.context))
            case .key("type"): return rest.resolve(in: .string(event.type.rawValue))
            case .key("id"): return rest.resolve(in: .string(event.id))
            case .key("tags"): return rest.resolve(in: .array(event.tags.map { .string($0) }))
            default: return reference.resolve(in: event.jsonValue(includingPersonal: true))
            }
        case .profile:
            guard let profile else { return nil }
            let rest = FieldReference(root: .profile, path: Array(path.dropFirst()))
            switch path.first {
            case .key("traits"): return rest.resolve(in: .object(profile.traits))
            case .key("pii"): return rest.resolve(in: .object(profile.pii))
            case .key("segments"): return rest.resolve(in: .array(profile.segments.map { .string($0) }))
            case .key("id"): return rest.resolve(in: .string(profile.id))
            default: return reference.resolve(in: profile.jsonValue)
            }
        case .session:
            guard let session else { return nil }
            return reference.resolve(in: session.jsonValue)
        }
    }

    /// Writes `value` at `reference` and records the change.
    ///
    /// - Throws: ``LogicError`` `unwritableField` for a field outside the writable ones listed
    ///   above, a missing profile or session, or a value of the wrong kind for a typed field.
    public mutating func set(_ reference: FieldReference, to value: JSONValue) throws(LogicError) {
        try write(reference, value)
        changes.append(WorkflowChange(field: reference.description, value: value))
    }

    /// Deletes the field at `reference` (nothing happens when it is missing) and records it.
    ///
    /// - Throws: ``LogicError`` `unwritableField` as ``set(_:to:)`` does.
    public mutating func delete(_ reference: FieldReference) throws(LogicError) {
        try write(reference, nil)
        changes.append(WorkflowChange(field: reference.description, value: nil))
    }

    /// Whether `reference` names a field that ``set(_:to:)`` can write, judged by its path alone
    /// (for checking configs on save). Returns the reason when it cannot.
    public static func writability(of reference: FieldReference) -> String? {
        let path = reference.path
        let keys = path.map { component -> String? in
            if case .key(let key) = component { return key }
            return nil
        }
        switch reference.root {
        case .payload:
            return "payload@ is read-only; pass a new value on through an output port"
        case .memory:
            return nil
        case .event:
            switch keys.first {
            case "properties", "context": return nil
            case "tags": return path.count <= 2 ? nil : "event@tags holds strings only"
            case "type": return path.count == 1 ? nil : "event@type is a string"
            default: return "\(reference) cannot be written; writable event fields are properties, context, tags and type"
            }
        case .profile:
            switch keys.first {
            case "traits", "pii": return nil
            case "interests": return path.count == 2 && keys[1] != nil ? nil : "write one interest: profile@interests.NAME"
            case "segments": return path.count == 1 ? nil : "write the whole list: profile@segments"
            case "consents": return path.count == 2 && keys[1] != nil ? nil : "write one consent: profile@consents.NAME"
            case "stats":
                return path.count == 3 && keys[1] == "counters" && keys[2] != nil ? nil : "of the stats only stats.counters.NAME can be written"
            default:
                return "\(reference) cannot be written; writable profile fields are traits, pii, interests.NAME, stats.counters.NAME, segments and consents.NAME"
            }
        case .session:
            switch keys.first {
            case "device", "os", "app", "utm": return nil
            case "context": return path.count >= 2 && keys[1] == "page" ? nil : "of the session context only context.page can be written"
            case "metadata": return path.count == 2 && keys[1] == "status" ? nil : "of the session metadata only metadata.status can be written"
            default:
                return "\(reference) cannot be written; writable session fields are device, os, app, utm, context.page and metadata.status"
            }
        }
    }

    // MARK: - Writes

    private mutating func write(_ reference: FieldReference, _ value: JSONValue?) throws(LogicError) {
        if let reason = Self.writability(of: reference) {
            throw LogicError(.unwritableField, reason)
        }
        let path = reference.path
        let rest = path.dropFirst()
        switch reference.root {
        case .payload:
            preconditionFailure("payload@ is refused by writability(of:)")
        case .memory:
            memory = try Self.writeObject(memory, rest: path[...], value, reference)
        case .event:
            switch path.first {
            case .key("properties"): event.properties = try Self.writeObject(event.properties, rest: rest, value, reference)
            case .key("context"): event.context = try Self.writeObject(event.context, rest: rest, value, reference)
            case .key("tags"):
                let written = try Self.apply(value, to: .array(event.tags.map { .string($0) }), at: rest, reference)
                guard case .array(let elements) = written, let strings = Self.strings(elements) else {
                    throw LogicError(.unwritableField, "\(reference) takes strings only")
                }
                event.tags = strings
            default:
                guard let text = value?.stringValue else {
                    throw LogicError(.unwritableField, "event@type takes a string and cannot be deleted")
                }
                do {
                    event.type = try EventType(text)
                } catch {
                    throw LogicError(.unwritableField, "event@type: \(error.message)")
                }
            }
        case .profile:
            guard var profile else { throw LogicError(.unwritableField, "cannot write \(reference): the event has no profile") }
            try Self.writeProfile(&profile, path: path, value, reference)
            self.profile = profile
        case .session:
            guard var session else { throw LogicError(.unwritableField, "cannot write \(reference): the event has no session") }
            switch path.first {
            case .key("device"): session.context.device = try Self.writeObject(session.context.device, rest: rest, value, reference)
            case .key("os"): session.context.os = try Self.writeObject(session.context.os, rest: rest, value, reference)
            case .key("app"): session.context.app = try Self.writeObject(session.context.app, rest: rest, value, reference)
            case .key("utm"): session.context.utm = try Self.writeObject(session.context.utm, rest: rest, value, reference)
            case .key("context"): session.context.page = try Self.writeObject(session.context.page, rest: path.dropFirst(2), value, reference)
            default:
                guard let text = value?.stringValue, let status = SessionStatus(rawValue: text) else {
                    throw LogicError(.unwritableField, "session@metadata.status takes \"open\" or \"closed\"")
                }
                session.status = status
            }
            self.session = session
        }
    }

    private static func writeProfile(
        _ profile: inout Profile, path: [FieldReference.Component], _ value: JSONValue?, _ reference: FieldReference
    ) throws(LogicError) {
        let rest = path.dropFirst()
        let name: String
        if case .key(let key)? = path.last { name = key } else { name = "" }
        switch path.first {
        case .key("traits"): profile.traits = try writeObject(profile.traits, rest: rest, value, reference)
        case .key("pii"): profile.pii = try writeObject(profile.pii, rest: rest, value, reference)
        case .key("interests"):
            guard let value else {
                profile.interests[name] = nil
                return
            }
            guard let number = value.doubleValue, number.isFinite else {
                throw LogicError(.unwritableField, "\(reference) takes a number, not \(value.kindName)")
            }
            profile.interests[name] = number
        case .key("stats"):
            guard let value else {
                profile.stats.counters[name] = nil
                return
            }
            guard let integer = value.integerValue ?? exactInteger(value.doubleValue) else {
                throw LogicError(.unwritableField, "\(reference) takes an integer, not \(value.kindName)")
            }
            profile.stats.counters[name] = integer
        case .key("segments"):
            var wanted: [String] = []
            if let value {
                guard let elements = value.arrayValue, let names = strings(elements) else {
                    throw LogicError(.unwritableField, "\(reference) takes an array of strings, not \(value.kindName)")
                }
                wanted = names
            }
            for segment in profile.segments where !wanted.contains(segment) { profile.removeSegment(segment) }
            for segment in wanted { profile.addSegment(segment) }
        default:
            guard let value else {
                profile.consents[name] = nil
                return
            }
            switch value {
            case .bool(true):
                profile.consents[name] = Consent()
            case .object(let object):
                let revoke = object["revoke"] ?? .null
                if revoke.isNull {
                    profile.consents[name] = Consent()
                } else if let micros = ClientTime.parse(revoke) {
                    profile.consents[name] = Consent(revokeMicros: micros)
                } else {
                    throw LogicError(.unwritableField, "\(reference): 'revoke' must be a time or null")
                }
            default:
                throw LogicError(.unwritableField, "\(reference) takes {\"revoke\": time or null} or true, not \(value.kindName)")
            }
        }
    }

    /// `object` with `value` written (nil: deleted) at `rest`; the result must stay an object.
    private static func writeObject(
        _ object: JSONObject, rest: ArraySlice<FieldReference.Component>, _ value: JSONValue?, _ reference: FieldReference
    ) throws(LogicError) -> JSONObject {
        let written = try apply(value, to: .object(object), at: rest, reference)
        guard case .object(let result) = written else {
            throw LogicError(.unwritableField, "\(reference) must be an object, not \(written.kindName)")
        }
        return result
    }

    /// `whole` with `value` written at `rest`, or with what is at `rest` removed when `value` is nil.
    private static func apply(
        _ value: JSONValue?, to whole: JSONValue, at rest: ArraySlice<FieldReference.Component>, _ reference: FieldReference
    ) throws(LogicError) -> JSONValue {
        if let value { return try whole.setting(value, at: rest, reference: reference) }
        return whole.removing(at: rest)
    }

    private static func strings(_ elements: [JSONValue]) -> [String]? {
        var result: [String] = []
        for element in elements {
            guard let text = element.stringValue else { return nil }
            result.append(text)
        }
        return result
    }
}

/// `value` as an integer when it is a finite double with no fraction in `Int64`'s range.
func exactInteger(_ value: Double?) -> Int64? {
    guard let value, value.isFinite, value == value.rounded(), abs(value) < 9.2e18 else { return nil }
    return Int64(value)
}
