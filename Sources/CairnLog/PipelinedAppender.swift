/// Appends a stream of records in order while keeping many appends in flight, so that group
/// commit can batch them (bulk loads, imports, benchmarks).
///
/// Records are gathered into appends of `recordsPerAppend` and handed to `DurableLog.submit`,
/// which preserves order; at most `windowBytesMax` bytes are in flight before the oldest append is
/// awaited, which bounds memory. Not thread-safe: one task drives it.
///
/// Fail-stop: once an append fails, the appender throws that error from every later call and
/// submits nothing more. Appends submitted before the failure and after the failed one may still
/// have succeeded, so the log can hold records past the failed ones: `acknowledged` and
/// `failedAt` say what is known (resume from the log's contents, not from the input position).
public struct PipelinedAppender {
    public let log: DurableLog
    public let recordsPerAppend: Int
    public let windowBytesMax: Int

    private var inFlight: [(ticket: AppendTicket, bytes: Int, records: Int)] = []
    private var inFlightHead = 0
    private var inFlightBytes = 0
    private var pending: [AppendRecord] = []
    private var pendingBytes = 0
    /// Records handed to the log so far.
    public private(set) var records = 0
    /// Payload bytes handed to the log so far.
    public private(set) var payloadBytes = 0
    /// The offset of the first record, once acknowledged.
    public private(set) var firstOffset: UInt64?
    /// Records whose append was acknowledged.
    public private(set) var acknowledged = 0
    /// The index (in the order given to `add`) of the first record of the append that failed.
    public private(set) var failedAt: Int?
    private var failure: (any Error)?

    public init(log: DurableLog, recordsPerAppend: Int = 1000, windowBytesMax: Int = 128 << 20) {
        precondition(recordsPerAppend >= 1 && windowBytesMax >= 1, "appender limits must be positive")
        self.log = log
        self.recordsPerAppend = min(recordsPerAppend, log.configuration.appendRecordsMax)
        self.windowBytesMax = windowBytesMax
    }

    /// Adds a record; may wait for earlier appends when the window is full. Throws the error of
    /// any append that failed (see `DurableLog.append`).
    public mutating func add(_ record: AppendRecord) async throws {
        if let failure { throw failure }
        pending.append(record)
        pendingBytes += record.payload.count + (record.key?.count ?? 0)
        if pending.count >= recordsPerAppend { try await flush() }
    }

    /// Submits what is pending and waits until every append is acknowledged.
    public mutating func finish() async throws {
        if let failure { throw failure }
        try await flush()
        while inFlightHead < inFlight.count { try await awaitOldest() }
    }

    private mutating func flush() async throws {
        guard !pending.isEmpty else { return }
        while true {
            do {
                let ticket = try log.submit(pending)
                inFlight.append((ticket, pendingBytes, pending.count))
                inFlightBytes += pendingBytes
                records += pending.count
                payloadBytes += pendingBytes
                pending.removeAll(keepingCapacity: true)
                pendingBytes = 0
                break
            } catch let error as LogError where error.code == .overloaded && inFlightHead < inFlight.count {
                try await awaitOldest()
            }
        }
        while inFlightBytes > windowBytesMax { try await awaitOldest() }
    }

    private mutating func awaitOldest() async throws {
        let oldest = inFlight[inFlightHead]
        inFlightHead += 1
        if inFlightHead > 1024 && inFlightHead * 2 > inFlight.count {
            inFlight.removeFirst(inFlightHead)
            inFlightHead = 0
        }
        inFlightBytes -= oldest.bytes
        do {
            let offset = try await oldest.ticket.offset()
            if firstOffset == nil { firstOffset = offset }
            acknowledged += oldest.records
        } catch {
            failure = error
            failedAt = acknowledged
            throw error
        }
    }
}
