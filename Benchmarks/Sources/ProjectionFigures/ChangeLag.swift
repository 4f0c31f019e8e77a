import CairnEngine
import CairnLog
import CairnModel
import Synchronization

/// The change log's lag: from an event's append to the first of its changes being read by a
/// subscriber tailing the change log, with a projector running as it does in service.
///
/// A producer appends `eventsPerAppend` events every `intervalMs` on a fixed schedule (open loop:
/// it never waits for an acknowledgement), noting when each append was submitted; a subscriber
/// tails the change log from its end and notes when it first sees a change of each event offset.
/// The two are joined on the event offset at the end. Events that change nothing are not counted.
enum ChangeLag {
    struct Outcome {
        /// Lags in ms, sorted.
        let lagsMs: [Double]
        let eventsAppended: Int
        /// The producer's schedule.
        let eventsPerSecond: Double
        /// How far the producer fell behind its schedule at worst, ms.
        let producerSlipMsMax: Double
    }

    /// Progress of the subscriber, for the end of the run: the change log offset it has read up to.
    private final class Cursor: Sendable {
        let next = Atomic<UInt64>(0)
    }

    /// Runs the measurement on a fresh data directory at `path` with `runSeconds` of appends of
    /// events taken from `feed`. Stops the projector and subscriber and closes the directory.
    static func measure(path: String, feed: inout CorpusFeed, eventsPerAppend: Int, intervalMs: Int, runSeconds: Double) async throws -> Outcome {
        let appends = Int(runSeconds * 1000) / intervalMs
        let batches = try (0..<appends).map { _ in try feed.records(eventsPerAppend) }
        let data = try await DataDirectory.open(path, logger: quietLogger)
        do {
            let projector = try await Projector.open(eventLog: data.eventLog, changeLog: data.changeLog, store: data.store,
                                                     logger: quietLogger)
            let cursor = Cursor()
            let projecting = Task { try await projector.run() }
            let subscriber = Task { try await subscribe(to: data.changeLog, cursor: cursor) }
            let submitted: [Submission]
            let slipMs: Double
            do {
                (submitted, slipMs) = try await produce(batches, to: data.eventLog, intervalMs: intervalMs)
                // Until the projector has applied everything and the subscriber read every change.
                let deadline = ContinuousClock.now + .seconds(60)
                while try projector.appliedOffset() < data.eventLog.endOffset || cursor.next.load(ordering: .acquiring) < data.changeLog.endOffset {
                    guard ContinuousClock.now < deadline else { throw FiguresError("the change log lag run did not settle in 60 s") }
                    try await Task.sleep(for: .milliseconds(10))
                }
            } catch {
                projecting.cancel()
                subscriber.cancel()
                _ = await (projecting.result, subscriber.result)
                throw error
            }
            projecting.cancel()
            subscriber.cancel()
            if case .failure(let error) = await projecting.result, !(error is CancellationError) { throw error }
            let firstSeen = try await subscriber.value
            try await data.close()

            var lags: [Double] = []
            for submission in submitted {
                for offset in submission.first..<(submission.first + UInt64(submission.count)) {
                    if let seen = firstSeen[offset] { lags.append(seconds(seen - submission.at) * 1000) }
                }
            }
            lags.sort()
            return Outcome(lagsMs: lags, eventsAppended: appends * eventsPerAppend,
                           eventsPerSecond: Double(eventsPerAppend) * 1000 / Double(intervalMs), producerSlipMsMax: slipMs)
        } catch {
            try? await data.close()
            throw error
        }
    }

    /// One append: its first offset, its record count, when it was submitted.
    private struct Submission: Sendable {
        let first: UInt64
        let count: Int
        let at: ContinuousClock.Instant
    }

    /// Submits `batches` one every `intervalMs` on a fixed schedule, a task per append awaiting its
    /// acknowledgement; returns the appends and the worst slip behind the schedule in ms.
    private static func produce(_ batches: [[AppendRecord]], to eventLog: DurableLog, intervalMs: Int) async throws -> ([Submission], Double) {
        let start = ContinuousClock.now
        var slipMs = 0.0
        let submissions = try await withThrowingTaskGroup(of: Submission.self) { group in
            for (i, batch) in batches.enumerated() {
                let due = start + .milliseconds(i * intervalMs)
                if due > ContinuousClock.now { try await Task.sleep(until: due, clock: .continuous) }
                let submittedAt = ContinuousClock.now
                slipMs = max(slipMs, seconds(submittedAt - due) * 1000)
                let ticket = try eventLog.submit(batch)
                let count = batch.count
                group.addTask { Submission(first: try await ticket.offset(), count: count, at: submittedAt) }
            }
            var all: [Submission] = []
            for try await submission in group { all.append(submission) }
            return all
        }
        return (submissions, slipMs)
    }

    /// Tails `changeLog` from its end until cancelled; returns when each event offset's first
    /// change was read.
    private static func subscribe(to changeLog: DurableLog, cursor: Cursor) async throws -> [UInt64: ContinuousClock.Instant] {
        var firstSeen: [UInt64: ContinuousClock.Instant] = [:]
        do {
            for try await record in changeLog.records(from: changeLog.endOffset) {
                let now = ContinuousClock.now
                let change = try Change(jsonValue: JSONValue(binary: record.payload))
                if firstSeen[change.offset] == nil { firstSeen[change.offset] = now }
                cursor.next.store(record.offset + 1, ordering: .releasing)
            }
        } catch {
            // The tail ends by cancellation; anything else is a failure.
            if !Task.isCancelled { throw error }
        }
        return firstSeen
    }
}
