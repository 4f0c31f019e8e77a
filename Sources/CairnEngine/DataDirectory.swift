import CairnLog
import CairnStore
import Logging

/// Cairn's data directory: the event log in `events/`, the change log in `changes/`, the
/// dead-letter log in `deadletter/` (events the ingest gate refused, see docs/ingest.md), the
/// projections (LMDB) in `projections/<generation>/`, where the file `projections/CURRENT` names
/// the generation in use (a replay builds the next one and switches by replacing that file), the
/// event emitter's cursor in `emitter.cursor`, and the keys of events from ephemeral sources in
/// `ephemeral-keys/` (see docs/ephemeral.md).
/// Opens and closes them together, lowest layer first.
public final class DataDirectory: Sendable {
    public let path: String
    public let eventLog: DurableLog
    public let changeLog: DurableLog
    public let deadLetterLog: DurableLog
    public let store: StoreEnvironment
    /// The keys of events from ephemeral sources, in `ephemeral-keys/`.
    public let ephemeralKeys: EphemeralKeys

    static func ephemeralKeysPath(_ path: String) -> String { path + "/ephemeral-keys" }

    public static func open(_ path: String, logConfiguration: LogConfiguration = LogConfiguration(),
                            storeConfiguration: StoreConfiguration = StoreConfiguration(),
                            logger: Logger = Logger(label: "cairn")) async throws -> DataDirectory {
        let eventLog = try await DurableLog.open(directory: path + "/events", configuration: logConfiguration, logger: logger)
        let changeLog: DurableLog
        do {
            changeLog = try await DurableLog.open(directory: path + "/changes", configuration: logConfiguration, logger: logger)
        } catch {
            try? await eventLog.close()
            throw error
        }
        let deadLetterLog: DurableLog
        do {
            deadLetterLog = try await DurableLog.open(directory: path + "/deadletter", configuration: logConfiguration, logger: logger)
        } catch {
            try? await changeLog.close()
            try? await eventLog.close()
            throw error
        }
        do {
            let generation = try ProjectionGenerations(root: path + "/projections").current()
            // This process holds the event log: a key still in use was left by one that stopped.
            let keys = EphemeralKeys(directory: ephemeralKeysPath(path))
            try keys.retireLeftovers(end: eventLog.endOffset)
            let store = try StoreEnvironment(path: generation.path, configuration: storeConfiguration, logger: logger)
            return DataDirectory(path: path, eventLog: eventLog, changeLog: changeLog, deadLetterLog: deadLetterLog, store: store, ephemeralKeys: keys)
        } catch {
            try? await deadLetterLog.close()
            try? await changeLog.close()
            try? await eventLog.close()
            throw error
        }
    }

    private init(path: String, eventLog: DurableLog, changeLog: DurableLog, deadLetterLog: DurableLog, store: StoreEnvironment,
                 ephemeralKeys: EphemeralKeys) {
        self.ephemeralKeys = ephemeralKeys
        self.path = path
        self.eventLog = eventLog
        self.changeLog = changeLog
        self.deadLetterLog = deadLetterLog
        self.store = store
    }

    /// The cursor file of the ``EventEmitter``.
    public var emitterCursorPath: String { path + "/emitter.cursor" }

    /// Closes the projections, then the dead-letter log, the change log and the event log;
    /// throws the first error.
    public func close() async throws {
        var first: (any Error)?
        do { try await store.close() } catch { first = first ?? error }
        do { try await deadLetterLog.close() } catch { first = first ?? error }
        do { try await changeLog.close() } catch { first = first ?? error }
        do { try await eventLog.close() } catch { first = first ?? error }
        if let first { throw first }
    }
}
