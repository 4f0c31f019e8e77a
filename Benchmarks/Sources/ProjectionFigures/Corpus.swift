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
        var records: [AppendRecord] = []
        records.reserveCapacity(count)
        for _ in 0..<count {
            let line = generator.next()
            jsonBytes += line.count
            let event = try CorpusLine.parse(line: line)
            records.append(AppendRecord(kind: RecordKind.event, payload: EventRecord.encode(event)))
        }
        produced += count
        return records
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
