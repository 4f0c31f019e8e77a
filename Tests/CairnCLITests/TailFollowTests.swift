import CairnCorpus
import CairnTestSupport
import Foundation
import Glibc
import Testing

/// End-to-end tests of `cairn tail`, following a log that another `cairn` process writes.
@Suite("cairn tail", .serialized)
struct TailFollowTests {
    static let cairn = ChildProcess.builtProduct("cairn")

    static func run(_ arguments: [String]) throws -> (status: Int32, output: String) {
        let process = try ChildProcess(cairn, arguments)
        let output = process.readToEnd()
        return (process.wait(), output)
    }

    /// Writes `lines` to `path`, one per line.
    static func writeLines(_ path: String, _ lines: [[UInt8]]) {
        var bytes: [UInt8] = []
        for line in lines { bytes += line + [UInt8(ascii: "\n")] }
        _ = FileManager.default.createFile(atPath: path, contents: Data(bytes))
    }

    static func lineCount(_ text: String) -> Int {
        text.utf8.reduce(0) { $0 + ($1 == UInt8(ascii: "\n") ? 1 : 0) }
    }

    /// Whether `text` ends with a whole line that starts with `prefix` (cheap on long output).
    static func endsWithLine(_ text: String, startingWith prefix: String) -> Bool {
        let bytes = text.utf8
        guard bytes.last == UInt8(ascii: "\n") else { return false }
        let body = bytes.dropLast()
        let start = body.lastIndex(of: UInt8(ascii: "\n")).map { bytes.index(after: $0) } ?? bytes.startIndex
        return bytes[start...].starts(with: prefix.utf8)
    }

    /// The payload of a raw record's JSON line.
    static func payload(_ line: Substring) throws -> (offset: Int?, kind: Int?, payload: [UInt8]?) {
        let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
        return (object?["offset"] as? Int, object?["kind"] as? Int, (object?["payload"] as? String).map { Array($0.utf8) })
    }

    @Test("tail --events --follow --json beside a `cairn log append` process sees every appended line once, in order")
    func followsAnAppendingProcess() throws {
        #expect(access(Self.cairn, X_OK) == 0, "build the cairn product first: \(Self.cairn)")
        let dir = TemporaryDirectory("cairn-tail")
        defer { dir.remove() }
        let before = CorpusGenerator.lines(seed: 7, count: 500)
        let during = CorpusGenerator.lines(seed: 8, count: 2000)
        Self.writeLines(dir.path + "/before.jsonl", before)
        Self.writeLines(dir.path + "/during.jsonl", during)
        #expect(try Self.run(["log", "append", "--data", dir.path, "--fsync", "none", dir.path + "/before.jsonl"]).status == 0)

        let tail = try ChildProcess(Self.cairn, ["tail", "--events", "--follow", "--json", "--data", dir.path])
        // The writer takes the log's lock while the tail runs: the tail holds none.
        let append = try Self.run(["log", "append", "--data", dir.path, "--fsync", "always", dir.path + "/during.jsonl"])
        #expect(append.status == 0, "\(append.output)")
        let expected = before + during
        tail.readUntil(timeoutMs: 20_000) { Self.endsWithLine($0, startingWith: "{\"offset\":\(expected.count - 1),") }
        tail.kill(SIGINT)
        let output = tail.readToEnd()
        #expect(tail.wait() == 128 + SIGINT, "an interrupted tail ends by the signal")
        #expect(output.hasSuffix("\n"), "every line is whole")

        let lines = output.split(separator: "\n", omittingEmptySubsequences: false).dropLast()
        #expect(lines.count == expected.count)
        for (i, line) in lines.prefix(expected.count).enumerated() {
            let record = try Self.payload(line)
            #expect(record.offset == i && record.kind == 0, "line \(i): \(line.prefix(80))")
            #expect(record.payload == expected[i], "line \(i)")
        }
    }

