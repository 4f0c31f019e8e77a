import CairnLog
import CairnStore
import Logging

/// Rebuilds every projection from offset 0 into a fresh store generation, then switches to it.
///
/// The rebuild writes with deferred syncs (a rebuild can be redone, so it need not be durable
/// commit by commit) and syncs once at the end. It computes no changes: with the same log and
/// configuration the rebuilt projections equal the live ones, so there is nothing to tell
/// subscribers, and the live change log continues from where it is. It applies at least
/// `rebuildEventsPerBatch` events per transaction (the result does not depend on batch sizes).
/// The new generation is made current by an atomic rename; the old one is removed. Nothing may
/// have the projections open meanwhile.
public enum Replay {
    /// Events per transaction during a rebuild, unless the configuration asks for more.
    public static let rebuildEventsPerBatch = 10_000

    /// Rebuilds from `eventLog`; `progress` sees (applied, end) after each batch. Returns the new
    /// projections' digest.
    public static func rebuild(dataPath: String, eventLog: DurableLog, liveChangeLog: DurableLog,
                               configuration: EngineConfiguration = EngineConfiguration(),
                               logger: Logger = Logger(label: "cairn.replay"),
                               progress: (UInt64, UInt64) -> Void = { _, _ in }) async throws -> String {
        let generations = ProjectionGenerations(root: dataPath + "/projections")
        let current = try generations.current()
        let next = current.number + 1
        try generations.remove(next)  // a leftover of an interrupted replay
        var storeConfiguration = StoreConfiguration()
        storeConfiguration.sync = .deferred
        let store = try StoreEnvironment(path: generations.path(next), configuration: storeConfiguration, logger: logger)
        var rebuilding = configuration
        rebuilding.eventsPerBatchMax = max(configuration.eventsPerBatchMax, rebuildEventsPerBatch)
        let digest: String
        do {
            let projector = try await Projector.openRebuilding(eventLog: eventLog, changeLog: liveChangeLog, store: store,
                                                               configuration: rebuilding,
                                                               ephemeralKeys: EphemeralKeys(directory: DataDirectory.ephemeralKeysPath(dataPath)), logger: logger)
            try await projector.catchUp(progress: progress)
            try await projector.adopt(changeLogEnd: liveChangeLog.endOffset)
            try await store.sync()
            digest = try await ProjectionDigest.compute(store)
            try await store.close()
        } catch {
            try? await store.close()
            throw error
        }
        try generations.switchTo(next)
        try generations.remove(current.number)
        return digest
    }
}
