import Glibc

/// How a store is opened. Every knob has a limit; `validate()` names any value out of range.
public struct StoreConfiguration: Sendable, Equatable {
    /// When a committed write transaction is on disk.
    public enum SyncPolicy: Sendable, Equatable, CustomStringConvertible {
        /// Every commit calls fsync before `write` returns: a committed transaction survives power
        /// loss. The default, and the only policy for data that cannot be rebuilt.
        case always
        /// Commits do not sync (`MDB_NOSYNC`); `StoreEnvironment.sync()` and `close()` do. For a
        /// rebuild that writes fast and syncs once at the end. An application crash loses nothing,
        /// but an OS crash or power loss may lose recent commits or, per LMDB, damage the file:
        /// use it only for data that can be rebuilt (a projection of the log), and rebuild after a
        /// crash that interrupted it.
        case deferred

        public var description: String {
            switch self {
            case .always: return "always"
            case .deferred: return "deferred"
            }
        }
    }

    /// The durability of commits. No silent default in the sense that matters: `.always`.
    public var sync: SyncPolicy = .always
    /// The initial size of the memory map, which bounds the data file. A multiple of the OS page
    /// size. On reopen the store keeps the larger of this and the size it last grew to.
    public var mapSizeBytes: Int = 64 << 20
    /// The map doubles (from `mapSizeBytes`) when a write transaction finds it full, up to this
    /// size; beyond it `write` throws `StoreError.mapFull`. A multiple of the OS page size.
    public var mapSizeMaxBytes: Int = 64 << 30
    /// Reader slots in LMDB's lock table: read transactions that may be open at once
    /// (`mdb_env_set_maxreaders`). Beyond it `read` throws `StoreError.readersFull`.
    public var readersMax: Int = 126
    /// Named tables the environment may hold (`mdb_env_set_maxdbs`).
    public var tablesMax: Int = 32

    public init() {}

    /// Limits of the knobs above.
    static let mapSizeBytesMin = 64 << 10
    static let mapSizeBytesLimit = 1 << 44
    static let readersLimit = 4096
    static let tablesLimit = 1024

    /// Throws `StoreError.invalidConfiguration` naming the first value out of range.
    public func validate() throws {
        func check(_ ok: Bool, _ what: String) throws {
            if !ok { throw StoreError(.invalidConfiguration, what) }
        }
        let page = Self.pageBytes
        try check(mapSizeBytes >= Self.mapSizeBytesMin && mapSizeBytes <= Self.mapSizeBytesLimit,
                  "mapSizeBytes \(mapSizeBytes) is outside 64 KiB...16 TiB")
        try check(mapSizeBytes % page == 0, "mapSizeBytes \(mapSizeBytes) is not a multiple of the page size \(page)")
        try check(mapSizeMaxBytes >= mapSizeBytes && mapSizeMaxBytes <= Self.mapSizeBytesLimit,
                  "mapSizeMaxBytes \(mapSizeMaxBytes) is outside mapSizeBytes (\(mapSizeBytes))...16 TiB")
        try check(mapSizeMaxBytes % page == 0, "mapSizeMaxBytes \(mapSizeMaxBytes) is not a multiple of the page size \(page)")
        try check(readersMax >= 1 && readersMax <= Self.readersLimit, "readersMax \(readersMax) is outside 1...\(Self.readersLimit)")
        try check(tablesMax >= 1 && tablesMax <= Self.tablesLimit, "tablesMax \(tablesMax) is outside 1...\(Self.tablesLimit)")
    }

    /// The OS page size, which LMDB uses as its page size.
    static let pageBytes: Int = Int(sysconf(Int32(_SC_PAGESIZE)))

    /// The next map size after `current` filled up: double, capped at the maximum and rounded down
    /// to whole pages; nil when the map is already at the maximum. Pure, for the writer's growth.
    static func grownMapSize(from current: Int, max: Int, pageBytes: Int) -> Int? {
        guard current < max else { return nil }
        let (doubled, overflow) = current.multipliedReportingOverflow(by: 2)
        let next = overflow ? max : Swift.min(doubled, max)
        let rounded = next - next % pageBytes
        return rounded > current ? rounded : nil
    }
}
