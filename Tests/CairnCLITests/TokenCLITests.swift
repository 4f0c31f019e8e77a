import CairnTestSupport
import Foundation
import Glibc
import Testing

/// `cairn token`, end to end.
@Suite("cairn token: create, list and revoke access tokens from the command line", .serialized)
struct TokenCLITests {
    static func run(_ arguments: [String]) throws -> (status: Int32, output: String) {
        let process = try ChildProcess(ChildProcess.builtProduct("cairn"), arguments)
        let output = process.readToEnd()
        return (process.wait(), output)
    }

    /// SHA-256 of `text` in hex, by the system's `sha256sum`: the file's hash checked by another
    /// implementation than the one that wrote it.
    static func sha256(_ text: String, scratch: String) throws -> String {
        let file = scratch + "/token.txt"
        try text.write(toFile: file, atomically: false, encoding: .utf8)
        defer { unlink(file) }
        let process = try ChildProcess("/usr/bin/sha256sum", [file])
        let output = process.readToEnd()
        #expect(process.wait() == 0, "\(output)")
        return String(output.prefix(64))
    }

    @Test("create prints the token once with a warning; list shows names and roles; revoke removes it; the file keeps hashes only")
    func lifecycle() throws {
        let dir = TemporaryDirectory("cairn-token-cli")
        defer { dir.remove() }
        let data = dir.path + "/data"

        let empty = try Self.run(["token", "list", "--data", data])
        #expect(empty.status == 0 && empty.output.contains("no access tokens"), "\(empty.output)")

        let created = try Self.run(["token", "create", "ops", "--role", "admin", "--data", data])
        #expect(created.status == 0, "\(created.output)")
        let lines = created.output.split(separator: "\n").map(String.init)
        let token = try #require(lines.first { $0.hasPrefix("cairn_") })
        #expect(token.count == 70 && lines.filter { $0.contains(token) }.count == 1, "\(created.output)")
        #expect(created.output.contains("cannot be shown again"), "\(created.output)")
        #expect(created.output.contains("admin token 'ops'") && created.output.contains(data + "/tokens"))

        let reader = try Self.run(["token", "create", "dashboard.ro", "--role", "reader", "--data", data])
        #expect(reader.status == 0, "\(reader.output)")
        let auditor = try Self.run(["token", "create", "audit_1", "--role", "auditor", "--data", data])
        #expect(auditor.status == 0, "\(auditor.output)")

        let list = try Self.run(["token", "list", "--data", data])
        #expect(list.status == 0)
        let rows = list.output.split(separator: "\n").map { $0.split(separator: "\t").map(String.init) }
        #expect(rows.map { Array($0.prefix(2)) } == [["audit_1", "auditor"], ["dashboard.ro", "reader"], ["ops", "admin"]], "\(list.output)")
        #expect(rows.allSatisfy { $0.count == 3 && $0[2].hasSuffix("Z") }, "\(list.output)")
        #expect(!list.output.contains("cairn_"))

        var info = stat()
        #expect(stat(data + "/tokens", &info) == 0 && info.st_mode & 0o777 == 0o600)
        let file = try String(contentsOfFile: data + "/tokens", encoding: .utf8)
        #expect(!file.contains(token) && !file.contains(token.dropFirst(6)), "\(file)")
        let hash = try Self.sha256(token, scratch: dir.path)
        #expect(file.contains("\nops admin \(hash) "), "\(file)")

        let revoked = try Self.run(["token", "revoke", "ops", "--data", data])
        #expect(revoked.status == 0 && revoked.output.contains("revoked the admin token 'ops'"), "\(revoked.output)")
        let after = try Self.run(["token", "list", "--data", data])
        #expect(after.output.split(separator: "\n").map { $0.prefix(while: { $0 != "\t" }) } == ["audit_1", "dashboard.ro"])
        #expect(!(try String(contentsOfFile: data + "/tokens", encoding: .utf8)).contains(hash))
    }

    @Test("mistakes exit non-zero with a message naming them; nothing is created")
    func mistakes() throws {
        let dir = TemporaryDirectory("cairn-token-cli")
        defer { dir.remove() }
        let data = dir.path + "/data"
        let cases: [([String], String)] = [
            (["token", "create", "ops", "--role", "root"], "--role must be one of admin, auditor, reader, got 'root'"),
            (["token", "create", "ops"], "--role"),
            (["token", "create", "Ops", "--role", "admin"], "'O' at position 1"),
            (["token", "create", String(repeating: "a", count: 65), "--role", "admin"], "at most 64"),
            (["token", "revoke", "nobody"], "no token named 'nobody'"),
        ]
        for (arguments, message) in cases {
            let result = try Self.run(arguments + ["--data", data])
            #expect(result.status != 0 && result.output.contains(message), "\(arguments): \(result.output)")
            #expect(!result.output.contains("cairn_"))
        }
        #expect(!FileManager.default.fileExists(atPath: data + "/tokens"))

        #expect(try Self.run(["token", "create", "ops", "--role", "reader", "--data", data]).status == 0)
        let twice = try Self.run(["token", "create", "ops", "--role", "admin", "--data", data])
        #expect(twice.status != 0 && twice.output.contains("'ops' exists already") && !twice.output.contains("cairn_"), "\(twice.output)")

        let path = data + "/tokens"
        let text = try String(contentsOfFile: path, encoding: .utf8)
        try text.replacingOccurrences(of: " reader ", with: " boss ").write(toFile: path, atomically: false, encoding: .utf8)
        let damaged = try Self.run(["token", "list", "--data", data])
        #expect(damaged.status != 0 && damaged.output.contains("\(path):2: unknown role 'boss'"), "\(damaged.output)")
    }
}
