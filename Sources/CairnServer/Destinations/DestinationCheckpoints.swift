import CairnStore
import Logging

/// Where a destination is in the change log, as stored in `destination_checkpoints`.
///
/// Value layout (18 bytes): format version `1` (1 byte), flags (1 byte; bit 0: deleted), `next`
/// (8 bytes big-endian), `definitionOffset` (8 bytes big-endian).
struct DestinationCheckpoint: StoreCodec, Sendable, Equatable {
    static let version: UInt8 = 1
    static let byteCount = 18

    /// The change-log offset of the first change not yet dispatched: every change before it was
    /// delivered, dead-lettered or passed over.
    var next: UInt64
    /// The event-log offset of the destination's configuration record in force at `next` (the
    /// version its condition, mapping and state come from).
    var definitionOffset: UInt64
    /// Whether that record deleted the destination.
    var deleted: Bool

    func encode(into bytes: inout [UInt8]) {
        bytes.append(Self.version)
        bytes.append(deleted ? 1 : 0)
        next.encode(into: &bytes)
        definitionOffset.encode(into: &bytes)
    }

    static func decode(from buffer: UnsafeRawBufferPointer) throws -> DestinationCheckpoint {
        guard buffer.count == byteCount, buffer[0] == version, buffer[1] & ~1 == 0 else {
            throw StoreError(.corrupted, "destination_checkpoints: a value of \(buffer.count) bytes is not a checkpoint of format \(version)")
        }
        return DestinationCheckpoint(next: try UInt64.decode(from: UnsafeRawBufferPointer(rebasing: buffer[2..<10])),
                                     definitionOffset: try UInt64.decode(from: UnsafeRawBufferPointer(rebasing: buffer[10..<18])),
                                     deleted: buffer[1] & 1 == 1)
    }
}

/// The dispatcher's own LMDB environment, `DATA/destinations/`, apart from the projections: a
/// replay builds a new projection generation, but the change log it leaves is the same, and so
/// are the positions in it.
///
/// | table | key | value |
/// |---|---|---|
/// | `destination_checkpoints` | destination id | ``DestinationCheckpoint`` |
/// | `destination_meta` | `discovered` | the change-log offset up to which the dispatcher looked for new destinations |
///
/// Every write goes through `StoreEnvironment.write` (one writer thread, fsync per commit).
final class DestinationCheckpoints: Sendable {
    static let discoveredKey = "discovered"

    private let store: StoreEnvironment
    private let checkpoints: Table<String, DestinationCheckpoint>
    private let meta: Table<String, UInt64>

    private init(store: StoreEnvironment, checkpoints: Table<String, DestinationCheckpoint>, meta: Table<String, UInt64>) {
        self.store = store
        self.checkpoints = checkpoints
        self.meta = meta
    }

    /// Opens (creating if needed) the environment at `path`.
    static func open(path: String, logger: Logger) async throws -> DestinationCheckpoints {
        var configuration = StoreConfiguration()
        configuration.mapSizeBytes = 1 << 20
        configuration.tablesMax = 4
        let settled = configuration
        let store = try await onDispatch { try StoreEnvironment(path: path, configuration: settled, logger: logger) }
        do {
            return DestinationCheckpoints(store: store, checkpoints: try await store.openTable("destination_checkpoints"),
                                          meta: try await store.openTable("destination_meta"))
        } catch {
            try? await store.close()
            throw error
        }
    }

    /// Every checkpoint, by destination id, and the discovery offset (0 before the first run).
    func load() throws -> (checkpoints: [(id: String, checkpoint: DestinationCheckpoint)], discovered: UInt64) {
        try store.read { txn in
            (try txn.entries(checkpoints).map { ($0.key, $0.value) }, try txn.get(meta, Self.discoveredKey) ?? 0)
        }
    }

    func checkpoint(_ id: String) throws -> DestinationCheckpoint? {
        try store.read { try $0.get(checkpoints, id) }
    }

    /// Stores `checkpoint` for destination `id`.
    func save(_ id: String, _ checkpoint: DestinationCheckpoint) async throws {
        try await store.write { [checkpoints] txn in try txn.put(checkpoints, id, checkpoint) }
    }

    /// Stores the checkpoints of newly found destinations and how far discovery looked, together.
    func saveDiscovery(_ found: [(id: String, checkpoint: DestinationCheckpoint)], discovered: UInt64) async throws {
        try await store.write { [checkpoints, meta] txn in
            for (id, checkpoint) in found { try txn.put(checkpoints, id, checkpoint) }
            try txn.put(meta, Self.discoveredKey, discovered)
        }
    }

    /// Removes the checkpoints of `ids` (deleted destinations no change can bring back unseen).
    func remove(_ ids: [String]) async throws {
        try await store.write { [checkpoints] txn in
            for id in ids { _ = try txn.delete(checkpoints, id) }
        }
    }

    func close() async throws {
        try await store.close()
    }
}
