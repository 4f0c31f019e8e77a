import ArgumentParser
import CairnEngine
import CairnLog
import CairnModel
import Dispatch
import Glibc
import Synchronization

struct TailCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tail",
        abstract: "Print the change log (--changes), the event log (--events) or the dead-letter log (--deadletter) from an offset, one line per record.",
        discussion: """
            Each line starts with the record's offset: resume with --from LAST+1. Without --json a line \
            is compact: for a change its kind, entity id, target and changed field paths; for an event \
            its type, event id and profile id; for a refused event its reason, event id, source and \
            bridge. With --json each line is {"offset":N,"record":{...}}. \
            A record that is not a change or event record (a line appended by `cairn log append`) is \
            shown with its kind and payload ({"offset":N,"kind":K,"key":…,"payload":…} with --json).

            The log's files are read without locking or changing them, so tail runs beside the \
            process that writes the log. With --follow it waits for new records (polling the files) \
            until interrupted; it can show records written but not yet synced (see docs/tailing.md). \
            Interrupted, it ends after a whole line; when its reader goes away, it ends quietly.
            """
    )

    @OptionGroup var dataOptions: DataOptions

    @Flag(help: "Print the change log.")
    var changes = false

    @Flag(help: "Print the event log.")
    var events = false

    @Flag(help: "Print the dead-letter log: events the ingest gate refused (docs/ingest.md).")
    var deadletter = false

    @Option(help: "The first offset.")
    var from: UInt64 = 0

    @Flag(help: "Keep waiting for new records, without locking the log.")
    var follow = false

    @Flag(help: "Print each record as a JSON object.")
    var json = false

    func validate() throws {
        guard [changes, events, deadletter].filter({ $0 }).count == 1 else { throw ValidationError("give exactly one of --changes, --events and --deadletter") }
    }

    func run() async throws {
        signal(SIGPIPE, SIG_IGN)  // a closed output shows as EPIPE, ending the command quietly
        let directory = dataOptions.data + (changes ? "/changes" : deadletter ? "/deadletter" : "/events")
        let format = RecordFormat(changes: changes, json: json)
        do {
            if follow {
                try await Self.follow(directory: directory, from: from, format: format)
            } else {
                try Self.printSnapshot(directory: directory, from: from, format: format)
            }
        } catch is OutputClosed {
            return
        }
    }

    /// Prints the records on disk now.
    private static func printSnapshot(directory: String, from: UInt64, format: RecordFormat) throws {
        let reader = try LogSnapshot.reader(directory: directory)
        let output = LineOutput()
        try reader.scan(from: from) { view in
            output.write(format.line(view.copy()))
            if output.pending >= 1 << 20 { try output.flush() }
            return true
        }
        try output.flush()
    }

    /// Prints records as they arrive, until interrupted (SIGINT, SIGTERM) or the output closes.
    /// An interrupt cancels the follower between chunks, so every printed line is whole; then the
    /// command ends by the same signal, as a shell expects of an interrupted command.
    private static func follow(directory: String, from: UInt64, format: RecordFormat) async throws {
        if !PosixStorage().exists(directory) {
            writeStandardError("cairn tail: no log in \(directory) yet; waiting for one\n")
        }
        let follower = LogFollower(directory: directory, from: from)
        let streaming = Task {
            let output = LineOutput()
            var records = follower.makeAsyncIterator()
            while true {
                let chunk = try await records.nextChunk()
                if chunk.isEmpty { return }
                for record in chunk { output.write(format.line(record)) }
                try output.flush()
            }
        }
        let interrupt = Interrupt(signals: [SIGINT, SIGTERM]) { streaming.cancel() }
        defer { interrupt.stop() }
        do {
            try await streaming.value
        } catch is CancellationError where interrupt.received != 0 {
            interrupt.stop()
            interrupt.endProcess()
        }
    }
}

/// How `tail` prints a record: compact text or JSON, for the change log or the event log.
struct RecordFormat: Sendable {
    let changes: Bool
    let json: Bool

    /// The record's line, with its newline.
    func line(_ record: LogRecord) -> String {
        if changes, record.kind == RecordKind.change, let change = try? JSONValue(binary: record.payload) {
            return (json ? jsonLine(record.offset, change) : changeLine(record.offset, change)) + "\n"
        }
        if record.kind == RecordKind.deadLetter, let refused = try? DeadLetterRecord(payload: record.payload) {
            return (json ? jsonLine(record.offset, refused.jsonValue) : deadLetterLine(record.offset, refused)) + "\n"
        }
        if !changes, record.kind == RecordKind.event, let event = try? EventRecord.decode(record.payload) {
            return (json ? jsonLine(record.offset, event.jsonValue(includingPersonal: true)) : eventLine(record.offset, event)) + "\n"
        }
        return (json ? rawJSONLine(record) : rawLine(record)) + "\n"
    }

    private func jsonLine(_ offset: UInt64, _ body: JSONValue) -> String {
        "{\"offset\":\(offset),\"record\":\(String(decoding: body.serialized(), as: UTF8.self))}"
    }

