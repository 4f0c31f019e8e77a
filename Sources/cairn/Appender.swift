import CairnLog

/// Appends a stream of records in order while keeping many appends in flight, so that the log's
/// group commit can batch them: `submit` preserves order, and the window bounds memory.
struct Appender {
    let log: DurableLog
    /// Records per append call.
    var recordsPerAppend = 1000
    /// Bytes of payload in flight before the oldest append is awaited.
    var windowBytesMax = 32 << 20

    private var inFlight: [(ticket: AppendTicket, bytes: Int)] = []
    private var inFlightBytes = 0
    private var pending: [AppendRecord] = []
    private var pendingBytes = 0
    private(set) var records = 0
    private(set) var payloadBytes = 0
    private(set) var firstOffset: UInt64?

    init(log: DurableLog) {
        self.log = log
    }

    mutating func add(_ record: AppendRecord) async throws {
        pending.append(record)
        pendingBytes += record.payload.count
        if pending.count >= recordsPerAppend { try await flush() }
    }

    /// Submits what is pending and waits for every append to be acknowledged.
    mutating func finish() async throws {
        try await flush()
        while !inFlight.isEmpty { try await awaitOldest() }
    }

    private mutating func flush() async throws {
        guard !pending.isEmpty else { return }
        while true {
            do {
                let ticket = try log.submit(pending)
                inFlight.append((ticket, pendingBytes))
                inFlightBytes += pendingBytes
                records += pending.count
                payloadBytes += pendingBytes
                pending.removeAll(keepingCapacity: true)
                pendingBytes = 0
                break
            } catch let error as LogError where error.code == .overloaded && !inFlight.isEmpty {
                try await awaitOldest()
            }
        }
        while inFlightBytes > windowBytesMax { try await awaitOldest() }
    }

    private mutating func awaitOldest() async throws {
        let oldest = inFlight.removeFirst()
        let offset = try await oldest.ticket.offset()
        if firstOffset == nil { firstOffset = offset }
        inFlightBytes -= oldest.bytes
    }
}
