import Glibc

/// The 256-bit key that seals resource credentials (AES-256-GCM, see ``SealedCredentials``).
///
/// Where it comes from, in order (``load(dataDirectory:environment:)``):
/// 1. the environment variable `CAIRN_SECRET_KEY`: 64 hex digits. When set it is the key, and
///    a malformed value is an error (never a silent fall-back to the file);
/// 2. the file `secret.key` in the data directory: 64 hex digits and an optional newline, a
///    regular file readable by its owner only (mode 0600 or stricter), else refused.
///
/// The key is never created implicitly: losing it loses every credential sealed with it, so its
/// creation is a deliberate step (``createFile(dataDirectory:using:)``, `cairn config init-key`)
/// that tells where it is, to be backed up. With neither source, reading or writing credentials
/// fails with `missingKey`; configuration without credentials needs no key.
///
/// The key's bytes are never printed: `description` and reflection show only where it came from.
public struct SecretKey: Sendable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    public static let environmentVariable = "CAIRN_SECRET_KEY"
    public static let fileName = "secret.key"
    static let byteCount = 32

    let bytes: [UInt8]
    /// Where the key came from: the variable's name or the file's path.
    public let origin: String

    /// A key from 64 hex digits (either case).
    ///
    /// - Throws: ``ConfigurationError`` `invalidKey`, naming `origin` but never the text.
    public init(hex text: String, origin: String) throws(ConfigurationError) {
        let digits = Array(text.utf8)
        guard digits.count == 2 * Self.byteCount, let bytes = Self.decodeHex(digits) else {
            throw ConfigurationError(.invalidKey, "the secret key in \(origin) must be \(2 * Self.byteCount) hex digits (\(Self.byteCount) bytes)")
        }
        self.bytes = bytes
        self.origin = origin
    }

    /// A fresh random key.
    public static func random(using generator: inout some RandomNumberGenerator, origin: String) -> SecretKey {
        var bytes: [UInt8] = []
        for _ in 0..<(byteCount / 8) { withUnsafeBytes(of: generator.next() as UInt64) { bytes += $0 } }
        return SecretKey(bytes: bytes, origin: origin)
    }

    private init(bytes: [UInt8], origin: String) {
        self.bytes = bytes
        self.origin = origin
    }

    public var description: String { "SecretKey(from \(origin))" }
    public var debugDescription: String { description }
    public var customMirror: Mirror { Mirror(self, children: ["origin": origin]) }

    /// The key of a data directory (see the type's documentation for the order).
    ///
    /// - Throws: ``ConfigurationError`` `missingKey` when neither source exists, `invalidKey`
    ///   for a malformed key or a key file others can read.
    public static func load(dataDirectory: String, environment: [String: String]) throws(ConfigurationError) -> SecretKey {
        if let text = environment[environmentVariable], !text.isEmpty {
            return try SecretKey(hex: text, origin: "the environment variable \(environmentVariable)")
        }
        let path = dataDirectory + "/" + fileName
        var info = stat()
        guard stat(path, &info) == 0 else {
            guard errno == ENOENT else { throw ConfigurationError(.invalidKey, "cannot read \(path): \(String(cString: strerror(errno)))") }
            throw ConfigurationError(.missingKey, "credentials need a secret key: set \(environmentVariable) to 64 hex digits, or create \(path) with `cairn config init-key`")
        }
        guard info.st_mode & S_IFMT == S_IFREG else { throw ConfigurationError(.invalidKey, "\(path) is not a regular file") }
        guard info.st_mode & 0o077 == 0 else {
            throw ConfigurationError(.invalidKey, "\(path) can be read by others (mode \(String(info.st_mode & 0o777, radix: 8))); make it 0600")
        }
        var text = try readFile(path)
        if text.last == UInt8(ascii: "\n") { text.removeLast() }
        return try SecretKey(hex: String(decoding: text, as: UTF8.self), origin: path)
    }

    /// Creates `secret.key` in `dataDirectory` (made if missing) with a fresh random key, mode 0600,
    /// synced; returns the key.
    ///
    /// - Throws: ``ConfigurationError`` `conflict` when the file exists (it is never replaced:
    ///   that would lose every credential sealed with it), `invalidKey` on I/O errors.
    public static func createFile(dataDirectory: String, using generator: inout some RandomNumberGenerator) throws(ConfigurationError) -> SecretKey {
        let path = dataDirectory + "/" + fileName
        if mkdir(dataDirectory, 0o700) != 0 && errno != EEXIST {
            throw ConfigurationError(.invalidKey, "cannot create \(dataDirectory): \(String(cString: strerror(errno)))")
        }
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            if errno == EEXIST { throw ConfigurationError(.conflict, "\(path) exists already; it is never replaced") }
            throw ConfigurationError(.invalidKey, "cannot create \(path): \(String(cString: strerror(errno)))")
        }
        defer { close(fd) }
        let key = random(using: &generator, origin: path)
        let text = Array((hexText(key.bytes) + "\n").utf8)
        let written = text.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        guard written == text.count, fsync(fd) == 0 else {
            unlink(path)
            throw ConfigurationError(.invalidKey, "cannot write \(path): \(String(cString: strerror(errno)))")
        }
        let directory = open(dataDirectory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if directory >= 0 { _ = fsync(directory); close(directory) }
        return key
    }

    private static func readFile(_ path: String) throws(ConfigurationError) -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw ConfigurationError(.invalidKey, "cannot read \(path): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var buffer = [UInt8](repeating: 0, count: 256)
        let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        guard count >= 0 else { throw ConfigurationError(.invalidKey, "cannot read \(path): \(String(cString: strerror(errno)))") }
        return Array(buffer[0..<count])
    }

    private static func decodeHex(_ digits: [UInt8]) -> [UInt8]? {
        func nibble(_ digit: UInt8) -> UInt8? {
            switch digit {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit - UInt8(ascii: "A") + 10
            default: nil
            }
        }
        var bytes: [UInt8] = []
        var index = 0
        while index < digits.count {
            guard let high = nibble(digits[index]), let low = nibble(digits[index + 1]) else { return nil }
            bytes.append(high << 4 | low)
            index += 2
        }
        return bytes
    }

    static func hexText(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var text: [UInt8] = []
        for byte in bytes { text += [digits[Int(byte >> 4)], digits[Int(byte & 0x0F)]] }
        return String(decoding: text, as: UTF8.self)
    }
}
