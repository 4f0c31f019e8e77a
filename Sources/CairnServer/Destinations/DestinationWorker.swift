import CairnEngine
import CairnLog
import CairnLogic
import CairnModel
import Logging

/// One destination's delivery loop: reads the change log from its checkpoint, in order, and for
/// each change (or event) it fires on delivers the body, one at a time, retrying with backoff;
/// the checkpoint moves past a change only once it is delivered or dead-lettered. A worker's
/// failures (a failed read, a failed write) are logged and the loop starts again from the stored
/// checkpoint after a pause; only cancellation ends it.
struct DestinationWorker: Sendable {
    /// Changes read at once (a read may run past it to the end of one event's changes).
    static let chunkRecordsMax = 1000
    /// Changes passed over (not fired on) after which the checkpoint is stored even while the
    /// worker is busy; it is stored anyway whenever the worker has caught up.
    static let skippedBeforeSaveMax: UInt64 = 10_000

    let id: String
    let data: DataDirectory
    let checkpoints: DestinationCheckpoints
    let deadLetters: DurableLog
    let transport: any DestinationTransport
    let queries: ProfileQueries
    let schedule: RetrySchedule
    let logger: Logger

    var key: String { ConfigurationKey(.destination, id).description }

    /// Runs until cancelled, from `initial` or, after a failure, from the stored checkpoint.
    func run(from initial: DestinationCheckpoint) async {
        var start = initial
        var failures = 0
        while !Task.isCancelled {
            do {
                try await loop(from: start)
                return
            } catch {
                if Task.isCancelled || error is CancellationError { return }
                failures += 1
                let pause = min(Duration.seconds(1) * (1 << min(failures - 1, 6)), .seconds(60))
                logger.error("destination \(id) failed; starting again from its checkpoint", metadata: [
                    "error": "\(error)", "pause": "\(pause)",
                ])
                do { try await Task.sleep(for: pause) } catch { return }
                do { start = try checkpoints.checkpoint(id) ?? start } catch { continue }
            }
        }
    }

    /// The destination as it stands at a position in the change log.
    private struct Definition {
        var checkpoint: DestinationCheckpoint
        var destination: Destination?
        var program: Result<DestinationProgram, LogicError>?

        /// What to fire on: nil while deleted or disabled.
        var trigger: Destination.Trigger? {
            guard let destination, destination.enabled else { return nil }
            return destination.on
        }

        mutating func adopt(_ record: ConfigurationRecord, at offset: UInt64) {
            checkpoint.definitionOffset = offset
            checkpoint.deleted = record.action == .delete
            if case .destination(let value)? = record.object {
                destination = value
                do { program = .success(try DestinationProgram(value)) } catch { program = .failure(error) }
            } else {
                destination = nil
                program = nil
            }
        }
    }

    private func loop(from start: DestinationCheckpoint) async throws {
        let readers = ChangeLogReaders(data: data)
        var definition = Definition(checkpoint: start)
        definition.adopt(try await readers.configurationRecord(at: start.definitionOffset), at: start.definitionOffset)
        var saved = start
        while true {
            try Task.checkCancellation()
            let (entries, end) = try await readers.entries(from: definition.checkpoint.next, recordsMax: Self.chunkRecordsMax)
            if end == definition.checkpoint.next {
                if saved != definition.checkpoint {
                    try await checkpoints.save(id, definition.checkpoint)
                    saved = definition.checkpoint
                }
                _ = try await data.changeLog.waitForEnd(beyond: end)
                continue
            }
            var index = 0
            while true {
                let (step, next) = DispatchStep.next(in: entries, from: index, key: key, trigger: definition.trigger)
                index = next
                guard let step else { break }
                switch step {
                case .definition(let entry):
                    definition.adopt(try await readers.configurationRecord(at: entry.change.offset), at: entry.change.offset)
                    definition.checkpoint.next = entry.changeOffset + 1
                    logger.info("destination \(id) changed", metadata: ["change_offset": "\(entry.changeOffset)", "deleted": "\(definition.checkpoint.deleted)"])
                case .fire(let changes):
                    let sent = try await fire(changes, definition: definition, readers: readers)
                    definition.checkpoint.next = changes[changes.count - 1].changeOffset + 1
                    // Past a delivery or a dead letter at once; past a change that did not match,
                    // like past any other change passed over.
                    if sent {
                        try await checkpoints.save(id, definition.checkpoint)
                        saved = definition.checkpoint
                    }
                }
            }
            definition.checkpoint.next = end
            if end - saved.next >= Self.skippedBeforeSaveMax {
                try await checkpoints.save(id, definition.checkpoint)
                saved = definition.checkpoint
            }
        }
    }

