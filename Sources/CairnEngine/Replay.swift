import CairnLog
import CairnStore
import Logging

/// Rebuilds every projection from offset 0 into a fresh store generation, then switches to it.
///
/// The rebuild writes with deferred syncs (a rebuild can be redone, so it need not be durable
/// commit by commit) and syncs once at the end. Its changes go to a scratch change log that is
/// deleted afterwards: with the same log and configuration the rebuilt projections equal the live
/// ones, so there is nothing to tell subscribers. The new generation is made current by an atomic
/// rename; the old one is removed. Nothing may have the projections open meanwhile.
public enum Replay {
    /// Rebuilds from `eventLog`; `progress` sees (applied, end) after each batch. Returns the new
    /// projections' digest.
    public static func rebuild(dataPath: String, eventLog: DurableLog, liveChangeLog: DurableLog,
                               configuration: EngineConfiguration = EngineConfiguration(),
                               logger: Logger = Logger(label: "cairn.replay"),
                               progress: @Sendable (UInt64, UInt64) -> Void = { _, _ in }) async throws -> String {
        let generations = ProjectionGenerations(root: dataPath + "/projections")
        let current = try generations.current()
        let next = current.number + 1
        try generations.remove(next)  // a leftover of an interrupted replay
        var storeConfiguration = StoreConfiguration()
        storeConfiguration.sync = .deferred
        let store = try StoreEnvironment(path: generations.path(next), configuration: storeConfiguration, logger: logger)
        let scratch: DurableLog
        do {
            var logConfiguration = LogConfiguration()
            logConfiguration.fsync = .none
            scratch = try await DurableLog.open(directory: generations.path(next) + ".changes", configuration: logConfiguration, logger: logger)
        } catch {
            try? await store.close()
            throw error
        }
        let digest: String
        do {
            let projector = try await Projector.open(eventLog: eventLog, changeLog: scratch, store: store, configuration: configuration, logger: logger)
            let end = eventLog.endOffset
            var applied = try projector.appliedOffset()
            while applied < end {
                applied = try await projector.applyOneBatch()
                progress(applied, end)
            }
            // Continue the live change log from where it is.
            try await projector.adopt(changeLogEnd: liveChangeLog.endOffset)
            try await store.sync()
            digest = try await ProjectionDigest.compute(store)
            try await store.close()
            try await scratch.close()
        } catch {
            try? await store.close()
            try? await scratch.close()
            throw error
        }
        try generations.switchTo(next)
        try generations.remove(current.number)
        return digest
    }
}
