import ArgumentParser
import CairnEngine
import CairnLog
import CairnModel
import Foundation

struct ImportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Import events from JSON lines into the event log, then project them.",
        discussion: """
            Each line is one event in the corpus generator's format, or one Tracardi /track payload \
            (an object with `source` and `events`), detected per line. Every line is validated before \
            anything is appended; a bad line stops the import with its line number and the field that \
            is wrong, and nothing of the file is appended.

            With --source, every event passes the ingest gate for that event source and bridge \
            (docs/ingest.md): accepted events are appended as the gate leaves them (compliance rules \
            applied, reduced to their consent form when a required consent is missing), refused ones go \
            to the dead-letter log (`cairn tail --deadletter`), and the summary counts each outcome. \
            Without --source, every event is appended as read, as before the gate existed.
            """
    )

    @OptionGroup var dataOptions: DataOptions

    @Argument(help: "A file of JSON lines, or - for standard input.")
    var file: String

    @Option(help: "The id of the event source the events come from; they then pass the ingest gate.")
    var source: String?

    @Option(help: "With --source: the bridge the events came through (rest, webhook or import; default import).")
    var bridge: String?

    /// Standard input is held in memory for the second pass, up to this size.
    static let standardInputBytesMax = 1 << 30

    func validate() throws {
        guard let bridge else { return }
        guard source != nil else { throw ValidationError("--bridge needs --source") }
        guard EventSourceDefinition.Bridge(rawValue: bridge) != nil else { throw ValidationError("--bridge must be rest, webhook or import, got '\(bridge)'") }
    }

    func run() async throws {
        let input = try await ImportInput(path: file, memoryBytesMax: Self.standardInputBytesMax)
        // Pass 1 checks every line, so that a bad one stops the import before anything is appended.
        var bar = ProgressBar(label: "checking", total: input.byteCount)
        var lineCount = 0
        try await input.forEachLine { line, _ in
            _ = try parse(line)
            lineCount += 1
            bar.advance(bytes: line.count + 1)
        }
        bar.finish()

        let data = try await DataDirectory.open(dataOptions.data)
        do {
            let projector = try await data.projector()
            let started = ContinuousClock.now
            bar = ProgressBar(label: "appending", total: input.byteCount)
            let appended: (records: Int, bytes: Int)
            if let source {
                // The gate reads consents from the projections: bring them up to the log first.
                try await projector.catchUp()
                let gate = IngestGate(configuration: try await ConfigurationStore.load(from: data.eventLog), sourceID: source,
                                      bridge: EventSourceDefinition.Bridge(rawValue: bridge ?? "import")!)
                var appender = IngestAppender(gate: gate, consents: try await ProjectionConsentLookup.open(data.store),
                                              eventLog: data.eventLog, deadLetterLog: data.deadLetterLog, ephemeralKeys: data.ephemeralKeys)
                // The time of receipt, for events without a plausible time of their own.
                let receivedMicros = Int64(Date().timeIntervalSince1970 * 1_000_000)
                try await input.forEachLine { line, _ in
                    if let (json, events) = try parse(line) {
                        for (index, event) in events.enumerated() {
                            try await appender.add(event, payload: DeadLetterRecord.originalPayload(of: index, in: json), receivedMicros: receivedMicros)
                        }
                    }
                    bar.advance(bytes: line.count + 1)
                }
                try await appender.finish()
                bar.finish()
                for line in appender.tally.lines { print(line) }
                appended = (appender.eventRecords, appender.eventPayloadBytes)
            } else {
                var appender = PipelinedAppender(log: data.eventLog)
                try await input.forEachLine { line, _ in
                    for event in try parse(line)?.events ?? [] {
                        try await appender.add(AppendRecord(kind: RecordKind.event, key: Array(event.id.utf8), payload: EventRecord.encode(event)))
                    }
                    bar.advance(bytes: line.count + 1)
                }
                try await appender.finish()
                bar.finish()
                appended = (appender.records, appender.payloadBytes)
            }
            let rate = Rate(records: appended.records, bytes: appended.bytes, elapsed: ContinuousClock.now - started)
            print("appended \(appended.records) events from \(lineCount) lines (\(rate.megabytes) MB) in \(rate.seconds) s: \(rate.recordsPerSecond) events/s")

            let projectStart = ContinuousClock.now
            let before = try projector.appliedOffset()
            var projecting = ProgressBar(label: "projecting", total: Int(data.eventLog.endOffset - before))
            var applied = try await projector.catchUp { applied, _ in projecting.set(Int(applied - before)) }
            projecting.finish()
            // Events that workflows emitted, and what those emit in turn; ephemeral events' effects.
            applied = try await data.settle(projector)
            let projected = Rate(records: Int(applied - before), bytes: 0, elapsed: ContinuousClock.now - projectStart)
            print("projected \(applied - before) events in \(projected.seconds) s: \(projected.recordsPerSecond) events/s; applied offset \(applied), change log at \(data.changeLog.endOffset)")
        } catch {
            try? await data.close()
            throw error
        }
        try await data.close()
    }

    /// The line's JSON and its events: a corpus line (one event) or a Tracardi /track payload
    /// (its events, each given a fresh id when it has none; the id is stored in the log, so
    /// replays see it). Nil for a blank line.
    private func parse(_ line: ArraySlice<UInt8>) throws -> (json: JSONValue, events: [Event])? {
        if line.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }) { return nil }
        let json = try JSONParser.parse(Array(line))
        if json["events"] != nil && json["source"] != nil {
            return (json, try TrackPayload.parse(json) { _ in UUID().uuidString.lowercased() })
        }
        return (json, [try CorpusLine.parse(json)])
    }
}

