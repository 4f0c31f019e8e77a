/// The file-system operations the log needs, behind a protocol so that tests can substitute an
/// implementation that tears writes, drops unsynced data, flips bits and fails with ENOSPC or EIO.
///
/// `PosixStorage` is the real one. Every method throws `LogError` (I/O errors classified by
/// `errno`); none traps on operating errors. Implementations are thread-safe.
public protocol Storage: Sendable {
    /// Opens the file at `path` for reading and writing, creating it (empty) when `create` is true
    /// and it does not exist. Creating a file does not make its directory entry durable: call
    /// `syncDirectory` for that.
    func openFile(_ path: String, create: Bool) throws -> any StorageFile
    /// Whether a file or directory exists at `path`.
    func exists(_ path: String) -> Bool
    /// The names (not paths) of the entries in a directory, in no particular order.
    func listDirectory(_ path: String) throws -> [String]
    /// Creates a directory and any missing parents; succeeds when it already exists.
    func createDirectory(_ path: String) throws
    /// Atomically renames a file, replacing any file at `to`. Durable only after `syncDirectory`.
    func rename(from: String, to: String) throws
    /// Removes a file. Durable only after `syncDirectory`.
    func removeFile(_ path: String) throws
    /// Makes the directory's entries (creations, renames, removals) durable (fsync on the directory).
    func syncDirectory(_ path: String) throws
    /// Takes an exclusive advisory lock on `path` (creating it) for the life of the returned object;
    /// throws `.locked` when another process holds it.
    func lockFile(_ path: String) throws -> any StorageLock
}

/// An open file. Positional reads and writes, so one handle may be used from several threads; the
/// log's writer is the only one that writes, truncates or syncs.
public protocol StorageFile: AnyObject, Sendable {
    var path: String { get }
    /// The file's current length in bytes.
    func size() throws -> UInt64
    /// Reads up to `buffer.count` bytes at `position`; returns how many were read (fewer only at
    /// the end of the file).
    func read(at position: UInt64, into buffer: UnsafeMutableRawBufferPointer) throws -> Int
    /// Writes all of `bytes` at `position` or throws. After a throw, any prefix may have been written.
    func write(at position: UInt64, _ bytes: UnsafeRawBufferPointer) throws
    /// Sets the file's length.
    func truncate(to length: UInt64) throws
    /// Makes the file's data durable (fdatasync). After a throw, the state of unsynced data is
    /// unknown: callers must not retry and carry on as if it had worked.
    func sync() throws
    /// Closes the handle. Using it afterwards is a programmer error.
    func close()
}

/// A held lock; released by `release()` or when the process exits.
public protocol StorageLock: AnyObject, Sendable {
    func release()
}

extension Storage {
    /// Replaces `directory/name` with `bytes` atomically and durably: writes `name.tmp`,
    /// fdatasyncs it, renames it over `name`, then (when `syncDirectory`) fsyncs the directory.
    /// A crash leaves either the old file or the new one, and at worst a `.tmp` leftover.
    public func replaceFile(directory: String, name: String, with bytes: [UInt8], syncDirectory: Bool = true) throws {
        let target = directory + "/" + name
        let temporary = target + SegmentFileName.temporarySuffix
        let file = try openFile(temporary, create: true)
        do {
            try file.truncate(to: 0)
            try file.write(at: 0, bytes)
            try file.sync()
            file.close()
        } catch {
            file.close()
            throw error
        }
        try rename(from: temporary, to: target)
        if syncDirectory { try self.syncDirectory(directory) }
    }
}

extension StorageFile {
    /// Reads exactly `count` bytes at `position`, or fewer when the file ends first.
    public func read(at position: UInt64, count: Int) throws -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: count)
        let got = try bytes.withUnsafeMutableBytes { try read(at: position, into: $0) }
        if got < count { bytes.removeLast(count - got) }
        return bytes
    }

    /// Writes all of `bytes` at `position` or throws.
    public func write(at position: UInt64, _ bytes: [UInt8]) throws {
        try bytes.withUnsafeBytes { try write(at: position, $0) }
    }
}
