/// A change a caller asks for; ``ConfigurationState/plan(_:author:checks:key:)`` turns a list of
/// them into the records to append.
public enum ConfigurationChange: Sendable, Equatable {
    /// Creates the object, or updates it when it differs from the current one; nothing when it
    /// equals it. What `config apply` asks for each object in its files.
    case put(ConfigurationObject)
    /// Creates the object; a conflict when it exists.
    case create(ConfigurationObject)
    /// Enables or disables an existing object; nothing when it is so already.
    case setEnabled(ConfigurationKey, Bool)
    /// Deletes an existing object; refused while another object names it.
    case delete(ConfigurationKey)

    public var key: ConfigurationKey {
        switch self {
        case .put(let object), .create(let object): object.key
        case .setEnabled(let key, _), .delete(let key): key
        }
    }
}

/// Checks of the parts of objects written in the logic module's languages: segment and
/// destination conditions, workflow graphs against the actions there are.
public protocol ConfigurationChecks: Sendable {
    /// - Throws: ``ConfigurationError`` `invalidObject` naming the object and the field.
    func check(_ object: ConfigurationObject) throws(ConfigurationError)
}

/// No checks beyond each object's own validation (for tests of the configuration layer alone).
public struct StructuralChecks: ConfigurationChecks {
    public init() {}
    public func check(_ object: ConfigurationObject) throws(ConfigurationError) {}
}

extension ConfigurationState {
    /// The records that make `changes`, in order, each object's version following the last.
    /// Pure; checks everything before returning, so that either every record is valid or none is
    /// returned: each object normalized and validated, then `checks`, the references of created
    /// and updated objects (to objects of this state or of the same plan), and that no deleted
    /// object is still named by another.
    ///
    /// A `put` whose object equals the current one gives no record; one that differs only in
    /// `enabled` gives an `enable` or `disable` record. Resources are compared after
    /// ``Resource/reconciled(with:key:)``; `key` is called only when credentials must be opened.
    ///
    /// - Throws: ``ConfigurationError``: `invalidObject`, `invalidReference`, `conflict` (a
    ///   creation of an existing object, or one object changed twice), `notFound`, and the key's
    ///   and credentials' errors.
    public func plan(_ changes: [ConfigurationChange], author: String = "", checks: some ConfigurationChecks,
                     key: () throws(ConfigurationError) -> SecretKey) throws(ConfigurationError) -> [ConfigurationRecord] {
        var next = self
        var records: [ConfigurationRecord] = []
        var touched: Set<ConfigurationKey> = []
        for change in changes {
            let objectKey = change.key
            guard touched.insert(objectKey).inserted else {
                throw ConfigurationError(.conflict, kind: objectKey.kind, id: objectKey.id, "is changed twice in one set of changes")
            }
            let existing = next.object(objectKey)
            var record: ConfigurationRecord?
            func make(_ action: ConfigurationRecord.Action, _ object: ConfigurationObject?) -> ConfigurationRecord {
                ConfigurationRecord(key: objectKey, version: next.nextVersion(of: objectKey), action: action, author: author, object: object)
            }
            switch change {
            case .put(let object), .create(let object):
                let normalized = try object.normalized()
                try checks.check(normalized)
                if case .create = change, existing != nil {
                    throw ConfigurationError(.conflict, kind: objectKey.kind, id: objectKey.id, "exists already")
                }
                let stored = try normalized.reconciled(with: existing, key: key)
                if var toggled = existing {
                    if toggled == stored { break }
                    toggled.enabled = stored.enabled
                    record = make(toggled == stored ? (stored.enabled ? .enable : .disable) : .update, stored)
                } else {
                    record = make(.create, stored)
                }
            case .setEnabled(_, let enabled):
                guard var object = existing else { throw ConfigurationError(.notFound, kind: objectKey.kind, id: objectKey.id, "does not exist") }
                if object.enabled == enabled { break }
                object.enabled = enabled
                record = make(enabled ? .enable : .disable, object)
            case .delete:
                guard existing != nil else { throw ConfigurationError(.notFound, kind: objectKey.kind, id: objectKey.id, "does not exist") }
                record = make(.delete, nil)
            }
            if let record {
                do { try next.apply(record, offset: 0, timestampMicros: 0) } catch {
                    preconditionFailure("a planned record does not follow the state: \(error)")
                }
                records.append(record)
            }
        }
        for record in records {
            if let object = record.object, record.action == .create || record.action == .update {
                try next.checkReferences(of: object)
            } else if record.action == .delete, let referrer = next.referrers(to: record.key).first {
                throw ConfigurationError(.invalidReference, kind: record.key.kind, id: record.key.id,
                                         "is named by \(referrer.key.kind.rawValue) \(quoted(referrer.key.id)) in its field \(referrer.field); change or delete that first")
            }
        }
        return records
    }
}
