import CairnLog
import CairnModel

/// Sends events through an ``IngestGate`` and appends each where its decision puts it: an
/// accepted event, as the gate left it, to the event log (a ``RecordKind/event`` record keyed by
/// its id); a rejected one to the dead-letter log (a ``DeadLetterRecord``). Both logs are written
/// through ``PipelinedAppender``s, so order is kept within each log. Not thread-safe: one task
/// drives it.
///
/// An event from an ephemeral source is sealed (a ``RecordKind/sealedEvent`` record) with a key
/// this appender creates on the first such event and retires in ``finish()`` (see
/// docs/ephemeral.md).
public struct IngestAppender<Lookup: ConsentLookup> {
    public let gate: IngestGate
    private let consents: Lookup
    private let eventLog: DurableLog
    private var events: PipelinedAppender
    private var deadLetters: PipelinedAppender
    private let ephemeralKeys: EphemeralKeys?
    private var ephemeralKey: EphemeralKey?
    public private(set) var tally = IngestTally()

    public init(gate: IngestGate, consents: Lookup, eventLog: DurableLog, deadLetterLog: DurableLog, ephemeralKeys: EphemeralKeys? = nil) {
        self.gate = gate
        self.consents = consents
        self.eventLog = eventLog
        self.ephemeralKeys = ephemeralKeys
        events = PipelinedAppender(log: eventLog)
        deadLetters = PipelinedAppender(log: deadLetterLog)
    }

    /// Decides `event` and hands it to its log; returns the decision. `payload` is the JSON the
    /// event came in, kept in a dead-letter record (see ``DeadLetterRecord/originalPayload(of:in:)``).
    ///
    /// - Throws: the lookup's and the logs' errors (see ``PipelinedAppender/add(_:)``).
    @discardableResult
    public mutating func add(_ event: Event, payload: @autoclosure () -> JSONValue, receivedMicros: Int64) async throws -> IngestDecision {
        let decision = try gate.decide(event, receivedMicros: receivedMicros, consents: consents)
        switch decision {
        case .accept(let acceptance) where acceptance.ephemeral:
            if ephemeralKey == nil {
                guard let ephemeralKeys else {
                    throw EngineError(.invalidConfiguration, "source '\(acceptance.event.sourceID)' is ephemeral, and its events need a key directory to be sealed; none was given")
                }
                ephemeralKey = try ephemeralKeys.create()
            }
            try await events.add(AppendRecord(kind: RecordKind.sealedEvent, key: Array(acceptance.event.id.utf8),
                                              payload: SealedEvent.seal(acceptance.event, key: ephemeralKey!)))
        case .accept(let acceptance):
            try await events.add(AppendRecord(kind: RecordKind.event, key: Array(acceptance.event.id.utf8), payload: EventRecord.encode(acceptance.event)))
        case .reject(let rejection):
            try await deadLetters.add(DeadLetterRecord(rejection, event: event, gate: gate, payload: payload()).appendRecord)
        }
        tally.count(decision)
        return decision
    }

    /// Waits until every append is acknowledged, then retires the key of ephemeral events, if one
    /// was made: nothing after the log's end is sealed with it.
    public mutating func finish() async throws {
        try await events.finish()
        try await deadLetters.finish()
        if let key = ephemeralKey, let ephemeralKeys {
            try ephemeralKeys.retire(key.id, end: eventLog.endOffset)
            ephemeralKey = nil
        }
    }

    /// Event records and payload bytes handed to the event log so far.
    public var eventRecords: Int { events.records }
    public var eventPayloadBytes: Int { events.payloadBytes }
}
