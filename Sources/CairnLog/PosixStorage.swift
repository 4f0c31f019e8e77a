import Glibc

/// The real `Storage`: POSIX calls on the local file system.
///
/// `sync()` is `fdatasync(2)`; `syncDirectory` is `fsync(2)` on the
/// directory; `lockFile` is `flock(LOCK_EX | LOCK_NB)`. Calls are blocking: run them on the log's
/// own threads, never on the cooperative pool.
public struct PosixStorage: Storage {
    public init() {}

    public func openFile(_ path: String, create: Bool) throws -> any StorageFile {
        let flags = O_RDWR | O_CLOEXEC | (create ? O_CREAT : 0)
        let fd = Glibc.open(path, flags, 0o644)
        guard fd >= 0 else { throw LogError.system("open", path: path, errno: errno) }
        return PosixFile(fd: fd, path: path)
    }

    public func exists(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0
    }

    public func listDirectory(_ path: String) throws -> [String] {
        guard let dir = opendir(path) else { throw LogError.system("opendir", path: path, errno: errno) }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }

    /// Creates each missing component and fsyncs its parent, so that a new directory survives a
    /// power loss together with what is then written into it.
    public func createDirectory(_ path: String) throws {
        var prefix = path.hasPrefix("/") ? "/" : ""
        var parent = path.hasPrefix("/") ? "/" : "."
        for component in path.split(separator: "/") {
            prefix += component
            if mkdir(prefix, 0o755) == 0 {
                try syncDirectory(parent)
            } else if errno != EEXIST {
                throw LogError.system("mkdir", path: prefix, errno: errno)
            }
            parent = prefix
            prefix += "/"
        }
    }

    public func rename(from: String, to: String) throws {
        guard Glibc.rename(from, to) == 0 else { throw LogError.system("rename", path: from, errno: errno) }
    }

    public func removeFile(_ path: String) throws {
        guard unlink(path) == 0 else { throw LogError.system("unlink", path: path, errno: errno) }
    }

    public func syncDirectory(_ path: String) throws {
        let fd = Glibc.open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw LogError.system("open", path: path, errno: errno) }
        defer { Glibc.close(fd) }
        guard fsync(fd) == 0 else { throw LogError.system("fsync", path: path, errno: errno) }
    }

    public func lockFile(_ path: String) throws -> any StorageLock {
        let fd = Glibc.open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw LogError.system("open", path: path, errno: errno) }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            let err = errno
            Glibc.close(fd)
            if err == EWOULDBLOCK {
                throw LogError(.locked, "\(path) is locked by another process using this log", path: path)
            }
            throw LogError.system("flock", path: path, errno: err)
        }
        return PosixLock(fd: fd)
    }
}

/// An open file descriptor. `pread`/`pwrite` are positional, so concurrent reads from several
/// threads are safe; only the log's writer writes, truncates and syncs.
final class PosixFile: StorageFile {
    // Sendable: the descriptor is immutable; positional I/O on it is thread-safe. `close()` must
    // not race with other calls, which the log guarantees by closing only after its threads stop.
    let fd: Int32
    let path: String

    init(fd: Int32, path: String) {
        self.fd = fd
        self.path = path
    }

    func size() throws -> UInt64 {
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw LogError.system("fstat", path: path, errno: errno) }
        return UInt64(info.st_size)
    }

    func read(at position: UInt64, into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        var done = 0
        while done < buffer.count {
            let n = pread(fd, buffer.baseAddress! + done, buffer.count - done, off_t(position) + off_t(done))
            if n < 0 {
                if errno == EINTR { continue }
                throw LogError.system("pread", path: path, errno: errno)
            }
            if n == 0 { break }
            done += n
        }
        return done
    }

    func write(at position: UInt64, _ bytes: UnsafeRawBufferPointer) throws {
        var done = 0
        while done < bytes.count {
            let n = pwrite(fd, bytes.baseAddress! + done, bytes.count - done, off_t(position) + off_t(done))
            if n < 0 {
                if errno == EINTR { continue }
                throw LogError.system("pwrite", path: path, errno: errno)
            }
            done += n
        }
    }

    func truncate(to length: UInt64) throws {
        guard ftruncate(fd, off_t(length)) == 0 else { throw LogError.system("ftruncate", path: path, errno: errno) }
    }

    func sync() throws {
        guard fdatasync(fd) == 0 else { throw LogError.system("fdatasync", path: path, errno: errno) }
    }

    func close() {
        Glibc.close(fd)
    }
}

final class PosixLock: StorageLock {
    // Sendable: the descriptor is immutable and released once.
    let fd: Int32
    init(fd: Int32) { self.fd = fd }
    func release() { Glibc.close(fd) }
}
