import CairnTestSupport
import Foundation
import Glibc
import Testing
@testable import CairnEngine

@Suite("Access tokens: roles, hashed storage in DATA/tokens, verification and revocation")
struct AccessTokenTests {
    /// 2026-01-01T00:00:00Z.
    static let start: Int64 = 1_767_225_600_000_000

    static func contents(_ path: String) throws -> String {
        try String(contentsOfFile: path, encoding: .utf8)
    }

    static func write(_ text: String, to path: String, mode: mode_t = 0o600) throws {
        try text.write(toFile: path, atomically: false, encoding: .utf8)
        chmod(path, mode)
    }

    static func mode(_ path: String) -> mode_t {
        var info = stat()
        precondition(lstat(path, &info) == 0, "no \(path)")
        return info.st_mode & 0o777
    }

    @Test("create returns the token once; verify gives its name and role; list is in name order; revoke ends it")
    func lifecycle() throws {
        let dir = TemporaryDirectory("cairn-tokens")
        defer { dir.remove() }
        let data = dir.path + "/data"  // made by the first create
        let clock = StepClock(Self.start)
        let tokens = try AccessTokens.open(dataDirectory: data, clock: clock)
        #expect(try tokens.list().isEmpty)

        let ops = try tokens.create(name: "ops", role: .admin)
        clock.set(Self.start + 1_500_000)
        let audit = try tokens.create(name: "audit-2026.q1", role: .auditor)
        let dashboard = try tokens.create(name: "dashboard_ro", role: .reader)
        for token in [ops, audit, dashboard] {
            #expect(token.hasPrefix("cairn_") && token.count == 6 + 64, "\(token)")
            #expect(token.dropFirst(6).allSatisfy { $0.isHexDigit && !$0.isUppercase })
        }
        #expect(Set([ops, audit, dashboard]).count == 3)

        #expect(tokens.verify(ops) == AccessToken(name: "ops", role: .admin, createdAtMicros: Self.start))
        #expect(tokens.verify(audit) == AccessToken(name: "audit-2026.q1", role: .auditor, createdAtMicros: Self.start + 1_500_000))
        #expect(tokens.verify(dashboard)?.role == .reader)
        #expect(try tokens.list().map(\.name) == ["audit-2026.q1", "dashboard_ro", "ops"])

        // Another instance (another process, in effect) reads the same file.
        #expect(try AccessTokens.open(dataDirectory: data).list() == tokens.list())

        #expect(try tokens.revoke(name: "audit-2026.q1") == AccessToken(name: "audit-2026.q1", role: .auditor, createdAtMicros: Self.start + 1_500_000))
        #expect(tokens.verify(audit) == nil)
        #expect(tokens.verify(ops)?.name == "ops")
        #expect(try tokens.list().map(\.name) == ["dashboard_ro", "ops"])
        #expect(try AccessTokens.open(dataDirectory: data).verify(audit) == nil)

        let again = try tokens.create(name: "audit-2026.q1", role: .reader)  // a revoked name can be used again
        #expect(again != audit && tokens.verify(again)?.role == .reader && tokens.verify(audit) == nil)
    }

    @Test("wrong tokens are refused: another string, one digit changed, case changed, truncated, empty, huge")
    func wrongTokens() throws {
        let dir = TemporaryDirectory("cairn-tokens")
        defer { dir.remove() }
        let tokens = try AccessTokens.open(dataDirectory: dir.path)
        let token = try tokens.create(name: "ci", role: .admin)
        var changed = Array(token.utf8)
        changed[changed.count - 1] = changed.last == UInt8(ascii: "0") ? UInt8(ascii: "1") : UInt8(ascii: "0")
        let hash = SHA256Hex.digest(Array(token.utf8))
        for wrong in [String(decoding: changed, as: UTF8.self), token.uppercased(), String(token.dropLast()), token + "0", "", "cairn_",
                      " " + token, hash, String(repeating: "a", count: 1 << 20)] {
            #expect(tokens.verify(wrong) == nil, "\(wrong.prefix(80))")
        }
        #expect(tokens.verify(token)?.name == "ci")
        #expect(AccessTokens.constantTimeEqual(hash, hash) && !AccessTokens.constantTimeEqual(hash, String(hash.dropLast()) + "x"))
        #expect(!AccessTokens.constantTimeEqual(hash, String(hash.dropLast())))
    }

