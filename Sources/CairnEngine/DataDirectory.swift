import CairnLog
import CairnStore
import Logging

/// Cairn's data directory: the event log in `events/`, the change log in `changes/`, the
/// dead-letter log in `deadletter/` (events the ingest gate refused, see docs/ingest.md), the
/// projections (LMDB) in `projections/<generation>/`, where the file `projections/CURRENT` names
/// the generation in use (a replay builds the next one and switches by replacing that file), and
/// the event emitter's cursor in `emitter.cursor`.
/// Opens and closes them together, lowest layer first.
public final class DataDirectory: Sendable {
    public let path: String
    public let eventLog: DurableLog
    public let changeLog: DurableLog
    public let deadLetterLog: DurableLog
    public let store: StoreEnvironment

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
            let store = try StoreEnvironment(path: generation.path, configuration: storeConfiguration, logger: logger)
            return DataDirectory(path: path, eventLog: eventLog, changeLog: changeLog, deadLetterLog: deadLetterLog, store: store)
        } catch {
            try? await deadLetterLog.close()
            try? await changeLog.close()
            try? await eventLog.close()
            throw error
        }
    }

    private init(path: String, eventLog: DurableLog, changeLog: DurableLog, deadLetterLog: DurableLog, store: StoreEnvironment) {
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