/// The lines to import, readable twice: a file is read again; standard input is kept in memory
/// (up to a limit, past which it must be given as a file).
struct ImportInput {
    let path: String
    let byteCount: Int
    private let buffered: [ArraySlice<UInt8>]?

    init(path: String, memoryBytesMax: Int) async throws {
        self.path = path
        if path == "-" {
            var lines: [ArraySlice<UInt8>] = []
            var bytes = 0
            let reader = try LineReader(path: path)
            while let batch = try await reader.nextLines() {
                for line in batch { bytes += line.count + 1 }
                guard bytes <= memoryBytesMax else {
                    throw CLIError("standard input is over \(memoryBytesMax) bytes: import it from a file")
                }
                lines += batch
            }
            buffered = lines
            byteCount = bytes
        } else {
            var info = stat()
            guard stat(path, &info) == 0 else { throw CLIError("cannot open \(path): \(String(cString: strerror(errno)))") }
            buffered = nil
            byteCount = Int(info.st_size)
        }
    }

    /// Calls `body` with each line and its number (from 1); a thrown error is reported with the
    /// line number.
    func forEachLine(_ body: (ArraySlice<UInt8>, Int) async throws -> Void) async throws {
        var number = 0
        func visit(_ line: ArraySlice<UInt8>) async throws {
            number += 1
            do { try await body(line, number) } catch let error as CLIError { throw error } catch {
                throw CLIError("\(path == "-" ? "standard input" : path):\(number): \(error)")
            }
        }
        if let buffered {
            for line in buffered { try await visit(line) }
            return
        }
        let reader = try LineReader(path: path)
        while let batch = try await reader.nextLines() {
            for line in batch { try await visit(line) }
        }
    }
}

/// A one-line progress bar on standard error, redrawn in place on a terminal at most every
/// 200 ms; elsewhere (a file, a pipe) it prints only the final line.
struct ProgressBar {
    let label: String
    let total: Int
    private var done = 0
    private var drawn = ContinuousClock.now
    private let terminal = isatty(2) == 1

    init(label: String, total: Int) {
        self.label = label
        self.total = max(total, 1)
    }

    mutating func advance(bytes: Int) { set(done + bytes) }

    mutating func set(_ value: Int) {
        done = min(value, total)
        guard terminal, ContinuousClock.now - drawn >= .milliseconds(200) else { return }
        drawn = ContinuousClock.now
        draw(end: "\r")
    }

    mutating func finish() {
        done = total
        draw(end: "\n")
    }

    private func draw(end: String) {
        let width = 30
        let filled = done * width / total
        let line = "\(label) [\(String(repeating: "#", count: filled))\(String(repeating: ".", count: width - filled))] \(done * 100 / total)%" + end
        FileHandle.standardError.write(Data(line.utf8))
    }
}

