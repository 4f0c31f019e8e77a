import CairnLog
import COpenSSL
import Glibc
import Synchronization

/// The access tokens of a data directory, kept in the file `DATA/tokens` (format in
/// ``AccessTokenTable`` and docs/access.md): for each token its name, ``Role``, creation time
/// and the SHA-256 of the token. The token itself is returned once, by ``create(name:role:)``,
/// and never stored.
///
/// Thread-safe: one `Mutex` guards the tokens read from the file. Safe across processes too:
/// changes take an flock(2) on `DATA/tokens.lock`, re-read the file under it and replace the file
/// atomically (mode 0600, fsynced with its directory), and readers notice a replaced or edited
/// file by its fingerprint (one lstat(2) per ``verify(_:)`` or ``list()``), so a token revoked
/// from the command line stops working in a running server at its next request.
///
/// ``create(name:role:)`` and ``revoke(name:)`` block on fsync and the lock (up to
/// ``lockWaitMsMax``): call them off the cooperative pool.
public final class AccessTokens: Sendable {
    public static let fileName = "tokens"
    /// The longest wait for another process's change to finish.
    public static let lockWaitMsMax = 5_000
    /// Longer presented tokens are refused unhashed.
    static let presentedBytesMax = 256
    static let prefix = "cairn_"
    static let randomByteCount = 32

    /// `DATA/tokens`.
    public let path: String
    let dataDirectory: String
    private let clock: any LogClock
    private let state: Mutex<State>

    private struct State {
        var table: AccessTokenTable
        /// The file the table was read from, or written as.
        var fingerprint: PrivateFile.Fingerprint
        /// Why the file could not be read last time; the tokens are then refused until it can.
        var failure: EngineError?
    }

    /// The tokens of `dataDirectory`; none when it has no tokens file (it is created by the
    /// first ``create(name:role:)``, and so is the directory).
    ///
    /// - Parameter clock: gives the creation time of new tokens.
    /// - Throws: ``EngineError`` `corruptedFile` naming the file and line when the file is
    ///   damaged; `io` when it cannot be read, is not a regular file, or others may read or write it.
    public static func open(dataDirectory: String, clock: any LogClock = SystemClock()) throws(EngineError) -> AccessTokens {
        let path = dataDirectory + "/" + fileName
        let (table, fingerprint) = try read(path)
        return AccessTokens(path: path, dataDirectory: dataDirectory, clock: clock, state: State(table: table, fingerprint: fingerprint))
    }

    private init(path: String, dataDirectory: String, clock: any LogClock, state: State) {
        self.path = path
        self.dataDirectory = dataDirectory
        self.clock = clock
        self.state = Mutex(state)
    }

    /// Creates a token named `name` with `role`, from the system's random generator, and returns
    /// it: `cairn_` and 64 hex digits (256 random bits). This is the only time it is seen; the
    /// file keeps its SHA-256.
    ///
    /// - Throws: ``EngineError`` `invalidArgument` for a name that breaks
    ///   ``AccessToken/validateName(_:)``, `conflict` when the name is taken, `limitReached` at
    ///   1,000 tokens, `corruptedFile` or `io` when the file cannot be read or written (nothing
    ///   changed then).
    public func create(name: String, role: Role) throws(EngineError) -> String {
        var generator = SystemRandomNumberGenerator()
        return try create(name: name, role: role, using: &generator)
    }

    /// ``create(name:role:)`` with the token's random bytes from `generator`: a seeded one makes
    /// the token predictable, for tests only.
    func create(name: String, role: Role, using generator: inout some RandomNumberGenerator) throws(EngineError) -> String {
        try AccessToken.validateName(name)
        var bytes: [UInt8] = []
        while bytes.count < Self.randomByteCount { withUnsafeBytes(of: generator.next() as UInt64) { bytes += $0 } }
        let token = Self.prefix + SecretKey.hexText(bytes)
        let stored = StoredAccessToken(token: AccessToken(name: name, role: role, createdAtMicros: clock.nowMicros()),
                                       digest: SHA256Hex.digest(Array(token.utf8)))
        try change { (table: inout AccessTokenTable) throws(EngineError) in try table.insert(stored) }
        return token
    }

