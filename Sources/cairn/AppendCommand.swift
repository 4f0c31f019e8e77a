import ArgumentParser
import CairnLog

struct AppendCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "append",
        abstract: "Append each line of FILE (or - for standard input) as one record, and report the rate."
    )

    @OptionGroup var dataOptions: DataOptions
    @OptionGroup var fsyncOptions: FsyncOptions

    @Option(help: "The kind tag of the appended records (0...65535).")
    var kind: UInt16 = 0

    @Argument(help: "The input file, or - for standard input.")
    var file: String

    func run() async throws {
        var configuration = LogConfiguration()
        configuration.fsync = fsyncOptions.policy
        let log = try await DurableLog.open(directory: dataOptions.eventLogDirectory, configuration: configuration)
        let lines = try LineReader(path: file)
        let started = ContinuousClock.now
        var appender = PipelinedAppender(log: log)
        do {
            while let batch = try await lines.nextLines() {
                for line in batch {
                    try await appender.add(AppendRecord(kind: kind, payload: Array(line)))
                }
            }
            try await appender.finish()
        } catch {
            try? await log.close()
            throw error
        }
        let end = log.endOffset
        try await log.close()
        let report = Rate(records: appender.records, bytes: appender.payloadBytes, elapsed: ContinuousClock.now - started)
        print("appended \(appender.records) records (\(report.megabytes) MB) to \(dataOptions.eventLogDirectory) with fsync \(fsyncOptions.policy): offsets \(end - UInt64(appender.records))..<\(end)")
        print("\(report.recordsPerSecond) records/s, \(report.megabytesPerSecond) MB/s in \(report.seconds) s")
    }
}

/// Throughput figures for a report.
struct Rate {
    let records: Int
    let bytes: Int
    let elapsed: Duration

    var secondsValue: Double {
        Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    }
    var seconds: String { format(secondsValue, 3) }
    var megabytes: String { format(Double(bytes) / 1e6, 1) }
    var recordsPerSecond: String { format(Double(records) / max(secondsValue, 1e-9), 0) }
    var megabytesPerSecond: String { format(Double(bytes) / 1e6 / max(secondsValue, 1e-9), 1) }
}

/// `value` with `digits` decimals.
func format(_ value: Double, _ digits: Int) -> String {
    var scale = 1.0
    for _ in 0..<digits { scale *= 10 }
    let rounded = (value * scale).rounded() / scale
    if digits == 0 { return String(Int64(rounded)) }
    var text = String(rounded)
    if let dot = text.firstIndex(of: ".") {
        let decimals = text.distance(from: dot, to: text.endIndex) - 1
        if decimals < digits { text += String(repeating: "0", count: digits - decimals) }
    }
    return text
}
