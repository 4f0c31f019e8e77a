import CairnEngine
import CairnLog
import CairnModel
import Foundation
import Logging
import Synchronization

/// The server's ingest path, shared by every bridge: the ingest gate decides each event; the
/// accepted ones are appended to the event log in one append (sealed, for an ephemeral source)
/// and are acknowledged once durable; the refused ones go to the dead-letter log with their
/// reason. Nothing that could be parsed is lost.
public final class Ingestion: Sendable {
    let data: DataDirectory
    let configuration: ConfigurationStore
    let consents: ProjectionConsentLookup
    let sealer: EphemeralSealer
    let metrics: ServerMetrics

    /// What became of one request's events.
    public struct Outcome: Sendable {
        /// The accepted events as stored, with their offsets in the event log.
        public var accepted: [(event: Event, offset: UInt64)] = []
        /// The refused events with the reason (all in the dead-letter log).
        public var rejected: [(event: Event, rejection: IngestRejection)] = []

        /// The event log's end after the accepted events: wait for the projection up to here.
        public var end: UInt64 { accepted.last.map { $0.offset + 1 } ?? 0 }
    }

    init(data: DataDirectory, configuration: ConfigurationStore, rotation: Duration, metrics: ServerMetrics) async throws {
        self.data = data
        self.metrics = metrics
        self.configuration = configuration
        self.consents = try await ProjectionConsentLookup.open(data.store)
        self.sealer = EphemeralSealer(keys: data.ephemeralKeys, rotation: rotation)
    }

    /// Decides and stores `events`, which came through `bridge` for `sourceID`; `payload(i)` is
    /// the JSON event `i` came in (kept in a dead-letter record).
    public func ingest(_ events: [Event], sourceID: String, bridge: EventSourceDefinition.Bridge,
                       payload: (Int) -> JSONValue) async throws -> Outcome {
        let gate = IngestGate(configuration: try await configuration.state(), sourceID: sourceID, bridge: bridge)
        let receivedMicros = Int64(Date().timeIntervalSince1970 * 1_000_000)
        var outcome = Outcome()
        var records: [AppendRecord] = []
        var stored: [Event] = []
        var deadLetters: [AppendRecord] = []
        var lease: EphemeralKey?
        defer { if let lease { sealer.release(lease, logEnd: data.eventLog.endOffset) } }
        for (index, event) in events.enumerated() {
            switch try gate.decide(event, receivedMicros: receivedMicros, consents: consents) {
            case .accept(let acceptance):
                let key = Array(acceptance.event.id.utf8)
                if acceptance.ephemeral {
                    if lease == nil { lease = try sealer.lease() }
                    records.append(AppendRecord(kind: RecordKind.sealedEvent, key: key, payload: SealedEvent.seal(acceptance.event, key: lease!)))
                } else {
                    records.append(AppendRecord(kind: RecordKind.event, key: key, payload: EventRecord.encode(acceptance.event)))
                }
                stored.append(acceptance.event)
            case .reject(let rejection):
                outcome.rejected.append((event, rejection))
                deadLetters.append(DeadLetterRecord(rejection, event: event, gate: gate, payload: payload(index)).appendRecord)
            }
        }
        do {
            if !deadLetters.isEmpty { _ = try await data.deadLetterLog.append(deadLetters) }
            if !records.isEmpty {
                let started = ContinuousClock.now
                let first = try await data.eventLog.append(records)
                metrics.appended(in: ContinuousClock.now - started)
                outcome.accepted = stored.enumerated().map { ($1, first + UInt64($0)) }
            }
        } catch let error as LogError where error.code == .overloaded {
            throw APIError(.serviceUnavailable, "the event log is taking no more appends for now (\(error.message)); retry", headers: [.retryAfter: "1"])
        } catch let error as LogError where error.code == .noSpace {
            throw APIError(.init(code: 507, reasonPhrase: "Insufficient Storage"), "the event log's disk is full; nothing of this request was stored")
        }
        metrics.ingested(bridge: bridge, accepted: outcome.accepted.count, rejected: outcome.rejected.map(\.rejection))
        return outcome
    }

    /// Retires the ephemeral keys still in use (at shutdown, after the last append).
    func close() throws {
        try sealer.close(logEnd: data.eventLog.endOffset)
    }
}

/// The server's keys for events from ephemeral sources: one key at a time, replaced after
/// `rotation`; a replaced key is retired as soon as the last append that sealed with it is done,
/// so that the projector can shred it once its events are projected (see docs/ephemeral.md).
final class EphemeralSealer: Sendable {
    private struct State {
        var current: (key: EphemeralKey, since: ContinuousClock.Instant)?
        /// Appends in progress per key id.
        var users: [UInt64: Int] = [:]
        /// Replaced keys still in use by an append.
        var replaced: Set<UInt64> = []
    }

    private let keys: EphemeralKeys
    private let rotation: Duration
    private let state = Mutex(State())

    init(keys: EphemeralKeys, rotation: Duration) {
        self.keys = keys
        self.rotation = rotation
    }

    /// The key to seal with, held until `release`.
    func lease() throws -> EphemeralKey {
        try state.withLock { state in
            let now = ContinuousClock.now
            if let current = state.current, now - current.since < rotation {
                state.users[current.key.id, default: 0] += 1
                return current.key
            }
            if let old = state.current { state.replaced.insert(old.key.id) }
            let key = try keys.create()
            state.current = (key, now)
            state.users[key.id, default: 0] += 1
            try retireIdle(&state, logEnd: nil)
            return key
        }
    }

    /// Ends a lease; `logEnd` is the event log's end after the lease's append.
    func release(_ key: EphemeralKey, logEnd: UInt64) {
        state.withLock { state in
            state.users[key.id, default: 1] -= 1
            // A key not retired here is retired by the next lease or at close, or at the next
            // start if the process stops first.
            try? retireIdle(&state, logEnd: logEnd)
        }
    }

    /// Retires every key, at shutdown.
    func close(logEnd: UInt64) throws {
        try state.withLock { state in
            if let current = state.current { state.replaced.insert(current.key.id) }
            state.current = nil
            try retireIdle(&state, logEnd: logEnd)
        }
    }

    private func retireIdle(_ state: inout State, logEnd: UInt64?) throws {
        guard let logEnd else { return }
        for id in state.replaced.sorted() where state.users[id, default: 0] == 0 {
            try keys.retire(id, end: logEnd)
            state.replaced.remove(id)
            state.users[id] = nil
        }
    }
}
