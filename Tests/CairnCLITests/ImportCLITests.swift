import CairnCorpus
import CairnModel
import CairnTestSupport
import Foundation
import Testing

/// `cairn import`, `profile get/events` and `tail --changes` on a generated corpus, end to end.
@Suite("cairn import and the projections from the command line", .serialized)
struct ImportCLITests {
    static func run(_ arguments: [String]) throws -> (status: Int32, output: String) {
        let process = try ChildProcess(ChildProcess.builtProduct("cairn"), arguments)
        let output = process.readToEnd()
        return (process.wait(), output)
    }

    static let trackPayload = #"{"source":{"id":"web"},"session":{"id":"s-track"},"profile":{"id":"p-track"},"events":[{"type":"Page View","properties":{"email":"Track@Example.com"}},{"type":"purchase"}]}"#

    @Test("a corpus and a /track payload import, project, and read back through profile get/events and tail --changes")
    func importAndRead() throws {
        let dir = TemporaryDirectory("cairn-import")
        defer { dir.remove() }
        let lines = CorpusGenerator.lines(seed: 8, count: 2000)
        let input = dir.path + "/events.jsonl"
        var bytes: [UInt8] = []
        for line in lines { bytes += line + [UInt8(ascii: "\n")] }
        bytes += Array(Self.trackPayload.utf8) + [UInt8(ascii: "\n")]
        #expect(FileManager.default.createFile(atPath: input, contents: Data(bytes)))

        let imported = try Self.run(["import", "--data", dir.path, input])
        #expect(imported.status == 0, "\(imported.output)")
        #expect(imported.output.contains("appended 2002 events from 2001 lines"), "\(imported.output)")
        #expect(imported.output.contains("projected 2002 events"), "\(imported.output)")

        // The first corpus event's profile, by id: its trail holds that event.
        let first = try CorpusLine.parse(line: lines[0])
        let profileID = try #require(first.profileID)
        let profile = try Self.run(["profile", "get", "--data", dir.path, profileID])
        #expect(profile.status == 0, "\(profile.output)")
        let profileJSON = try JSONParser.parse(Array(profile.output.utf8.filter { $0 != UInt8(ascii: "\n") }))
        #expect(profileJSON["ids"]?.arrayValue?.contains(.string(profileID)) == true, "\(profile.output)")
        let trail = try Self.run(["profile", "events", "--data", dir.path, profileID])
        #expect(trail.status == 0 && trail.output.contains("\"id\":\"\(first.id)\""), "\(trail.output.prefix(400))")

        // The /track profile by its email identifier: two events in its trail.
        let tracked = try Self.run(["profile", "events", "--data", dir.path, "email:track@example.com"])
        #expect(tracked.status == 0 && tracked.output.split(separator: "\n").count == 2, "\(tracked.output)")

        // Every change, as JSON, with offsets 0, 1, 2, … and a kind.
        let changes = try Self.run(["tail", "--changes", "--json", "--data", dir.path])
        #expect(changes.status == 0)
        let records = try changes.output.split(separator: "\n").map { try JSONParser.parse(Array($0.utf8)) }
        #expect(records.count > 2002)
        #expect(records.enumerated().allSatisfy { $0.element["offset"] == .integer(Int64($0.offset)) && $0.element["record"]?["kind"] != nil })
        // A subscriber resumes exactly where it left off.
        let resumed = try Self.run(["tail", "--changes", "--json", "--from", "100", "--data", dir.path])
        #expect(resumed.output.split(separator: "\n").map(String.init) == changes.output.split(separator: "\n").dropFirst(100).map(String.init))
    }

    @Test("a bad line stops the import naming its line, and nothing of the file is appended")
    func badLine() throws {
        let dir = TemporaryDirectory("cairn-import-bad")
        defer { dir.remove() }
        var bytes: [UInt8] = []
        for line in CorpusGenerator.lines(seed: 9, count: 50) { bytes += line + [UInt8(ascii: "\n")] }
        bytes += Array(#"{"source":{"id":"web"},"events":[{"type":""}]}"#.utf8) + [UInt8(ascii: "\n")]
        let input = dir.path + "/bad.jsonl"
        #expect(FileManager.default.createFile(atPath: input, contents: Data(bytes)))
        let imported = try Self.run(["import", "--data", dir.path, input])
        #expect(imported.status != 0)
        #expect(imported.output.contains("bad.jsonl:51:"), "\(imported.output)")
        #expect(!imported.output.contains("appended"), "\(imported.output)")
        // Nothing was appended: the log, if it exists, is empty.
        let stats = try Self.run(["log", "stats", "--data", dir.path])
        #expect(stats.status != 0 || stats.output.contains("records            0"), "\(stats.output)")
    }
}
