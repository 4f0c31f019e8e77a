import AsyncHTTPClient
import CairnEngine
import CairnLog
import Foundation
import Logging
import ServiceLifecycle
import Synchronization

/// Delivers changes to destinations, at least once, while the server runs (docs/destinations.md).
///
/// A service beside the projection service. Each destination has a worker of its own
/// (``DestinationWorker``), a child task that reads the change log from the destination's
/// checkpoint and delivers what the destination fires on, in change-log order, one at a time: a
/// slow or failing destination holds up no other. A discovery task reads the change log for
/// configuration changes: a destination created starts a worker at its creation's position;
/// resource changes update the resources deliveries use. Changes to a destination itself
/// (disabled, changed, deleted) are read by its worker where they sit in the change log.
///
/// What `run()` owns, opened at its start and closed at its end: the checkpoints
/// (`DATA/destinations/`, LMDB), the destination dead-letter log (`DATA/destination-deadletter/`)
/// and an HTTP client. On graceful shutdown every worker is cancelled (an attempt in flight is
/// abandoned and made again after the next start: at least once), then these are closed.
public final class DestinationDispatcher: Service, Sendable {
    /// Change records discovery reads at once.
    static let discoveryRecordsMax = 10_000
    /// How far discovery may look past its stored offset before storing it again, when it found
    /// nothing (looking again after a restart is harmless).
    static let discoverySaveIntervalRecords: UInt64 = 100_000

    let data: DataDirectory
    let configuration: ConfigurationStore
    let settings: DestinationSettings
    let testMode: Bool
    let logger: Logger

    /// `configuration` gives the resources at start; `testMode` picks the resources' test credentials.
    public init(data: DataDirectory, configuration: ConfigurationStore, settings: DestinationSettings, testMode: Bool, logger: Logger) {
        self.data = data
        self.configuration = configuration
        self.settings = settings
        self.testMode = testMode
        self.logger = logger
    }

    /// The checkpoints' environment in a data directory.
    public static func checkpointDirectory(dataDirectory: String) -> String { dataDirectory + "/destinations" }

    public func run() async throws {
        let checkpoints = try await DestinationCheckpoints.open(path: Self.checkpointDirectory(dataDirectory: data.path), logger: logger)
        let deadLetters: DurableLog
        do {
            deadLetters = try await DurableLog.open(directory: DestinationDeadLetter.directory(dataDirectory: data.path), logger: logger)
        } catch {
            try? await checkpoints.close()
            throw error
        }
        var configuration = HTTPClient.Configuration()
        configuration.redirectConfiguration = .disallow
        let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        var failure: (any Error)?
        do {
            let session = try await Session(dispatcher: self, checkpoints: checkpoints, deadLetters: deadLetters, client: client)
            try await cancelWhenGracefulShutdown { try await session.run() }
        } catch is CancellationError {
        } catch {
            failure = error
        }
        do { try await client.shutdown() } catch { failure = failure ?? error }
        do { try await deadLetters.close() } catch { failure = failure ?? error }
        do { try await checkpoints.close() } catch { failure = failure ?? error }
        if let failure { throw failure }
    }

    /// What one `run()` works with.
    final class Session: Sendable {
        let dispatcher: DestinationDispatcher
        let checkpoints: DestinationCheckpoints
        let deadLetters: DurableLog
        let resources: ResourceDirectory
        let transport: any DestinationTransport
        let queries: ProfileQueries
        /// The destinations with a worker in this process.
        let running = Mutex<Set<String>>([])

        init(dispatcher: DestinationDispatcher, checkpoints: DestinationCheckpoints, deadLetters: DurableLog, client: HTTPClient) async throws {
            self.dispatcher = dispatcher
            self.checkpoints = checkpoints
            self.deadLetters = deadLetters
            let resources = ResourceDirectory(try await dispatcher.configuration.state())
            self.resources = resources
            let path = dispatcher.data.path
            let environment = dispatcher.settings.environment
            self.transport = WebhookTransport(client: client, resources: resources, testMode: dispatcher.testMode,
                                              requestTimeout: dispatcher.settings.requestTimeout) {
                try SecretKey.load(dataDirectory: path, environment: environment ?? ProcessInfo.processInfo.environment)
            }
            self.queries = try await ProfileQueries.open(dispatcher.data.store)
        }

