import ArgumentParser
import CairnLog
import CairnModel
import CairnServer

/// `cairn destination dead-letters`: the changes destinations gave up on.
struct DestinationDeadLettersCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dead-letters",
        abstract: "Print the destination dead-letter log: changes a destination gave up on after its last attempt.",
        discussion: """
            One line per record, starting with its offset in the log (resume with --from LAST+1): \
            the destination, the change-log offset of the change, the idempotency key, the attempts \
            made and the last error. With --json each line is {"offset":N,"record":{...}} with the \
            body that was sent. The log's files are read without locking them, so this runs beside \
            `cairn serve`. See docs/destinations.md.
            """
    )

    @OptionGroup var dataOptions: DataOptions

    @Option(help: "The first offset in the dead-letter log.")
    var from: UInt64 = 0

    @Option(help: "Only the dead letters of this destination id.")
    var destination: String?

    @Flag(help: "Print each record as a JSON object, with the body.")
    var json = false

    func run() throws {
        let directory = DestinationDeadLetter.directory(dataDirectory: dataOptions.data)
        let reader: LogReader
        do {
            reader = try LogSnapshot.reader(directory: directory)
        } catch let error as LogError where error.code == .notFound {
            // The server creates the log when it first runs: none yet, so none to show.
            writeStandardError("cairn destination dead-letters: no log in \(directory) yet\n")
            return
        }
        defer { reader.close() }
        try reader.scan(from: from) { view in
            guard view.kind == DestinationDeadLetter.recordKind else { return true }
            let letter = try DestinationDeadLetter(payload: Array(view.payload))
            if let destination, letter.destinationID != destination { return true }
            if json {
                print("{\"offset\":\(view.offset),\"record\":\(String(decoding: letter.jsonValue.serialized(), as: UTF8.self))}")
            } else {
                print("\(view.offset) destination=\(letter.destinationID) change=\(letter.changeOffset) key=\(letter.idempotencyKey) "
                      + "attempts=\(letter.attempts) error=\(String(decoding: JSONValue.string(letter.lastError).serialized(), as: UTF8.self))")
            }
            return true
        }
    }
}
