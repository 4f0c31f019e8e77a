// cairn-corpus: writes a deterministic corpus of realistic CDP tracker
// events as JSON lines, for benchmarks, soak tests and fixtures.
//
//     cairn-corpus --seed 42 --count 1000000 --output events.jsonl
//
// The same seed and count always produce byte-identical output.
import ArgumentParser
import CairnCorpus

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

struct CorpusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cairn-corpus",
        abstract: "Write a deterministic corpus of realistic CDP tracker events as JSON lines.",
        discussion: """
            Each line is one Tracardi-style event (page-view, product-view, add-to-cart, \
            identify or purchase) of 500 to 800 bytes of compact JSON. The same --seed \
            always gives byte-identical output, on any machine.
            """
    )

    // `.unconditional` so that a negative number is reported as an invalid
    // value rather than mistaken for an unknown option.
    @Option(parsing: .unconditional, help: "Seed for the generator (0 to 18446744073709551615).")
    var seed: UInt64

    @Option(parsing: .unconditional, help: "Number of events to write (0 or more).")
    var count: Int

    @Option(name: [.short, .long], help: "File to write, created or truncated. Default: standard output.")
    var output: String?

    @Option(
        parsing: .unconditional,
        help: "Time of the first event, in microseconds since the Unix epoch (1767225600000000 is 2026-01-01T00:00:00Z)."
    )
    var startMicros: Int64 = CorpusGenerator.defaultStartTimeMicros

    func validate() throws {
        guard count >= 0 else {
            throw ValidationError("--count must be 0 or more (got \(count)).")
        }
        guard CorpusGenerator.supportedStartTimes.contains(startMicros) else {
            let range = CorpusGenerator.supportedStartTimes
            throw ValidationError(
                "--start-micros must be within \(range.lowerBound)...\(range.upperBound) (years 0001 to 9000), got \(startMicros)."
            )
        }
        if let output, output.isEmpty {
            throw ValidationError("--output needs a file path; omit it to write to standard output.")
        }
    }

    func run() throws {
        let sink = try LineSink(path: output)
        var generator = CorpusGenerator(seed: seed, startTimeMicros: startMicros)
        for _ in 0..<count {
            try sink.append(line: generator.next())
        }
        try sink.finish()
    }
}

/// An I/O failure, reported as `Error: <message>` with a non-zero exit status.
struct CorpusIOError: Error, CustomStringConvertible {
    let description: String

    init(_ action: String, _ target: String, errno code: Int32) {
        description = "cannot \(action) \(target): \(String(cString: strerror(code)))"
    }
}

/// Collects lines in a large buffer and hands it to `write(2)` when full.
final class LineSink {
    private let descriptor: Int32
    private let name: String
    private var ownsDescriptor: Bool
    private var buffer: [UInt8] = []
    private static let flushThreshold = 1 << 20

    /// Opens `path` for writing (created or truncated), or standard output for `nil`.
    init(path: String?) throws {
        if let path {
            let opened = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
            guard opened >= 0 else { throw CorpusIOError("open", "'\(path)'", errno: errno) }
            descriptor = opened
            name = "'\(path)'"
            ownsDescriptor = true
        } else {
            descriptor = STDOUT_FILENO
            name = "standard output"
            ownsDescriptor = false
        }
        buffer.reserveCapacity(LineSink.flushThreshold + 1024)
    }

    deinit {
        if ownsDescriptor { _ = close(descriptor) }
    }

    /// Buffers `line` followed by a newline.
    func append(line: [UInt8]) throws {
        buffer.append(contentsOf: line)
        buffer.append(UInt8(ascii: "\n"))
        if buffer.count >= LineSink.flushThreshold {
            try flush()
        }
    }

    /// Writes out whatever is buffered and, for a file, closes it.
    func finish() throws {
        try flush()
        if ownsDescriptor {
            ownsDescriptor = false
            if close(descriptor) != 0 { throw CorpusIOError("close", name, errno: errno) }
        }
    }

    private func flush() throws {
        var offset = 0
        while offset < buffer.count {
            let written = buffer.withUnsafeBytes { raw in
                write(descriptor, raw.baseAddress! + offset, raw.count - offset)
            }
            if written < 0 {
                if errno == EINTR { continue }
                throw CorpusIOError("write to", name, errno: errno)
            }
            offset += written
        }
        buffer.removeAll(keepingCapacity: true)
    }
}

CorpusCommand.main()
