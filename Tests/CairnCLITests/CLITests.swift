import CairnCorpus
import CairnTestSupport
import Foundation
import Glibc
import Testing

/// End-to-end tests of the `cairn` binary.
@Suite("cairn log CLI", .serialized)
struct CLITests {
    static let cairn = ChildProcess.builtProduct("cairn")

    /// Runs cairn with `arguments`; returns exit status and combined output.
    static func run(_ arguments: [String]) throws -> (status: Int32, output: String) {
        let process = try ChildProcess(cairn, arguments)
        let output = process.readToEnd()
        return (process.wait(), output)
    }

    static func write(_ path: String, _ bytes: [UInt8]) {
        let f = fopen(path, "wb")!
        _ = bytes.withUnsafeBytes { fwrite($0.baseAddress, 1, bytes.count, f) }
        fclose(f)
    }

    @Test("append then dump gives back every line byte-exact, in order")
    func appendDumpRoundTrip() throws {
        let dir = TemporaryDirectory("cairn-cli")
        defer { dir.remove() }
        var lines = CorpusGenerator.lines(seed: 42, count: 3000)
        lines.append([])  // an empty line is an empty record
        lines.append(Array("unicode: zażółć 🪨 \"quoted\" \\ back\tslash".utf8))
        lines.append([0xff, 0xfe, 0x00, 0x41])  // not UTF-8: dumped as base64
        let input = dir.path + "/input.jsonl"
        var bytes: [UInt8] = []
        for line in lines { bytes += line + [UInt8(ascii: "\n")] }
        bytes.removeLast()  // the last line has no newline and still counts
        Self.write(input, bytes)

        let appended = try Self.run(["log", "append", "--data", dir.path, "--fsync", "always", input])
        #expect(appended.status == 0, "\(appended.output)")
        #expect(appended.output.contains("appended \(lines.count) records"))
        #expect(appended.output.contains("records/s"))

        let dumped = try Self.run(["log", "dump", "--data", dir.path])
        #expect(dumped.status == 0)
        let dumpedLines = dumped.output.split(separator: "\n")
        #expect(dumpedLines.count == lines.count)
        for (i, line) in dumpedLines.enumerated() {
            let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as! [String: Any]
            #expect(object["offset"] as? Int == i)
            let payload: [UInt8]
            if let text = object["payload"] as? String {
                payload = Array(text.utf8)
            } else {
                payload = Array(Data(base64Encoded: object["payload_base64"] as! String)!)
            }
            #expect(payload == lines[i], "line \(i)")
        }

        let limited = try Self.run(["log", "dump", "--data", dir.path, "--from", "10", "--limit", "3"])
        #expect(limited.output.split(separator: "\n").map { $0.prefix(14) } == ["{\"offset\":10,\"", "{\"offset\":11,\"", "{\"offset\":12,\""])
        let future = try Self.run(["log", "dump", "--data", dir.path, "--since", "2999-01-01T00:00:00Z"])
        #expect(future.status == 0 && future.output.isEmpty)

        let verify = try Self.run(["log", "verify", "--data", dir.path])
        #expect(verify.status == 0, "\(verify.output)")
        #expect(verify.output.contains("intact"))

        let stats = try Self.run(["log", "stats", "--data", dir.path])
        #expect(stats.status == 0)
        #expect(stats.output.contains("records            \(lines.count)"))
        #expect(stats.output.contains("compression ratio"))
    }

    @Test("verify exits non-zero naming the damaged segment and byte")
    func verifyReportsDamage() throws {
        let dir = TemporaryDirectory("cairn-cli")
        defer { dir.remove() }
        let input = dir.path + "/input.jsonl"
        var bytes: [UInt8] = []
        for line in CorpusGenerator.lines(seed: 1, count: 500) { bytes += line + [UInt8(ascii: "\n")] }
        Self.write(input, bytes)
        #expect(try Self.run(["log", "append", "--data", dir.path, input]).status == 0)
        let segment = dir.path + "/events/00000000000000000000.log"
        var data = Array(try Data(contentsOf: URL(fileURLWithPath: segment)))
        data[200] ^= 0x10
        Self.write(segment, data)
        let verify = try Self.run(["log", "verify", "--data", dir.path])
        #expect(verify.status == 1)
        #expect(verify.output.contains("00000000000000000000.log"))
        #expect(verify.output.contains("CRC"))
    }

    @Test("bad arguments are refused with a message naming the problem")
    func badArguments() throws {
        let dir = TemporaryDirectory("cairn-cli")
        defer { dir.remove() }
        let since = try Self.run(["log", "dump", "--data", dir.path, "--since", "yesterday"])
        #expect(since.status != 0)
        #expect(since.output.contains("--since 'yesterday'"))
        let fsync = try Self.run(["log", "append", "--data", dir.path, "--fsync", "sometimes", "-"])
        #expect(fsync.status != 0)
        #expect(fsync.output.contains("sometimes"))
        let missing = try Self.run(["log", "append", "--data", dir.path, dir.path + "/no-such-file"])
        #expect(missing.status != 0)
        #expect(missing.output.contains("no-such-file"))
        let noLog = try Self.run(["log", "dump", "--data", dir.path + "/empty"])
        #expect(noLog.status != 0)
    }
}