    /// Revokes the token named `name`: from the moment this returns, ``verify(_:)`` refuses it,
    /// here and in every process using this data directory. Returns the revoked token.
    ///
    /// - Throws: ``EngineError`` `notFound` when there is no such token, `corruptedFile` or `io`
    ///   when the file cannot be read or written (nothing changed then).
    @discardableResult
    public func revoke(name: String) throws(EngineError) -> AccessToken {
        try change { (table: inout AccessTokenTable) throws(EngineError) in try table.remove(name: name) }
    }

    /// The token's name and role, or nil when `token` is no current token. Never throws: a tokens
    /// file that has become unreadable or damaged refuses every token until it is repaired.
    ///
    /// The lookup is by the token's SHA-256, and the hash found is compared with the presented
    /// one in constant time (`CRYPTO_memcmp`).
    public func verify(_ token: String) -> AccessToken? {
        guard token.utf8.count <= Self.presentedBytesMax else { return nil }
        let digest = SHA256Hex.digest(Array(token.utf8))
        return state.withLock { state in
            refresh(&state)
            guard state.failure == nil, let stored = state.table.stored(digest: digest) else { return nil }
            return Self.constantTimeEqual(stored.digest, digest) ? stored.token : nil
        }
    }

    /// Every token, in name order (names, roles and creation times; never a hash).
    ///
    /// - Throws: ``EngineError`` `corruptedFile` or `io` when the file changed and cannot be read.
    public func list() throws(EngineError) -> [AccessToken] {
        try state.withLock { (state: inout State) throws(EngineError) -> [AccessToken] in
            refresh(&state)
            if let failure = state.failure { throw failure }
            return state.table.tokens
        }
    }

    /// Applies `body` to the tokens as the file holds them now and writes the result, holding
    /// the writer lock. The mutex is not held while writing, so that ``verify(_:)`` does not
    /// wait for fsync; another thread that reads the file meanwhile sees the old or the new one.
    private func change<T>(_ body: (inout AccessTokenTable) throws(EngineError) -> T) throws(EngineError) -> T {
        do {
            try PosixStorage().createDirectory(dataDirectory)
        } catch {
            throw EngineError(.io, "cannot create \(dataDirectory): \(error)")
        }
        return try PrivateFile.withWriterLock(path + ".lock", waitMsMax: Self.lockWaitMsMax) { () throws(EngineError) -> T in
            var table = try state.withLock { (state: inout State) throws(EngineError) -> AccessTokenTable in
                refresh(&state)
                if let failure = state.failure { throw failure }
                return state.table
            }
            let result = try body(&table)
            let fingerprint = try PrivateFile.replace(path, directory: dataDirectory, with: table.rendered())
            state.withLock { $0 = State(table: table, fingerprint: fingerprint) }
            return result
        }
    }

    /// Re-reads the file when it is not the one last read (or last reading failed).
    private func refresh(_ state: inout State) {
        guard state.failure != nil || PrivateFile.Fingerprint.of(path) != state.fingerprint else { return }
        do {
            let (table, fingerprint) = try Self.read(path)
            state = State(table: table, fingerprint: fingerprint)
        } catch {
            state.failure = error
        }
    }

    private static func read(_ path: String) throws(EngineError) -> (AccessTokenTable, PrivateFile.Fingerprint) {
        let (bytes, fingerprint) = try PrivateFile.read(path, bytesMax: AccessTokenTable.fileBytesMax)
        guard let bytes else { return (AccessTokenTable(), fingerprint) }
        return (try AccessTokenTable.parse(bytes, path: path), fingerprint)
    }

    /// Whether two digests are equal, in a time that depends on their length only.
    static func constantTimeEqual(_ a: String, _ b: String) -> Bool {
        let a = Array(a.utf8), b = Array(b.utf8)
        guard a.count == b.count else { return false }
        return a.withUnsafeBytes { a in b.withUnsafeBytes { b in CRYPTO_memcmp(a.baseAddress, b.baseAddress, a.count) == 0 } }
    }
}