    @Test("the file: mode 0600, a header and one line per token with its SHA-256, never the token")
    func fileHoldsHashesOnly() throws {
        let dir = TemporaryDirectory("cairn-tokens")
        defer { dir.remove() }
        let tokens = try AccessTokens.open(dataDirectory: dir.path, clock: StepClock(Self.start))
        var generator = SplitMix64(seed: 7)
        let admin = try tokens.create(name: "zeta", role: .admin, using: &generator)
        let reader = try tokens.create(name: "alpha", role: .reader, using: &generator)
        let path = dir.path + "/tokens"
        #expect(tokens.path == path)
        #expect(Self.mode(path) == 0o600)
        let text = try Self.contents(path)
        #expect(text == """
            cairn-tokens 1
            alpha reader \(SHA256Hex.digest(Array(reader.utf8))) 2026-01-01T00:00:00.000000Z
            zeta admin \(SHA256Hex.digest(Array(admin.utf8))) 2026-01-01T00:00:00.000000Z

            """)
        for token in [admin, reader] {
            #expect(!text.contains(token) && !text.contains(token.dropFirst(6)))
        }
        // Replacements keep the mode and leave no temporary file; the lock file is private too.
        #expect(FileManager.default.createFile(atPath: path + ".tmp", contents: Data("left over".utf8), attributes: [.posixPermissions: 0o644]))
        try tokens.revoke(name: "zeta")
        #expect(Self.mode(path) == 0o600 && Self.mode(path + ".lock") == 0o600)
        #expect(!FileManager.default.fileExists(atPath: path + ".tmp"))
        #expect(try Self.contents(path).split(separator: "\n").count == 2)
        // The same generator state gives the same token: the randomness is the generator's only.
        var replay = SplitMix64(seed: 7)
        let other = try AccessTokens.open(dataDirectory: dir.path + "/other")
        #expect(try other.create(name: "zeta", role: .admin, using: &replay) == admin)
    }

    @Test("names: 1 to 64 characters of a-z 0-9 - _ . ; the error names the problem; names are unique")
    func nameValidation() throws {
        let dir = TemporaryDirectory("cairn-tokens")
        defer { dir.remove() }
        let tokens = try AccessTokens.open(dataDirectory: dir.path)
        for good in ["a", "0", "ci-deploy", "audit_2026.q1", "...", String(repeating: "x", count: 64)] {
            #expect(throws: Never.self) { try AccessToken.validateName(good) }
        }
        let cases: [(String, String)] = [
            ("", "cannot be empty"),
            (String(repeating: "x", count: 65), "65 characters long; at most 64"),
            ("Ops", "'O' at position 1"),
            ("ci deploy", "' ' at position 3"),
            ("a/b", "'/' at position 2"),
            ("zażółć", "'\\u{017C}' at position 3"),
            ("tab\t", "'\\t' at position 4"),
        ]
        for (name, problem) in cases {
            let error = #expect(throws: EngineError.self) { _ = try tokens.create(name: name, role: .reader) }
            #expect(error?.code == .invalidArgument && error?.message.contains(problem) == true, "\(name): \(String(describing: error))")
        }
        #expect(!FileManager.default.fileExists(atPath: dir.path + "/tokens"))

        _ = try tokens.create(name: "ops", role: .reader)
        let taken = #expect(throws: EngineError.self) { _ = try tokens.create(name: "ops", role: .admin) }
        #expect(taken?.code == .conflict && taken?.message.contains("'ops' exists already") == true)
        #expect(try tokens.list().map(\.role) == [.reader])
        let missing = #expect(throws: EngineError.self) { try tokens.revoke(name: "nobody") }
        #expect(missing?.code == .notFound && missing?.message.contains("'nobody'") == true)
    }

    @Test("roles' permissions: admin everything, auditor reads everything, reader profiles and changes")
    func rolePermissions() {
        let table: [Role: Set<Permission>] = [
            .admin: Set(Permission.allCases),
            .auditor: [.readProfiles, .readChanges, .readTrails, .readConfiguration],
            .reader: [.readProfiles, .readChanges],
        ]
        for role in Role.allCases {
            for permission in Permission.allCases {
                #expect(role.allows(permission) == table[role]!.contains(permission), "\(role) \(permission)")
            }
            #expect(Set(role.permissions) == table[role]!)
        }
        let writes: [Permission] = [.writeConfiguration, .replay, .manageDestinations]
        #expect(Permission.allCases.count == 7)
        #expect(writes.allSatisfy { !Role.auditor.allows($0) && !Role.reader.allows($0) })
        #expect(Role.allCases.map(\.rawValue) == ["admin", "auditor", "reader"])
    }

    @Test("a damaged file is an error naming the file and the line; nothing is written over it")
    func damagedFile() throws {
        let dir = TemporaryDirectory("cairn-tokens")
        defer { dir.remove() }
        let path = dir.path + "/tokens"
        let hash = String(repeating: "ab", count: 32), other = String(repeating: "cd", count: 32)
        let time = "2026-01-01T00:00:00.000000Z"
        let header = "cairn-tokens 1\n"
        let cases: [(text: String, line: Int, problem: String)] = [
            ("", 1, "the file is empty"),
            ("cairn-tokens 1", 1, "no newline"),
            (header + "ops admin \(hash) \(time)", 2, "no newline"),
            ("tokens\n", 1, "not a tokens file"),
            ("cairn-tokens 2\n", 1, "version '2'"),
            (header + "ops admin \(hash)\n", 2, "3 fields where there must be 4"),
            (header + "ops admin  \(hash) \(time)\n", 2, "5 fields"),
            (header + "\n", 2, "1 field where"),
            (header + "Ops admin \(hash) \(time)\n", 2, "'O' at position 1"),
            (header + "ops root \(hash) \(time)\n", 2, "unknown role 'root'"),
            (header + "ops admin \(hash.uppercased()) \(time)\n", 2, "64 lower-case hex digits"),
            (header + "ops admin \(hash.dropLast()) \(time)\n", 2, "64 lower-case hex digits"),
            (header + "ops admin \(hash) 2026-01-01T00:00:00Z\n", 2, "not in the form"),
            (header + "ops admin \(hash) yesterday\n", 2, "not in the form"),
            (header + "ops admin \(hash) \(time)\nops reader \(other) \(time)\n", 3, "'ops' is on line 2 already"),
            (header + "ops admin \(hash) \(time)\nci reader \(hash) \(time)\n", 3, "the same hash as line 2"),
        ]
        for (text, line, problem) in cases {
            try Self.write(text, to: path)
            let error = #expect(throws: EngineError.self) { _ = try AccessTokens.open(dataDirectory: dir.path) }
            #expect(error?.code == .corruptedFile && error?.message.hasPrefix("\(path):\(line): ") == true && error?.message.contains(problem) == true,
                    "\(text.debugDescription): \(String(describing: error))")
        }

        // Damage seen by an open instance: every token refused, list and changes throw, the file is left alone.
        try? FileManager.default.removeItem(atPath: path)
        let tokens = try AccessTokens.open(dataDirectory: dir.path)
        let token = try tokens.create(name: "ops", role: .admin)
        var text = try Self.contents(path)
        text = text.replacingOccurrences(of: " admin ", with: " root ")
        try Self.write(text, to: path)
        #expect(tokens.verify(token) == nil)
        #expect(throws: EngineError.self) { _ = try tokens.list() }
        #expect(throws: EngineError.self) { _ = try tokens.create(name: "other", role: .reader) }
        #expect(throws: EngineError.self) { try tokens.revoke(name: "ops") }
        #expect(try Self.contents(path) == text)
        // Repaired: the token works again.
        try Self.write(text.replacingOccurrences(of: " root ", with: " admin "), to: path)
        #expect(tokens.verify(token)?.name == "ops")
    }

    @Test("a tokens file others may read is refused, and so is a symbolic link; the tokens are refused meanwhile")
    func unsafeFile() throws {
        let dir = TemporaryDirectory("cairn-tokens")
        defer { dir.remove() }
        let path = dir.path + "/tokens"
        let tokens = try AccessTokens.open(dataDirectory: dir.path)
        let token = try tokens.create(name: "ops", role: .admin)
        chmod(path, 0o644)
        let error = #expect(throws: EngineError.self) { _ = try AccessTokens.open(dataDirectory: dir.path) }
        #expect(error?.code == .io && error?.message.contains("mode 644") == true && error?.message.contains("chmod 600 \(path)") == true)
        #expect(tokens.verify(token) == nil)
        chmod(path, 0o600)
        #expect(tokens.verify(token)?.name == "ops")

        try FileManager.default.moveItem(atPath: path, toPath: dir.path + "/real")
        symlink(dir.path + "/real", path)
        #expect(throws: EngineError.self) { _ = try AccessTokens.open(dataDirectory: dir.path) }
        #expect(tokens.verify(token) == nil)
    }

    @Test("at most 1,000 tokens: a full file refuses another; a longer file is damaged")
    func limit() throws {
        let dir = TemporaryDirectory("cairn-tokens")
        defer { dir.remove() }
        let path = dir.path + "/tokens"
        var table = AccessTokenTable()
        for index in 0..<AccessTokenTable.tokenCountMax {
            let name = "t\(index)"
            try table.insert(StoredAccessToken(token: AccessToken(name: name, role: .reader, createdAtMicros: Self.start),
                                               digest: SHA256Hex.digest(Array(name.utf8))))
        }
        let full = table.rendered()
        #expect(full.count < AccessTokenTable.fileBytesMax)
        #expect(try AccessTokenTable.parse(full, path: path) == table)
        try Self.write(String(decoding: full, as: UTF8.self), to: path)
        let tokens = try AccessTokens.open(dataDirectory: dir.path)
        #expect(try tokens.list().count == 1_000)
        let error = #expect(throws: EngineError.self) { _ = try tokens.create(name: "one-more", role: .reader) }
        #expect(error?.code == .limitReached && error?.message.contains("1000") == true)
        try tokens.revoke(name: "t0")
        _ = try tokens.create(name: "one-more", role: .reader)

        let longer = String(decoding: full, as: UTF8.self) + "extra reader \(SHA256Hex.digest([1])) 2026-01-01T00:00:00.000000Z\n"
        try Self.write(longer, to: path)
        let damaged = #expect(throws: EngineError.self) { _ = try AccessTokens.open(dataDirectory: dir.path) }
        #expect(damaged?.code == .corruptedFile && damaged?.message.hasPrefix("\(path):1002: more than 1000 tokens") == true)
    }

    @Test("changes from another instance are seen: a token created or revoked elsewhere works or stops at once")
    func changesFromElsewhere() throws {
        let dir = TemporaryDirectory("cairn-tokens")
        defer { dir.remove() }
        let server = try AccessTokens.open(dataDirectory: dir.path)
        let commandLine = try AccessTokens.open(dataDirectory: dir.path)
        let token = try commandLine.create(name: "ops", role: .admin)
        #expect(server.verify(token)?.name == "ops")
        _ = try server.create(name: "ci", role: .reader)  // re-reads the file under the lock: "ops" is kept
        #expect(try commandLine.list().map(\.name) == ["ci", "ops"])
        try commandLine.revoke(name: "ops")
        #expect(server.verify(token) == nil)
        try FileManager.default.removeItem(atPath: dir.path + "/tokens")
        #expect(try server.list().isEmpty)
    }

    @Test("concurrent creates and verifies in one process: every token is kept and verifies")
    func concurrentUse() async throws {
        let dir = TemporaryDirectory("cairn-tokens")
        defer { dir.remove() }
        let tokens = try AccessTokens.open(dataDirectory: dir.path)
        let first = try tokens.create(name: "first", role: .admin)
        let created = try await withThrowingTaskGroup(of: (String, String).self) { group in
            for index in 0..<16 {
                group.addTask {
                    #expect(tokens.verify(first)?.name == "first")
                    return ("n\(index)", try tokens.create(name: "n\(index)", role: .reader))
                }
            }
            return try await group.reduce(into: [String: String]()) { $0[$1.0] = $1.1 }
        }
        #expect(created.count == 16)
        let reopened = try AccessTokens.open(dataDirectory: dir.path)
        for (name, token) in created { #expect(reopened.verify(token)?.name == name) }
        #expect(try reopened.list().count == 17)
    }
}
