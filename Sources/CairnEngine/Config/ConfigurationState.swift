/// The current configuration: the fold of the log's configuration records, in log order.
///
/// Pure: it reads no clock and draws no random number; times and offsets come from the records.
/// Each record must follow the one before it for the same object (the next version; a creation
/// only of an absent object, other actions only of a present one), else the fold stops with
/// `invalidRecord` naming the offset, since the log is then not one this code wrote.
public struct ConfigurationState: Sendable, Equatable {
    /// One current object with the version that made it.
    public struct Entry: Sendable, Equatable {
        public let object: ConfigurationObject
        public let version: UInt64
        public let action: ConfigurationRecord.Action
        public let author: String
        /// The log offset and timestamp (microseconds since the epoch) of its record; the
        /// timestamp is 0 for a record this process appended, until the state is loaded again.
        public let offset: UInt64
        public let timestampMicros: Int64
    }

    private var current: [ConfigurationKey: Entry] = [:]
    /// The last version of every object ever recorded, deleted ones included.
    private var versions: [ConfigurationKey: UInt64] = [:]
    /// Records folded so far.
    public private(set) var recordCount = 0

    public init() {}

    /// Folds one record into the state.
    ///
    /// - Throws: ``ConfigurationError`` `invalidRecord` when the record does not follow the state.
    public mutating func apply(_ record: ConfigurationRecord, offset: UInt64, timestampMicros: Int64) throws(ConfigurationError) {
        let key = record.key
        func refuse(_ message: String) -> ConfigurationError {
            ConfigurationError(.invalidRecord, kind: key.kind, id: key.id, "configuration record at offset \(offset): \(message)")
        }
        let expected = nextVersion(of: key)
        guard record.version == expected else { throw refuse("version \(record.version) where \(expected) was expected") }
        let exists = current[key] != nil
        switch record.action {
        case .create: guard !exists else { throw refuse("creates an object that exists") }
        case .update, .delete: guard exists else { throw refuse("\(record.action.rawValue)s an object that does not exist") }
        case .enable, .disable:
            guard exists else { throw refuse("\(record.action.rawValue)s an object that does not exist") }
            guard record.object?.enabled == (record.action == .enable) else { throw refuse("\(record.action.rawValue) record whose object is not \(record.action.rawValue)d") }
        }
        versions[key] = record.version
        recordCount += 1
        if let object = record.object {
            current[key] = Entry(object: object, version: record.version, action: record.action, author: record.author,
                                 offset: offset, timestampMicros: timestampMicros)
        } else {
            current[key] = nil
        }
    }

    /// The version the next record of `key` must carry.
    public func nextVersion(of key: ConfigurationKey) -> UInt64 {
        (versions[key] ?? 0) + 1
    }

    public func entry(_ key: ConfigurationKey) -> Entry? { current[key] }

    public func object(_ key: ConfigurationKey) -> ConfigurationObject? { current[key]?.object }

    /// The current objects of `kind` (all kinds when nil), ordered by kind, then id.
    public func entries(of kind: ConfigurationKind? = nil) -> [Entry] {
        current.keys.filter { kind == nil || $0.kind == kind }.sorted().map { current[$0]! }
    }

    /// Every current object, ordered by kind, then id.
    public var objects: [ConfigurationObject] { entries().map(\.object) }

    public var count: Int { current.count }

    /// The current objects with a field naming `key`.
    public func referrers(to key: ConfigurationKey) -> [(key: ConfigurationKey, field: String)] {
        entries().flatMap { entry in
            entry.object.references.filter { $0.target == key }.map { (entry.object.key, $0.field) }
        }
    }

    /// Throws for the first reference of `object` to an object absent from this state.
    ///
    /// - Throws: ``ConfigurationError`` `invalidReference` naming the object and the field.
    public func checkReferences(of object: ConfigurationObject) throws(ConfigurationError) {
        for reference in object.references where current[reference.target] == nil {
            throw ConfigurationError(.invalidReference, kind: object.kind, id: object.id, field: reference.field,
                                     "names \(reference.target.kind.rawValue) \(quoted(reference.target.id)), which does not exist")
        }
    }
}
