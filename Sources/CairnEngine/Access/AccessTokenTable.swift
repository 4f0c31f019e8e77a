import CairnModel

/// A token as kept in the tokens file: the public part and the SHA-256 of the token.
struct StoredAccessToken: Sendable, Equatable {
    let token: AccessToken
    /// SHA-256 of the token's UTF-8 bytes, as 64 lower-case hex digits.
    let digest: String
}

/// The tokens of one tokens file, and the file's text format. A value: no I/O, no clock, no
/// randomness (``AccessTokens`` does those), so every rule here is tested without a disk.
///
/// The format (version 1), UTF-8, each line ending in `\n`, fields separated by one space:
///
///     cairn-tokens 1
///     <name> <role> <sha256> <created>
///     ...
///
/// - the first line is the magic and version, exactly `cairn-tokens 1`;
/// - then one line per token, in name order when written: its name (see
///   ``AccessToken/validateName(_:)``), its role (`admin`, `auditor` or `reader`), the SHA-256 of
///   the token in 64 lower-case hex digits, and its creation time in UTC, ISO 8601 with six
///   fraction digits (`2026-01-01T00:00:00.000000Z`).
///
/// Anything else (a missing or unknown header, a field too many or too few, a bad name, role,
/// hash or time, a name or hash twice, more than ``tokenCountMax`` tokens, a last line without its
/// newline) makes the whole file invalid: ``parse(_:path:)`` names the file and the line.
struct AccessTokenTable: Sendable, Equatable {
    /// At most this many tokens.
    static let tokenCountMax = 1_000
    static let magic = "cairn-tokens"
    static let version = 1
    /// A file of ``tokenCountMax`` tokens is about 166 KB; a longer one is refused unread.
    static let fileBytesMax = 256 * 1024

    private(set) var byName: [String: StoredAccessToken] = [:]
    /// Names by digest: a presented token is found in O(1).
    private(set) var nameByDigest: [String: String] = [:]

    init() {}

    var count: Int { byName.count }

    /// The tokens in name order.
    var tokens: [AccessToken] { byName.keys.sorted().map { byName[$0]!.token } }

    /// The token whose hash is `digest`, if any.
    func stored(digest: String) -> StoredAccessToken? {
        nameByDigest[digest].map { byName[$0]! }
    }

    /// Adds `stored`.
    ///
    /// - Throws: ``EngineError`` `invalidArgument` for an invalid name, `conflict` when the name
    ///   is taken, `limitReached` when the table holds ``tokenCountMax`` tokens.
    mutating func insert(_ stored: StoredAccessToken) throws(EngineError) {
        let name = stored.token.name
        try AccessToken.validateName(name)
        guard byName[name] == nil else { throw EngineError(.conflict, "a token named '\(name)' exists already; revoke it first to replace it") }
        guard count < Self.tokenCountMax else {
            throw EngineError(.limitReached, "there are \(Self.tokenCountMax) tokens already, the most there can be; revoke one first")
        }
        // 256 random bits: two tokens with one hash mean a broken generator, not bad luck.
        precondition(nameByDigest[stored.digest] == nil, "two access tokens with the same SHA-256")
        byName[name] = stored
        nameByDigest[stored.digest] = name
    }

    /// Removes the token named `name` and returns it.
    ///
    /// - Throws: ``EngineError`` `notFound` when there is none.
    mutating func remove(name: String) throws(EngineError) -> AccessToken {
        guard let stored = byName.removeValue(forKey: name) else { throw EngineError(.notFound, "no token named '\(name)'") }
        nameByDigest.removeValue(forKey: stored.digest)
        return stored.token
    }

    /// The file's bytes: header, then the tokens in name order.
    func rendered() -> [UInt8] {
        var text = "\(Self.magic) \(Self.version)\n"
        for name in byName.keys.sorted() {
            let stored = byName[name]!
            text += "\(name) \(stored.token.role.rawValue) \(stored.digest) \(ClientTime.iso8601(micros: stored.token.createdAtMicros))\n"
        }
        return Array(text.utf8)
    }

    /// The table in `bytes`, read from `path` (named in errors).
    ///
    /// - Throws: ``EngineError`` `corruptedFile`: `<path>:<line>: <what is wrong>`.
    static func parse(_ bytes: [UInt8], path: String) throws(EngineError) -> AccessTokenTable {
        func damaged(_ line: Int, _ message: String) -> EngineError {
            EngineError(.corruptedFile, "\(path):\(line): \(message)")
        }
        var lines = bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
        // What follows the last newline: nothing in a whole file.
        guard lines.removeLast().isEmpty else { throw damaged(lines.count + 1, "the last line has no newline: the file is cut short") }
        guard !lines.isEmpty else { throw damaged(1, "the file is empty; it must start with '\(magic) \(version)'") }
        let header = String(decoding: lines[0], as: UTF8.self)
        guard header == "\(magic) \(version)" else {
            if header.hasPrefix(magic + " ") {
                throw damaged(1, "version '\(header.dropFirst(magic.count + 1))' is not one this build reads (\(version))")
            }
            throw damaged(1, "not a tokens file: the first line must be '\(magic) \(version)'")
        }
        var table = AccessTokenTable()
        var lineByName: [String: Int] = [:], lineByDigest: [String: Int] = [:]
        for (index, line) in lines.enumerated().dropFirst() {
            let number = index + 1
            guard table.count < tokenCountMax else { throw damaged(number, "more than \(tokenCountMax) tokens") }
            let fields = line.split(separator: UInt8(ascii: " "), omittingEmptySubsequences: false).map { String(decoding: $0, as: UTF8.self) }
            guard fields.count == 4 else {
                throw damaged(number, "\(fields.count) field\(fields.count == 1 ? "" : "s") where there must be 4, one space apart: name, role, sha256, created")
            }
            do { try AccessToken.validateName(fields[0]) } catch { throw damaged(number, error.message) }
            guard let role = Role(rawValue: fields[1]) else {
                throw damaged(number, "unknown role '\(fields[1])'; one of \(Role.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            guard isDigest(fields[2]) else { throw damaged(number, "the hash must be 64 lower-case hex digits (SHA-256)") }
            guard let createdAtMicros = ClientTime.parse(fields[3]), ClientTime.iso8601(micros: createdAtMicros) == fields[3] else {
                throw damaged(number, "the time '\(fields[3])' is not in the form 2026-01-01T00:00:00.000000Z")
            }
            if let other = lineByName[fields[0]] { throw damaged(number, "the name '\(fields[0])' is on line \(other) already") }
            if let other = lineByDigest[fields[2]] { throw damaged(number, "the same hash as line \(other)") }
            lineByName[fields[0]] = number
            lineByDigest[fields[2]] = number
            try table.insert(StoredAccessToken(token: AccessToken(name: fields[0], role: role, createdAtMicros: createdAtMicros), digest: fields[2]))
        }
        return table
    }

    static func isDigest(_ text: String) -> Bool {
        text.utf8.count == 64 && text.utf8.allSatisfy { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains($0) }
    }
}
