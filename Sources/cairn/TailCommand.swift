import ArgumentParser
import CairnEngine
import CairnLog
import CairnModel

struct TailCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tail",
        abstract: "Stream the change log (--changes) or the event log (--events) as JSON lines, from an offset.",
        discussion: "Each line carries its offset: resume with --from LAST+1. With --follow, waits for new records until interrupted."
    )

    @OptionGroup var dataOptions: DataOptions

    @Flag(help: "Stream the change log.")
    var changes = false

    @Flag(help: "Stream the event log.")
    var events = false

    @Option(help: "The first offset.")
    var from: UInt64 = 0

    @Flag(help: "Keep waiting for new records.")
    var follow = false

    func validate() throws {
        guard changes != events else { throw ValidationError("give exactly one of --changes and --events") }
    }

    func run() async throws {
        let directory = dataOptions.data + (changes ? "/changes" : "/events")
        if !follow {
            let reader = try LogSnapshot.reader(directory: directory)
            let output = OutputBuffer()
            try reader.scan(from: from) { record in
                output.write(try line(offset: record.offset, payload: Array(record.payload)) + "\n")
                return true
            }
            output.flush()
            return
        }
        let log = try await DurableLog.open(directory: directory)
        do {
            for try await record in log.records(from: from) {
                print(try line(offset: record.offset, payload: record.payload))
            }
        } catch {
            try? await log.close()
            throw error
        }
        try await log.close()
    }

    private func line(offset: UInt64, payload: [UInt8]) throws -> String {
        let body: JSONValue = changes ? try JSONValue(binary: payload) : try EventRecord.decode(payload).jsonValue(includingPersonal: true)
        return "{\"offset\":\(offset),\"record\":\(String(decoding: body.serialized(), as: UTF8.self))}"
    }
}
