import CairnCorpus
import CairnEngine
import CairnLog
import CairnModel

/// Fills data directories' event logs with generated corpus events, continuing one seeded stream,
/// so that a larger log is the smaller one plus the events that follow it.
struct CorpusFeed {
    private var generator = CorpusGenerator(seed: 1)
    /// Events produced so far.
    private(set) var produced = 0
    /// JSON bytes of the events produced so far.
    private(set) var jsonBytes = 0

    /// The next `count` events, each parsed (`CorpusLine.parse`) and encoded (`EventRecord`) as
    /// the event log stores it.
    mutating func records(_ count: Int) throws -> [AppendRecord] {
        try events(count).map { AppendRecord(kind: RecordKind.event, payload: EventRecord.encode($0.event)) }
    }

    /// The next `count` events as generated (`line`) and parsed (`CorpusLine.parse`, which moves
    /// personal fields to the personal block as ingest does).
    mutating func events(_ count: Int) throws -> [(line: [UInt8], event: Event)] {
        var events: [(line: [UInt8], event: Event)] = []
        events.reserveCapacity(count)
        for _ in 0..<count {
            let line = generator.next()
            jsonBytes += line.count
            events.append((line, try CorpusLine.parse(line: line)))
        }
        produced += count
        return events
    }

    /// Appends the next `count` events to `log` in appends of `recordsPerAppend`, several in
    /// flight at once; returns when all are acknowledged.
    mutating func append(_ count: Int, to log: DurableLog, recordsPerAppend: Int = 1000) async throws {
        var appender = PipelinedAppender(log: log, recordsPerAppend: recordsPerAppend)
        var left = count
        while left > 0 {
            let chunk = min(left, 10_000)
            for record in try records(chunk) { try await appender.add(record) }
            left -= chunk
        }
        try await appender.finish()
    }
}