    /// Evaluates the destination on `changes` and, when it matches, delivers its body: returns
    /// once delivered or dead-lettered (true), or at once when it does not match (false).
    private func fire(_ changes: [ChangeEntry], definition: Definition, readers: ChangeLogReaders) async throws -> Bool {
        let first = changes[0]
        let idempotencyKey = Delivery.idempotencyKey(destinationID: id, changeOffset: first.changeOffset)
        let program: DestinationProgram
        switch definition.program {
        case .success(let compiled)?:
            program = compiled
        case .failure(let error)?:
            try await deadLetter(DestinationDeadLetter(destinationID: id, changeOffset: first.changeOffset, eventOffset: first.change.offset,
                                                       idempotencyKey: idempotencyKey, attempts: 0,
                                                       lastError: "the destination does not compile: \(error.message)", body: .null))
            return true
        case nil:
            return false
        }
        let event = program.readsEvent ? try await readers.event(at: first.change.offset) : nil
        let payload: JSONValue = switch program.destination.on {
        case .profileChange: first.change.jsonValue
        case .event: ["event": event ?? .null, "changes": .array(changes.map(\.change.jsonValue))]
        }
        var profile: JSONValue?
        if program.readsProfile, let profileID = Self.profileID(changes, event: event) {
            profile = try queries.profile(profileID)?.jsonValue
        }
        let context = DestinationContext(payload: payload, profile: profile, event: event, nowMicros: first.timestampMicros)
        guard program.matches(context) else { return false }
        let body = program.body(context)
        let delivery = Delivery(destinationID: id, resourceID: program.destination.resourceID, changeOffset: first.changeOffset,
                                idempotencyKey: idempotencyKey, body: body.serialized())
        var attempt = 1
        while true {
            do {
                try await transport.deliver(delivery)
                return true
            } catch let failure as DeliveryFailure {
                guard let delay = schedule.delay(afterAttempt: attempt) else {
                    try await deadLetter(DestinationDeadLetter(destinationID: id, changeOffset: first.changeOffset, eventOffset: first.change.offset,
                                                               idempotencyKey: idempotencyKey, attempts: attempt, lastError: failure.message, body: body))
                    return true
                }
                logger.debug("destination \(id): attempt failed", metadata: [
                    "change_offset": "\(first.changeOffset)", "attempt": "\(attempt)", "error": "\(failure.message)", "retry_in": "\(delay)",
                ])
                try await Task.sleep(for: delay)
                attempt += 1
            }
        }
    }

    private func deadLetter(_ letter: DestinationDeadLetter) async throws {
        logger.warning("destination \(id) gave up on a change; it is in the destination dead-letter log", metadata: [
            "change_offset": "\(letter.changeOffset)", "attempts": "\(letter.attempts)", "error": "\(letter.lastError)",
        ])
        var record = letter.appendRecord
        if record.payload.count > deadLetters.configuration.recordBytesMax {
            var smaller = letter
            smaller.body = .string("<\(letter.body.serialized().count) bytes, over the log's record limit>")
            record = smaller.appendRecord
        }
        _ = try await deadLetters.append(record)
    }

    /// The profile the changes are about: the change's own for a profile change, else the event's
    /// profile, else the first profile change's.
    static func profileID(_ changes: [ChangeEntry], event: JSONValue?) -> String? {
        if changes.count == 1, changes[0].change.kind.entity == .profile { return changes[0].change.id }
        if let id = event?["profile"]?["id"]?.stringValue { return id }
        return changes.first(where: { $0.change.kind.entity == .profile })?.change.id
    }
}
