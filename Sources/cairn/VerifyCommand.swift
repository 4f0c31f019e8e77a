import ArgumentParser
import CairnLog

struct VerifyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Check every CRC, the hash chain, record framing and the indexes; exit 1 naming every problem.",
        discussion: "Reads without locking or changing anything."
    )

    @OptionGroup var dataOptions: DataOptions

    func run() async throws {
        let report = try LogVerifier.verify(directory: dataOptions.eventLogDirectory)
        print("checked \(report.segments) segments, \(report.batches) batches, \(report.records) records (offsets 0..<\(report.endOffset))")
        print("chain head: offset \(report.endOffset) link \(report.headLink.hex)")
        if report.isIntact {
            print("intact")
            return
        }
        print("\(report.problems.count) problem\(report.problems.count == 1 ? "" : "s"):")
        for problem in report.problems { print("  \(problem)") }
        throw ExitCode(1)
    }
}

struct StatsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stats",
        abstract: "Segments, records, bytes on disk against uncompressed bytes, and the compression ratio."
    )

    @OptionGroup var dataOptions: DataOptions

    func run() async throws {
        let stats = try LogStats.collect(directory: dataOptions.eventLogDirectory)
        print(StatsCommand.render(stats))
    }

    static func render(_ stats: LogStats) -> String {
        var lines = [
            "segments           \(stats.segments)",
            "batches            \(stats.batches)",
            "records            \(stats.records)",
            "bytes on disk      \(stats.fileBytes) (+ \(stats.indexBytes) in indexes)",
            "bytes uncompressed \(stats.uncompressedBytes)",
            "compression ratio  \(format(stats.compressionRatio, 2))x (disk is \(format(stats.fileBytes == 0 ? 0 : 100 * Double(stats.fileBytes) / Double(max(stats.uncompressedBytes, 1)), 1))% of uncompressed)",
        ]
        if let first = stats.firstTimestamp, let last = stats.lastTimestamp {
            lines.append("time range         \(Timestamp.iso8601(first)) .. \(Timestamp.iso8601(last))")
        }
        return lines.joined(separator: "\n")
    }
}
