import CairnEngine
import CairnLog
import CairnModel
import Logging
import ServiceLifecycle
import Synchronization

/// Runs the projector beside the server: applies events as they are appended, appends the events
/// workflows emit, records the effects of ephemeral events and shreds their keys; and lets request
/// handlers wait until their events are projected and collect the reply values (`response`, `ux`)
/// workflows requested for them.
public final class ProjectionService: Service, Sendable {
    let data: DataDirectory
    let projector: Projector
    private let emitter: EventEmitter
    private let applied: EndWaiters
    private let replies = Mutex(Replies())
    private let logger: Logger
    let metrics: ServerMetrics

    /// The reply values of recently projected events, by event offset. Bounded: the oldest go
    /// first, so a handler that waits too long finds none (and says so in its warnings).
    struct Replies {
        static let eventsMax = 100_000
        var byOffset: [UInt64: [JSONValue]] = [:]
        var order: [UInt64] = []
        var head = 0

        mutating func add(_ reply: ProjectedBatch.Reply) {
            if byOffset[reply.offset] == nil { order.append(reply.offset) }
            byOffset[reply.offset, default: []].append(reply.request)
            while order.count - head > Self.eventsMax {
                byOffset[order[head]] = nil
                head += 1
            }
            if head > Self.eventsMax { order.removeFirst(head); head = 0 }
        }

        mutating func take(_ offset: UInt64) -> [JSONValue] {
            byOffset.removeValue(forKey: offset) ?? []
        }
    }

    init(data: DataDirectory, metrics: ServerMetrics, logger: Logger) async throws {
        self.data = data
        self.metrics = metrics
        self.projector = try await data.projector()
        self.emitter = EventEmitter(eventLog: data.eventLog, changeLog: data.changeLog, cursorPath: data.emitterCursorPath, logger: logger)
        self.applied = EndWaiters(end: try projector.appliedOffset())
        self.logger = logger
    }

    /// The offset of the next event to project.
    public func appliedOffset() throws -> UInt64 { try projector.appliedOffset() }

    /// Waits until every event before `end` is projected, or `timeout` passes; returns whether
    /// they are.
    public func waitProjected(through end: UInt64, timeout: Duration) async -> Bool {
        guard end > 0 else { return true }
        let started = ContinuousClock.now
        defer { metrics.projectionWaited(ContinuousClock.now - started) }
        do {
            return try await withThrowingTaskGroup(of: Bool.self) { group in
                group.addTask { _ = try await self.applied.wait(beyond: end - 1); return true }
                group.addTask { try await Task.sleep(for: timeout); return false }
                let first = try await group.next() ?? false
                group.cancelAll()
                return first
            }
        } catch {
            return false
        }
    }

    /// The reply values workflows requested for the event at `offset` (once).
    public func takeReplies(_ offset: UInt64) -> [JSONValue] {
        replies.withLock { $0.take(offset) }
    }

    public func run() async throws {
        try await cancelWhenGracefulShutdown {
            try await self.loop()
        }
        applied.close()
    }

    private func loop() async throws {
        let recorder = EphemeralEffectRecorder(eventLog: data.eventLog, store: data.store, keys: data.ephemeralKeys, logger: logger)
        while !Task.isCancelled {
            let end = try await projector.catchUp(onBatch: { batch in
                replies.withLock { for reply in batch.replies { $0.add(reply) } }
                applied.advance(to: batch.end)
            })
            applied.advance(to: end)
            if try await emitter.run() > 0 { continue }
            if try await recorder.run().effects > 0 { continue }
            do {
                _ = try await data.eventLog.waitForEnd(beyond: end)
            } catch is CancellationError {
                return
            }
        }
    }
}
