import CairnEngine
import CairnLog
import CairnModel
import Hummingbird

/// `/config/{kind}[/{id}[/enable|/disable]]` and `/config/history`: the configuration objects as
/// in configuration files (docs/configuration.md), resources always masked. Changes go through
/// the store ingest reads, validated with ``StandardChecks``, recorded with the token's name as
/// author.
extension AdminEndpoints {
    /// Event-log records a history page reads at most (see docs/api.md).
    static let historyScanRecordsMax = 100_000

    func objects(_ request: Request, _ context: BasicRequestContext) async throws -> Response {
        let kind = try Self.kind(context)
        let limit = try AdminParameters.limit(request)
        let after = AdminParameters.text("after", request)
        let entries = try await configuration.state().entries(of: kind)
        // Entries come in id order (UTF-8 bytes); the page starts after the cursor.
        let rest = after.map { after in entries.filter { after.utf8.lexicographicallyPrecedes($0.object.id.utf8) } } ?? entries
        let page = rest.prefix(limit)
        return Reply.json([
            "kind": .string(kind.rawValue),
            "objects": .array(page.map(Self.entryJSON)),
            "next": rest.count > limit ? page.last.map { .string($0.object.id) } ?? .null : .null,
        ])
    }

    func object(_ request: Request, _ context: BasicRequestContext) async throws -> Response {
        let key = try Self.key(context)
        guard let entry = try await configuration.state().entry(key) else { throw Self.notFound(key) }
        return Reply.json(Self.entryJSON(entry))
    }

    /// Creates or replaces the object; 201 when it was created.
    func put(_ request: Request, _ context: BasicRequestContext, _ token: AccessToken) async throws -> Response {
        let key = try Self.key(context)
        try requireDestinationsPermission(key.kind, token)
        guard case .object(var fields) = try json(try await body(request, limit: settings.bodyBytesMax)) else {
            throw APIError(.unprocessableContent, "the body must be a JSON object: the \(key.kind.rawValue) as in a configuration file")
        }
        for (field, expected) in [("kind", key.kind.rawValue), ("id", key.id)] {
            if let given = fields[field], given != .string(expected) {
                throw APIError(.unprocessableContent, "\(field): the body says \(given), the path \(expected); leave it out or make them agree")
            }
            fields[field] = .string(expected)
        }
        if key.kind == .resource { fields = try await sealingCredentials(fields, key: key) }
        let object: ConfigurationObject
        do throws(ConfigurationError) { object = try ConfigurationObject(json: fields) } catch { throw Self.problem(error) }
        guard object.key == key else {
            throw APIError(.unprocessableContent, "\(key.kind.rawValue) '\(object.id)': its id is not the path's '\(key.id)'")
        }
        return try await commit(.put(object), token: token)
    }

    func delete(_ request: Request, _ context: BasicRequestContext, _ token: AccessToken) async throws -> Response {
        let key = try Self.key(context)
        try requireDestinationsPermission(key.kind, token)
        return try await commit(.delete(key), token: token)
    }

    func setEnabled(_ enabled: Bool, _ request: Request, _ context: BasicRequestContext, _ token: AccessToken) async throws -> Response {
        let key = try Self.key(context)
        try requireDestinationsPermission(key.kind, token)
        return try await commit(.setEnabled(key, enabled), token: token)
    }

    /// `GET /config/history?from=OFFSET&limit=N`: the configuration records of the event log
    /// from `from`, oldest first. A page reads at most ``historyScanRecordsMax`` records (events
    /// included), so it may hold fewer than `limit` changes; `next` is where the next page starts
    /// and `end` whether this one reached the log's end.
    func history(_ request: Request) async throws -> Response {
        let from = try AdminParameters.offset("from", request) ?? 0
        let limit = try AdminParameters.limit(request)
        let log = data.eventLog
        let (entries, next) = try await offPool { () -> ([JSONValue], UInt64) in
            let reader = log.makeReader()
            defer { reader.close() }
            var entries: [JSONValue] = []
            var read = 0
            var next = from
            try reader.scan(from: from) { view in
                guard entries.count < limit, read < Self.historyScanRecordsMax else { return false }
                read += 1
                next = view.offset + 1
                guard view.kind == RecordKind.configuration else { return true }
                let record = try ConfigurationRecord(payload: Array(view.payload))
                entries.append([
                    "offset": .integer(Int64(view.offset)), "time": .string(ClientTime.iso8601(micros: view.timestamp)),
                    "kind": .string(record.key.kind.rawValue), "id": .string(record.key.id), "version": .integer(Int64(record.version)),
                    "action": .string(record.action.rawValue), "author": .string(record.author),
                    "object": record.object.map { .object($0.maskedJSON) } ?? .null,
                ])
                return true
            }
            return (entries, next)
        }
        return Reply.json(["history": .array(entries), "next": .integer(Int64(next)), "end": .bool(next >= log.endOffset)])
    }

