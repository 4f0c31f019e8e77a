import ArgumentParser
import CairnCorpus
import CairnLog

struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Append a generated corpus of CDP events durably, then show stats, verify and the newest records."
    )

    @OptionGroup var dataOptions: DataOptions

    @Option(help: "How many events to generate and append.")
    var count: Int = 200_000

    @Option(help: "The corpus seed (the same seed gives the same events).")
    var seed: UInt64 = 1

    func validate() throws {
        guard count >= 1 && count <= 50_000_000 else { throw ValidationError("--count must be within 1...50000000, got \(count)") }
    }

    func run() async throws {
        let log = try await DurableLog.open(directory: dataOptions.eventLogDirectory)
        if !log.recoveryActions.isEmpty {
            print("recovery at open:")
            for action in log.recoveryActions { print("  \(action)") }
        }
        let before = log.endOffset
        var generator = CorpusGenerator(seed: seed &+ before)
        var appender = PipelinedAppender(log: log)
        let started = ContinuousClock.now
        do {
            for _ in 0..<count {
                try await appender.add(AppendRecord(kind: 1, payload: generator.next()))
            }
            try await appender.finish()
        } catch {
            try? await log.close()
            throw error
        }
        let rate = Rate(records: appender.records, bytes: appender.payloadBytes, elapsed: ContinuousClock.now - started)
        let end = log.endOffset
        try await log.close()

        print("appended \(count) generated events (\(rate.megabytes) MB of JSON) to \(dataOptions.eventLogDirectory) with fsync always: offsets \(before)..<\(end)")
        print("  \(rate.recordsPerSecond) records/s, \(rate.megabytesPerSecond) MB/s")
        print("")
        print(StatsCommand.render(try LogStats.collect(directory: dataOptions.eventLogDirectory)))
        print("")
        let report = try LogVerifier.verify(directory: dataOptions.eventLogDirectory)
        print("verify: \(report.isIntact ? "intact" : "\(report.problems.count) problems") (\(report.records) records, chain head \(report.headLink.hex.prefix(16))…)")
        print("")
        print("newest record (cairn log dump --from \(end - 1)):")
        if let record = try LogSnapshot.reader(directory: dataOptions.eventLogDirectory).record(at: end - 1) {
            print("  offset \(record.offset) at \(Timestamp.iso8601(record.timestamp)): \(String(decoding: record.payload.prefix(160), as: UTF8.self))…")
        }
    }
}