struct ProfileCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "profile",
        abstract: "Read profiles from the projections.",
        subcommands: [ProfileGetCommand.self, ProfileEventsCommand.self]
    )
}

struct ProfileGetCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "get",
        abstract: "Print a profile by id (a merged id resolves to the survivor) or by identifier such as email:ada@example.com."
    )

    @OptionGroup var dataOptions: DataOptions

    @Argument(help: "A profile id or an identifier.")
    var id: String

    func run() async throws {
        try await withData(dataOptions) { data in
            let queries = try await ProfileQueries.open(data.store)
            guard let profile = try queries.profile(id) else { throw CLIError("no profile for '\(id)'") }
            print(String(decoding: profile.jsonValue.serialized(), as: UTF8.self))
        }
    }
}

struct ProfileEventsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "events",
        abstract: "Print a profile's event trail (including events of profiles merged into it), as JSON lines."
    )

    @OptionGroup var dataOptions: DataOptions

    @Argument(help: "A profile id or an identifier.")
    var id: String

    @Option(help: "The most events to print.")
    var limit: Int = 1000

    func run() async throws {
        try await withData(dataOptions) { data in
            let queries = try await ProfileQueries.open(data.store)
            guard let profileID = try queries.resolve(id) else { throw CLIError("no profile for '\(id)'") }
            let reader = data.eventLog.makeReader()
            for entry in try queries.events(of: profileID, limit: limit) {
                guard let record = try reader.record(at: entry.offset) else { continue }
                let head = "{\"offset\":\(entry.offset),\"time\":\"\(ClientTime.iso8601(micros: entry.time))\","
                if record.kind == RecordKind.sealedEvent {
                    // From an ephemeral source: only its id is kept in the clear.
                    print(head + "\"ephemeral\":true,\"event\":{\"id\":\(String(decoding: JSONValue.string(entry.eventID).serialized(), as: UTF8.self))}}")
                    continue
                }
                let event = try EventRecord.decode(record.payload)
                print(head + "\"event\":\(String(decoding: event.jsonValue(includingPersonal: true).serialized(), as: UTF8.self))}")
            }
        }
    }
}

struct ProjectionsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "projections",
        abstract: "Inspect the projections.",
        subcommands: [DigestCommand.self, CatchUpCommand.self]
    )
}

struct CatchUpCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "catch-up",
        abstract: "Apply every event not yet projected (and finish an interrupted change log append), appending the events workflows emit."
    )

    @OptionGroup var dataOptions: DataOptions

    @Option(help: "Events per LMDB transaction, at most (1...100000).")
    var batch: Int = EngineConfiguration().eventsPerBatchMax

    func run() async throws {
        try await withData(dataOptions) { data in
            var configuration = EngineConfiguration()
            configuration.eventsPerBatchMax = batch
            let projector = try await data.projector(configuration: configuration)
            let before = try projector.appliedOffset()
            let started = ContinuousClock.now
            // Projects, appends the events workflows emitted, and projects those, until none is
            // left; then records ephemeral events' effects and shreds their keys.
            let applied = try await data.settle(projector)
            let rate = Rate(records: Int(applied - before), bytes: 0, elapsed: ContinuousClock.now - started)
            print("projected \(applied - before) events in \(rate.seconds) s (\(rate.recordsPerSecond) events/s); applied offset \(applied), change log at \(data.changeLog.endOffset)")
        }
    }
}

struct DigestCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "digest",
        abstract: "Print a canonical SHA-256 of all projection content, with the applied offset."
    )

    @OptionGroup var dataOptions: DataOptions

    func run() async throws {
        try await withData(dataOptions) { data in
            let projector = try await data.projector()
            print("applied \(try projector.appliedOffset()) digest \(try await ProjectionDigest.compute(data.store))")
        }
    }
}

/// Opens the data directory, runs `body`, and closes it whatever happens.
func withData(_ options: DataOptions, _ body: (DataDirectory) async throws -> Void) async throws {
    let data = try await DataDirectory.open(options.data)
    do {
        try await body(data)
    } catch {
        try? await data.close()
        throw error
    }
    try await data.close()
}