        func run() async throws {
            let (stored, discovered) = try checkpoints.load()
            // A deleted destination's checkpoint at or past the discovery offset is done with: a
            // later re-creation is still ahead of discovery, which starts a worker for it then.
            let finished = stored.filter { $0.checkpoint.deleted && $0.checkpoint.next >= discovered }.map(\.id)
            if !finished.isEmpty { try await checkpoints.remove(finished) }
            let starting = stored.filter { !($0.checkpoint.deleted && $0.checkpoint.next >= discovered) }
            running.withLock { $0 = Set(starting.map(\.id)) }
            // Bounded by use: one element per destination discovery finds, taken at once below.
            let (starts, continuation) = AsyncStream.makeStream(of: (id: String, checkpoint: DestinationCheckpoint).self)
            await withDiscardingTaskGroup { group in
                group.addTask {
                    defer { continuation.finish() }
                    await self.discover(from: discovered, starting: continuation)
                }
                for (id, checkpoint) in starting {
                    group.addTask { await self.worker(id).run(from: checkpoint) }
                }
                for await (id, checkpoint) in starts {
                    group.addTask { await self.worker(id).run(from: checkpoint) }
                }
            }
        }

        func worker(_ id: String) -> DestinationWorker {
            DestinationWorker(id: id, data: dispatcher.data, checkpoints: checkpoints, deadLetters: deadLetters, transport: transport,
                              queries: queries, schedule: dispatcher.settings.retrySchedule,
                              logger: dispatcher.logger)
        }

        /// Reads the change log for destination and resource changes until cancelled; a failure
        /// is logged and reading starts again after a pause.
        func discover(from start: UInt64, starting: AsyncStream<(id: String, checkpoint: DestinationCheckpoint)>.Continuation) async {
            var discovered = start
            var failures = 0
            while !Task.isCancelled {
                do {
                    try await discoverLoop(&discovered, starting: starting)
                    return
                } catch {
                    if Task.isCancelled || error is CancellationError { return }
                    failures += 1
                    dispatcher.logger.error("destination discovery failed; starting again", metadata: ["error": "\(error)"])
                    do { try await Task.sleep(for: min(Duration.seconds(1) * (1 << min(failures - 1, 6)), .seconds(60))) } catch { return }
                }
            }
        }

        private func discoverLoop(_ discovered: inout UInt64, starting: AsyncStream<(id: String, checkpoint: DestinationCheckpoint)>.Continuation) async throws {
            let readers = ChangeLogReaders(data: dispatcher.data)
            var saved = discovered
            while true {
                try Task.checkCancellation()
                let (found, end) = try await readers.configurationChanges(from: discovered, recordsMax: DestinationDispatcher.discoveryRecordsMax)
                if end == discovered {
                    _ = try await dispatcher.data.changeLog.waitForEnd(beyond: end)
                    continue
                }
                var new: [(id: String, checkpoint: DestinationCheckpoint)] = []
                for (entry, record) in found {
                    switch record.key.kind {
                    case .resource:
                        resources.apply(record)
                    case .destination where record.action != .delete:
                        // A destination with a worker reads its own changes; any other one is new
                        // here (or new to the dispatcher) and starts at this position.
                        let id = record.key.id
                        if running.withLock({ $0.insert(id).inserted }) {
                            new.append((id, DestinationCheckpoint(next: entry.changeOffset, definitionOffset: entry.change.offset, deleted: false)))
                        }
                    default:
                        break
                    }
                }
                if !new.isEmpty || end - saved >= DestinationDispatcher.discoverySaveIntervalRecords {
                    do {
                        try await checkpoints.saveDiscovery(new, discovered: end)
                    } catch {
                        // Not stored, so not started: they are found again when discovery resumes.
                        running.withLock { running in for start in new { running.remove(start.id) } }
                        throw error
                    }
                    saved = end
                }
                discovered = end
                for start in new {
                    dispatcher.logger.info("destination \(start.id) found; delivering from change \(start.checkpoint.next)")
                    starting.yield(start)
                }
            }
        }
    }
}