    @Test("the plain format prints one compact line per record, with and without --follow")
    func plainLines() throws {
        let dir = TemporaryDirectory("cairn-tail")
        defer { dir.remove() }
        var lines = CorpusGenerator.lines(seed: 9, count: 300)
        lines[5] = Array("a line with \"quotes\", a tab\tand é".utf8)
        Self.writeLines(dir.path + "/input.jsonl", lines)
        #expect(try Self.run(["log", "append", "--data", dir.path, "--fsync", "none", dir.path + "/input.jsonl"]).status == 0)

        let snapshot = try Self.run(["tail", "--events", "--data", dir.path, "--from", "2"])
        #expect(snapshot.status == 0, "\(snapshot.output)")
        let tail = try ChildProcess(Self.cairn, ["tail", "--events", "--follow", "--data", dir.path, "--from", "2"])
        tail.readUntil(timeoutMs: 20_000) { Self.endsWithLine($0, startingWith: "\(lines.count - 1) ") }
        tail.kill(SIGTERM)
        let followed = tail.readToEnd()
        #expect(tail.wait() == 128 + SIGTERM)
        #expect(followed == snapshot.output)

        let printed = snapshot.output.split(separator: "\n", omittingEmptySubsequences: false).dropLast()
        #expect(printed.count == lines.count - 2)
        for (i, line) in printed.enumerated() {
            #expect(line.hasPrefix("\(i + 2) kind=0 bytes=\(lines[i + 2].count) \""), "\(line.prefix(80))")
        }
        #expect(printed[3] == "5 kind=0 bytes=\(lines[5].count) \"a line with \\\"quotes\\\", a tab\\tand é\"")
    }

    @Test("events and changes from `cairn import` print decoded, compact or as JSON")
    func decodedRecords() throws {
        let dir = TemporaryDirectory("cairn-tail")
        defer { dir.remove() }
        Self.writeLines(dir.path + "/events.jsonl", CorpusGenerator.lines(seed: 3, count: 40))
        let imported = try Self.run(["import", "--data", dir.path, dir.path + "/events.jsonl"])
        #expect(imported.status == 0, "\(imported.output)")

        let events = try Self.run(["tail", "--events", "--data", dir.path])
        let eventLines = events.output.split(separator: "\n")
        #expect(events.status == 0 && eventLines.count == 40, "\(events.output.prefix(300))")
        for (i, line) in eventLines.enumerated() {
            let fields = line.split(separator: " ")
            #expect(fields.count == 4 && fields[0] == "\(i)" && fields[2].hasPrefix("event=") && fields[3].hasPrefix("profile="), "\(line)")
        }
        let eventJSON = try Self.run(["tail", "--events", "--json", "--data", dir.path, "--from", "39"])
        #expect(eventJSON.output.hasPrefix("{\"offset\":39,\"record\":{") && Self.lineCount(eventJSON.output) == 1, "\(eventJSON.output)")

        let changes = try Self.run(["tail", "--changes", "--data", dir.path])
        let changeLines = changes.output.split(separator: "\n")
        #expect(changes.status == 0 && changeLines.count >= 40, "\(changes.output.prefix(300))")
        for (i, line) in changeLines.enumerated() {
            let fields = line.split(separator: " ")
            #expect(fields.count >= 3 && fields[0] == "\(i)" && fields[1].contains(".") && fields[2].hasPrefix("id="), "\(line)")
        }
        #expect(changeLines.contains { $0.contains(" fields=") })
        let changeJSON = try Self.run(["tail", "--changes", "--json", "--data", dir.path])
        let jsonLines = changeJSON.output.split(separator: "\n")
        #expect(jsonLines.count == changeLines.count)
        for (i, line) in jsonLines.enumerated() {
            let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
            #expect(object?["offset"] as? Int == i && object?["record"] is [String: Any], "\(line.prefix(120))")
        }
    }

    @Test("a follower whose reader goes away ends quietly")
    func closedOutput() throws {
        let dir = TemporaryDirectory("cairn-tail")
        defer { dir.remove() }
        Self.writeLines(dir.path + "/input.jsonl", CorpusGenerator.lines(seed: 11, count: 3000))
        #expect(try Self.run(["log", "append", "--data", dir.path, "--fsync", "none", dir.path + "/input.jsonl"]).status == 0)
        // More output than a pipe holds, so the tail is writing when `head` exits.
        let script = "'\(Self.cairn)' tail --events --follow --json --data '\(dir.path)' | head -n 3; echo \"status=${PIPESTATUS[0]}\""
        let shell = try ChildProcess("/bin/bash", ["-c", script])
        let output = shell.readToEnd()
        #expect(shell.wait() == 0)
        let lines = output.split(separator: "\n")
        #expect(lines.count == 4, "\(output.prefix(400))")
        #expect(lines.last == "status=0", "\(output.suffix(200))")
    }
}
