import CairnLog
import Foundation
import Synchronization

/// A key that seals events from ephemeral sources: 32 random bytes and a random id.
public struct EphemeralKey: Sendable, Equatable {
    public let id: UInt64
    let bytes: [UInt8]
}

/// The keys that seal events from ephemeral sources in the event log, one file each in
/// `DATA/ephemeral-keys/` (see docs/ephemeral.md):
///
/// - `<id>.key`: a key in use; 32 bytes, mode 0600. The ingesting process that created it seals
///   records with it.
/// - `<id>.<end>.retired`: a retired key: no record at or after event-log offset `end` is sealed
///   with it. Once the projections have applied every record before `end` and the effect of each
///   is in the event log, the file is deleted (**shredded**) and the sealed events can never be
///   read again.
///
/// `id` is 16 hexadecimal digits. Files are written, fsynced and their directory fsynced before a
/// key is used; renames and deletions are followed by a directory fsync.
public final class EphemeralKeys: Sendable {
    public let directory: String
    /// Keys read from their files, by id.
    private let opened = Mutex<[UInt64: [UInt8]]>([:])

    public init(directory: String) {
        self.directory = directory
    }

    /// Creates a new key and its file (synced, with its directory).
    ///
    /// - Throws: ``EngineError`` `io` naming the file when it cannot be written.
    public func create() throws -> EphemeralKey {
        var generator = SystemRandomNumberGenerator()
        let id = generator.next() as UInt64
        var bytes: [UInt8] = []
        while bytes.count < 32 { withUnsafeBytes(of: generator.next() as UInt64) { bytes += $0 } }
        try PosixStorage().createDirectory(directory)
        let path = directory + "/" + Self.hex(id) + ".key"
        let fd = Glibc.open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw Self.ioError("cannot create \(path)") }
        defer { Glibc.close(fd) }
        let written = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        guard written == bytes.count, fsync(fd) == 0 else {
            let error = Self.ioError("cannot write \(path)")
            unlink(path)
            throw error
        }
        try PosixStorage().syncDirectory(directory)
        opened.withLock { $0[id] = bytes }
        return EphemeralKey(id: id, bytes: bytes)
    }

    /// Retires key `id`: no record at or after `end` is sealed with it.
    public func retire(_ id: UInt64, end: UInt64) throws {
        let storage = PosixStorage()
        try storage.rename(from: directory + "/" + Self.hex(id) + ".key", to: directory + "/" + Self.hex(id) + ".\(end).retired")
        try storage.syncDirectory(directory)
    }

    /// Retires every key still in use with `end`. Only for the process that holds the event log
    /// (its lock), at open: a key still in use then was left by a process that stopped, and
    /// nothing at or after the log's end can be sealed with it.
    public func retireLeftovers(end: UInt64) throws {
        for file in try files() where file.end == nil { try retire(file.id, end: end) }
    }

    /// Key `id`'s bytes, or nil when there is no such key (shredded, or never created here).
    func key(_ id: UInt64) throws -> [UInt8]? {
        if let bytes = opened.withLock({ $0[id] }) { return bytes }
        guard let file = try files().first(where: { $0.id == id }) else { return nil }
        let path = directory + "/" + file.name
        guard let data = FileManager.default.contents(atPath: path), data.count == 32 else {
            throw EngineError(.corruptedProjection, "\(path) is not a 32-byte ephemeral key")
        }
        let bytes = [UInt8](data)
        opened.withLock { $0[id] = bytes }
        return bytes
    }

    /// Shreds every retired key whose `end` is at most `below`; returns their ids.
    func shred(below: UInt64) throws -> [UInt64] {
        let storage = PosixStorage()
        var shredded: [UInt64] = []
        for file in try files() {
            guard let end = file.end, end <= below else { continue }
            try storage.removeFile(directory + "/" + file.name)
            opened.withLock { _ = $0.removeValue(forKey: file.id) }
            shredded.append(file.id)
        }
        if !shredded.isEmpty { try storage.syncDirectory(directory) }
        return shredded
    }

    /// The key files, in name order; nil `end` for a key in use.
    func files() throws -> [(name: String, id: UInt64, end: UInt64?)] {
        let storage = PosixStorage()
        guard storage.exists(directory) else { return [] }
        return try storage.listDirectory(directory).sorted().compactMap { name in
            let parts = name.split(separator: ".")
            guard parts.count >= 2, parts[0].count == 16, let id = UInt64(parts[0], radix: 16) else { return nil }
            if parts.count == 2, parts[1] == "key" { return (name, id, nil) }
            if parts.count == 3, parts[2] == "retired", let end = UInt64(parts[1]) { return (name, id, end) }
            return nil
        }
    }

    static func hex(_ id: UInt64) -> String {
        let digits = String(id, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }

    private static func ioError(_ what: String) -> EngineError {
        EngineError(.io, "\(what): \(String(cString: strerror(errno)))")
    }
}
