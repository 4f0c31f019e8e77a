import CairnLog
import CairnModel

/// Sends events through an ``IngestGate`` and appends each where its decision puts it: an
/// accepted event, as the gate left it, to the event log (a ``RecordKind/event`` record keyed by
/// its id); a rejected one to the dead-letter log (a ``DeadLetterRecord``). Both logs are written
/// through ``PipelinedAppender``s, so order is kept within each log. Not thread-safe: one task
/// drives it.
///
/// Events from an ephemeral source are appended like the others for now; the acceptance carries
/// the flag for the step that will keep them out of the log.
public struct IngestAppender<Lookup: ConsentLookup> {
    public let gate: IngestGate
    private let consents: Lookup
    private var events: PipelinedAppender
    private var deadLetters: PipelinedAppender
    public private(set) var tally = IngestTally()

    public init(gate: IngestGate, consents: Lookup, eventLog: DurableLog, deadLetterLog: DurableLog) {
        self.gate = gate
        self.consents = consents
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
        case .accept(let acceptance):
            try await events.add(AppendRecord(kind: RecordKind.event, key: Array(acceptance.event.id.utf8), payload: EventRecord.encode(acceptance.event)))
        case .reject(let rejection):
            try await deadLetters.add(DeadLetterRecord(rejection, event: event, gate: gate, payload: payload()).appendRecord)
        }
        tally.count(decision)
        return decision
    }

    /// Waits until every append is acknowledged.
    public mutating func finish() async throws {
        try await events.finish()
        try await deadLetters.finish()
    }

    /// Event records and payload bytes handed to the event log so far.
    public var eventRecords: Int { events.records }
    public var eventPayloadBytes: Int { events.payloadBytes }
}