    /// `12 profile.updated id=p1 fields=stats.views,traits.name` (`target=` for merges and links).
    private func changeLine(_ offset: UInt64, _ change: JSONValue) -> String {
        var line = "\(offset) \(token(change["kind"]?.stringValue)) id=\(token(change["id"]?.stringValue))"
        if let target = change["target"]?.stringValue { line += " target=\(token(target))" }
        let paths = (change["fields"]?.arrayValue ?? []).map { token($0["path"]?.stringValue) }
        if !paths.isEmpty { line += " fields=" + paths.joined(separator: ",") }
        return line
    }

    /// `12 page-view event=e-12 profile=p-3` (`profile=-` for a profile-less event).
    private func eventLine(_ offset: UInt64, _ event: Event) -> String {
        "\(offset) \(token(event.type.rawValue)) event=\(token(event.id)) profile=\(token(event.profileID))"
    }

    /// `3 unknown-source event=e-12 source=web bridge=import`.
    private func deadLetterLine(_ offset: UInt64, _ refused: DeadLetterRecord) -> String {
        "\(offset) \(token(refused.reason)) event=\(token(refused.eventID)) source=\(token(refused.sourceID)) bridge=\(token(refused.bridge))"
    }

    /// `12 kind=0 bytes=17 "the first 60 characters…"`.
    private func rawLine(_ record: LogRecord) -> String {
        let text = String(decoding: record.payload, as: UTF8.self)
        let preview = text.prefix(60)
        let quoted = String(decoding: JSONValue.string(String(preview) + (preview.endIndex < text.endIndex ? "…" : "")).serialized(), as: UTF8.self)
        return "\(record.offset) kind=\(record.kind) bytes=\(record.payload.count) \(quoted)"
    }

    private func rawJSONLine(_ record: LogRecord) -> String {
        "{\"offset\":\(record.offset),\"kind\":\(record.kind),\(JSONText.bytesField("key", record.key)),\(JSONText.bytesField("payload", record.payload))}"
    }

    /// `text` as is when it has no space, control character, quote, backslash, `=` or `,` (so
    /// that a line splits cleanly); otherwise as a JSON string. `-` for none.
    private func token(_ text: String?) -> String {
        guard let text else { return "-" }
        let plain = !text.isEmpty && text != "-" && text.unicodeScalars.allSatisfy { scalar in
            !scalar.properties.isWhitespace && scalar.properties.generalCategory != .control && !"\"\\=,".unicodeScalars.contains(scalar)
        }
        return plain ? text : String(decoding: JSONValue.string(text).serialized(), as: UTF8.self)
    }
}

/// The standard output, buffered; flushed by `flush()`. Throws `OutputClosed` once the reader
/// has gone (EPIPE, with SIGPIPE ignored).
final class LineOutput {
    private var buffer: [UInt8] = []

    var pending: Int { buffer.count }

    func write(_ line: String) {
        buffer.append(contentsOf: line.utf8)
    }

    func flush() throws {
        defer { buffer.removeAll(keepingCapacity: true) }
        try buffer.withUnsafeBytes { raw in
            var done = 0
            while done < raw.count {
                let n = Glibc.write(1, raw.baseAddress! + done, raw.count - done)
                if n < 0 && errno == EINTR { continue }
                if n < 0 && errno == EPIPE { throw OutputClosed() }
                if n <= 0 { throw CLIError("writing the output failed: \(String(cString: strerror(errno)))") }
                done += n
            }
        }
    }
}

/// The standard output's reader went away.
struct OutputClosed: Error {}

func writeStandardError(_ text: String) {
    let bytes = Array(text.utf8)
    _ = bytes.withUnsafeBytes { Glibc.write(2, $0.baseAddress, $0.count) }
}

/// Turns SIGINT and SIGTERM into a call of `handler` (through Dispatch signal sources) until
/// `stop()`, remembering which signal came, so that the command can finish its line and then end
/// by that signal.
final class Interrupt {
    private final class Received: Sendable {
        let signal = Atomic<Int32>(0)
    }
    private var sources: [any DispatchSourceSignal] = []
    private let receivedSignal = Received()

    init(signals: [Int32], handler: @escaping @Sendable () -> Void) {
        for number in signals {
            signal(number, SIG_IGN)  // the source sees it; the default action would end the process at once
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { [receivedSignal] in
                receivedSignal.signal.store(number, ordering: .relaxed)
                handler()
            }
            source.resume()
            sources.append(source)
        }
    }

    /// The signal that came, or 0.
    var received: Int32 { receivedSignal.signal.load(ordering: .relaxed) }

    /// Removes the signal sources.
    func stop() {
        for source in sources { source.cancel() }
        sources.removeAll()
    }

    /// Ends the process by the signal that came, with its default action.
    func endProcess() -> Never {
        let number = received
        signal(number, SIG_DFL)
        var set = sigset_t()
        sigemptyset(&set)
        sigaddset(&set, number)
        pthread_sigmask(SIG_UNBLOCK, &set, nil)
        raise(number)
        exit(128 + number)
    }
}
