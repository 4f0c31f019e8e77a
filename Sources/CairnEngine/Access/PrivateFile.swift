import Glibc

/// A small file of the data directory that only its owner may read or write (mode 0600), read
/// whole and replaced whole. The calls block (fsync, flock): run them off the cooperative pool.
///
/// Not `Storage.replaceFile`: that creates its temporary file with mode 0644 (less the umask), and
/// the file would be readable by others between its creation and a chmod.
enum PrivateFile {
    /// What identifies one version of a file: a replacement is a new inode, an edit in place a
    /// new modification time. Compared to tell whether a file changed since it was read.
    enum Fingerprint: Equatable, Sendable {
        case absent
        case file(device: UInt64, inode: UInt64, bytes: Int64, modifiedNanos: Int64, changedNanos: Int64)
        /// lstat failed otherwise than with ENOENT: never equal to a fingerprint that was read.
        case unknown(errno: Int32)

        init(_ info: stat) {
            self = .file(device: UInt64(info.st_dev), inode: UInt64(info.st_ino), bytes: Int64(info.st_size),
                         modifiedNanos: Int64(info.st_mtim.tv_sec) * 1_000_000_000 + Int64(info.st_mtim.tv_nsec),
                         changedNanos: Int64(info.st_ctim.tv_sec) * 1_000_000_000 + Int64(info.st_ctim.tv_nsec))
        }

        /// The file at `path` now (lstat(2)).
        static func of(_ path: String) -> Fingerprint {
            var info = stat()
            guard lstat(path, &info) == 0 else { return errno == ENOENT ? .absent : .unknown(errno: errno) }
            return Fingerprint(info)
        }
    }

    /// The bytes of `path` and their fingerprint (from the open file, so they match), or nil
    /// bytes when there is no such file.
    ///
    /// - Throws: ``EngineError`` `io` naming the file when it cannot be read, is not a regular
    ///   file (a symbolic link is refused), others may read or write it, or it is over `bytesMax`.
    static func read(_ path: String, bytesMax: Int) throws(EngineError) -> (bytes: [UInt8]?, fingerprint: Fingerprint) {
        let fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)
        guard fd >= 0 else {
            if errno == ENOENT { return (nil, .absent) }
            throw ioError("cannot read \(path)")
        }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw ioError("cannot read \(path)") }
        guard info.st_mode & S_IFMT == S_IFREG else { throw EngineError(.io, "\(path) is not a regular file") }
        guard info.st_mode & 0o077 == 0 else {
            throw EngineError(.io, "\(path) is open to others (mode \(String(info.st_mode & 0o777, radix: 8))); make it 0600: chmod 600 \(path)")
        }
        guard info.st_size <= bytesMax else { throw EngineError(.io, "\(path) is \(info.st_size) bytes, over the \(bytesMax) it may be") }
        var bytes = [UInt8](repeating: 0, count: Int(info.st_size) + 1)
        var count = 0
        while count < bytes.count {
            let got = bytes.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress! + count, $0.count - count) }
            if got < 0 && errno == EINTR { continue }
            guard got >= 0 else { throw ioError("cannot read \(path)") }
            if got == 0 { break }
            count += got
        }
        // One byte more than its size was asked for: a file that grew meanwhile is being edited in place.
        guard count <= Int(info.st_size) else { throw EngineError(.io, "\(path) changed while it was read") }
        return (Array(bytes[0..<count]), Fingerprint(info))
    }

    /// Replaces `path` with `bytes` atomically and durably, mode 0600: writes `path.tmp`, fsyncs
    /// it, renames it over `path`, fsyncs the directory. A crash leaves the old file or the new
    /// one, and at worst a `.tmp` leftover (overwritten by the next replacement). Returns the new
    /// file's fingerprint. Callers must hold the file's writer lock (``withWriterLock(_:waitMsMax:_:)``).
    ///
    /// - Throws: ``EngineError`` `io` naming the file and the system's reason.
    static func replace(_ path: String, directory: String, with bytes: [UInt8]) throws(EngineError) -> Fingerprint {
        let temporary = path + ".tmp"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw ioError("cannot create \(temporary)") }
        var written = 0
        // A leftover temporary file keeps its mode through O_CREAT: set it.
        var ok = fchmod(fd, 0o600) == 0
        while ok && written < bytes.count {
            let count = bytes.withUnsafeBytes { write(fd, $0.baseAddress! + written, $0.count - written) }
            if count < 0 && errno == EINTR { continue }
            ok = count > 0
            if ok { written += count }
        }
        ok = ok && fsync(fd) == 0
        let failure = ok ? nil : ioError("cannot write \(temporary)")
        close(fd)
        if let failure {
            unlink(temporary)
            throw failure
        }
        guard rename(temporary, path) == 0 else {
            let error = ioError("cannot rename \(temporary) to \(path)")
            unlink(temporary)
            throw error
        }
        let directoryFD = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard directoryFD >= 0 else { throw ioError("cannot open \(directory) to sync it") }
        defer { close(directoryFD) }
        guard fsync(directoryFD) == 0 else { throw ioError("cannot sync \(directory)") }
        return Fingerprint.of(path)
    }

    /// Runs `body` holding an exclusive lock among the processes that replace one file: flock(2)
    /// on `lockPath` (created with mode 0600, left in place), released when `body` returns.
    ///
    /// - Throws: ``EngineError`` `io` when the file cannot be opened, or another process holds
    ///   the lock for more than `waitMsMax`; what `body` throws.
    static func withWriterLock<T>(_ lockPath: String, waitMsMax: Int, _ body: () throws(EngineError) -> T) throws(EngineError) -> T {
        let fd = open(lockPath, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw ioError("cannot open \(lockPath)") }
        defer { close(fd) }
        let pollMs = 10
        var waitedMs = 0
        while flock(fd, LOCK_EX | LOCK_NB) != 0 {
            let err = errno
            guard err == EWOULDBLOCK || err == EINTR else { throw EngineError(.io, "cannot lock \(lockPath): \(String(cString: strerror(err)))") }
            guard waitedMs < waitMsMax else { throw EngineError(.io, "another process has held \(lockPath) for over \(waitMsMax) ms") }
            usleep(useconds_t(pollMs * 1000))
            waitedMs += pollMs
        }
        return try body()
    }

    private static func ioError(_ what: String) -> EngineError {
        EngineError(.io, "\(what): \(String(cString: strerror(errno)))")
    }
}
