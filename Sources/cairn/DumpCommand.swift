import ArgumentParser
import Glibc
import CairnLog

struct DumpCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dump",
        abstract: "Print records as JSON lines: offset, timestamp, time, kind, key and payload.",
        discussion: """
            Payloads and keys that are valid UTF-8 are printed as JSON strings (decoding the string \
            gives back the exact bytes); others as base64 in `payload_base64` / `key_base64`. Reads \
            the log as it is on disk without locking it, so it works while another process appends.
            """
    )

    @OptionGroup var dataOptions: DataOptions

    @Option(help: "The first offset to print.")
    var from: UInt64?

    @Option(help: "Start at the first record at or after this time: ISO 8601 UTC (2026-01-01T00:00:00Z) or microseconds since the epoch.")
    var since: String?

    @Option(help: "The most records to print.")
    var limit: Int?

    func validate() throws {
        if let since, Timestamp.parse(since) == nil {
            throw ValidationError("--since '\(since)' is neither an ISO 8601 UTC time like 2026-01-01T00:00:00Z nor an integer of microseconds")
        }
        if let limit, limit < 0 { throw ValidationError("--limit must not be negative, got \(limit)") }
        if from != nil && since != nil { throw ValidationError("give --from or --since, not both") }
    }

    func run() async throws {
        let reader = try LogSnapshot.reader(directory: dataOptions.eventLogDirectory)
        var start = from ?? 0
        if let since, let micros = Timestamp.parse(since) { start = try reader.offset(atOrAfter: micros) }
        let output = OutputBuffer()
        var remaining = limit ?? Int.max
        guard remaining > 0 else { return }
        try reader.scan(from: start) { record in
            var line = "{\"offset\":\(record.offset),\"timestamp\":\(record.timestamp),\"time\":\"\(Timestamp.iso8601(record.timestamp))\",\"kind\":\(record.kind),"
            line += JSONText.bytesField("key", record.key.map { Array($0) })
            line += ","
            line += JSONText.bytesField("payload", Array(record.payload))
            line += "}\n"
            output.write(line)
            remaining -= 1
            return remaining > 0
        }
        output.flush()
    }
}

/// Buffered standard output.
final class OutputBuffer {
    private var buffer: [UInt8] = []

    func write(_ text: String) {
        buffer.append(contentsOf: text.utf8)
        if buffer.count >= 1 << 20 { flush() }
    }

    func flush() {
        buffer.withUnsafeBytes { raw in
            var done = 0
            while done < raw.count {
                let n = Glibc.write(1, raw.baseAddress! + done, raw.count - done)
                if n <= 0 { break }
                done += n
            }
        }
        buffer.removeAll(keepingCapacity: true)
    }
}
