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
            """
    )

    @OptionGroup var dataOptions: DataOptions

    @Argument(help: "A file of JSON lines, or - for standard input.")
    var file: String

    func run() async throws {
        let lines = try LineReader(path: file)
        var events: [Event] = []
        var lineNumber = 0
        while let batch = try await lines.nextLines() {
            for line in batch {
                lineNumber += 1
                if line.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }) { continue }
                do {
                    let json = try JSONParser.parse(Array(line))
                    if json["events"] != nil && json["source"] != nil {
                        events += try TrackPayload.parse(json) { _ in UUID().uuidString.lowercased() }
                    } else {
                        events.append(try CorpusLine.parse(json))
                    }
                } catch {
                    throw CLIError("\(file):\(lineNumber): \(error)")
                }
            }
        }
        let data = try await DataDirectory.open(dataOptions.data)
        do {
            let started = ContinuousClock.now
            var appender = PipelinedAppender(log: data.eventLog)
            for event in events {
                try await appender.add(AppendRecord(kind: RecordKind.event, key: Array(event.id.utf8), payload: EventRecord.encode(event)))
            }
            try await appender.finish()
            let appended = Rate(records: appender.records, bytes: appender.payloadBytes, elapsed: ContinuousClock.now - started)
            print("appended \(appender.records) events (\(appended.megabytes) MB) in \(appended.seconds) s: \(appended.recordsPerSecond) events/s")

            let projectStart = ContinuousClock.now
            let projector = try await Projector.open(eventLog: data.eventLog, changeLog: data.changeLog, store: data.store)
            let before = try projector.appliedOffset()
            let applied = try await projector.catchUp()
            let projected = Rate(records: Int(applied - before), bytes: 0, elapsed: ContinuousClock.now - projectStart)
            print("projected \(applied - before) events in \(projected.seconds) s: \(projected.recordsPerSecond) events/s; applied offset \(applied), change log at \(data.changeLog.endOffset)")
        } catch {
            try? await data.close()
            throw error
        }
        try await data.close()
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
                let event = try EventRecord.decode(record.payload)
                print("{\"offset\":\(entry.offset),\"time\":\"\(ClientTime.iso8601(micros: entry.time))\",\"event\":\(String(decoding: event.jsonValue(includingPersonal: true).serialized(), as: UTF8.self))}")
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
        abstract: "Apply every event not yet projected (and finish an interrupted change log append)."
    )

    @OptionGroup var dataOptions: DataOptions

    @Option(help: "Events per LMDB transaction.")
    var batch: Int = 1000

    func run() async throws {
        try await withData(dataOptions) { data in
            var configuration = EngineConfiguration()
            configuration.eventsPerBatchMax = batch
            let projector = try await Projector.open(eventLog: data.eventLog, changeLog: data.changeLog, store: data.store, configuration: configuration)
            let before = try projector.appliedOffset()
            let started = ContinuousClock.now
            let applied = try await projector.catchUp()
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
            let projector = try await Projector.open(eventLog: data.eventLog, changeLog: data.changeLog, store: data.store)
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