    // MARK: Shared

    /// Commits one change with the token's name as author; replies with the record's version and
    /// action (`unchanged` and the current version when there was nothing to change).
    private func commit(_ change: ConfigurationChange, token: AccessToken) async throws -> Response {
        let records: [ConfigurationRecord]
        do {
            records = try await configuration.commit([change], author: token.name, checks: StandardChecks(), key: secretKey)
        } catch let error as ConfigurationError {
            if case .delete = change { throw Self.problem(error, deleting: true) }
            throw Self.problem(error)
        }
        let key = change.key
        guard let record = records.last else {
            let version = try await configuration.state().entry(key)?.version ?? 0
            return Reply.json(["kind": .string(key.kind.rawValue), "id": .string(key.id), "version": .integer(Int64(version)), "action": "unchanged"])
        }
        return Reply.json(["kind": .string(key.kind.rawValue), "id": .string(key.id), "version": .integer(Int64(record.version)),
                           "action": .string(record.action.rawValue)],
                          status: record.action == .create ? .created : .ok)
    }

    /// A resource's JSON with the credentials given in clear sealed with the secret key, and a
    /// slot given in its masked form (`"<sealed: n bytes>"`, as a GET shows it) replaced by the
    /// stored credentials, so that a resource read, edited and put back keeps them.
    private func sealingCredentials(_ fields: JSONObject, key: ConfigurationKey) async throws -> JSONObject {
        guard case .object(var slots)? = fields["credentials"] else { return fields }
        var stored: Resource?
        for slot in [SealedCredentials.Slot.production, .test] {
            switch slots[slot.rawValue] {
            case .object(let plaintext)?:
                do throws(ConfigurationError) {
                    slots[slot.rawValue] = .string(try SealedCredentials.seal(plaintext, key: try secretKey(), resourceID: key.id, slot: slot).text)
                } catch {
                    throw Self.problem(error)
                }
            case .string(let text)? where text.hasPrefix("<sealed"):
                if stored == nil, case .resource(let resource)? = try await configuration.state().object(key) { stored = resource }
                guard let sealed = stored?.sealed(slot) else {
                    throw APIError(.unprocessableContent, "credentials.\(slot.rawValue): '\(text)' stands for stored credentials and there are none; give the credentials as an object")
                }
                slots[slot.rawValue] = .string(sealed.text)
            default:
                continue
            }
        }
        var result = fields
        result["credentials"] = .object(slots)
        return result
    }

    /// Destinations and the resources they use also need `manageDestinations` to be changed.
    private func requireDestinationsPermission(_ kind: ConfigurationKind, _ token: AccessToken) throws {
        guard kind == .destination || kind == .resource, !token.role.allows(.manageDestinations) else { return }
        throw APIError(.forbidden, "the token '\(token.name)' has the role \(token.role.rawValue), which lacks the permission \(Permission.manageDestinations.rawValue)")
    }

    static func entryJSON(_ entry: ConfigurationState.Entry) -> JSONValue {
        [
            "kind": .string(entry.object.kind.rawValue), "id": .string(entry.object.id), "version": .integer(Int64(entry.version)),
            "action": .string(entry.action.rawValue), "author": .string(entry.author), "offset": .integer(Int64(entry.offset)),
            "object": .object(entry.object.maskedJSON),
        ]
    }

    static func kind(_ context: BasicRequestContext) throws -> ConfigurationKind {
        let name = try AdminParameters.path("kind", context)
        guard let kind = ConfigurationKind(rawValue: name) else {
            throw APIError(.notFound, "no configuration kind '\(name)'; one of \(ConfigurationKind.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return kind
    }

    static func key(_ context: BasicRequestContext) throws -> ConfigurationKey {
        ConfigurationKey(try kind(context), try AdminParameters.path("id", context))
    }

    static func notFound(_ key: ConfigurationKey) -> APIError {
        APIError(.notFound, "no \(key.kind.rawValue) '\(key.id)'")
    }

    /// The reply for a configuration error: 422 for an invalid object or reference, 404 for a
    /// missing object, 409 for a conflict, a deletion of an object others name, or a missing
    /// secret key, 500 for a broken key or store.
    static func problem(_ error: ConfigurationError, deleting: Bool = false) -> APIError {
        let status: HTTPResponse.Status = switch error.code {
        case .invalidObject, .decryptionFailed: .unprocessableContent
        case .invalidReference: deleting ? .conflict : .unprocessableContent
        case .notFound: .notFound
        case .conflict, .missingKey: .conflict
        default: .internalServerError
        }
        return APIError(status, error.description)
    }
}
