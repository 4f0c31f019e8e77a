import Glibc

/// A child process started with posix_spawn, its standard output (and optionally error) on a pipe.
public final class ChildProcess {
    public let pid: pid_t
    private let outputFD: Int32
    private var buffered: [UInt8] = []

    /// Starts `executable` with `arguments`; stdin is /dev/null, stdout and stderr go to one pipe.
    public init(_ executable: String, _ arguments: [String]) throws {
        var fds: [Int32] = [0, 0]
        guard pipe(&fds) == 0 else { throw ChildProcessError("pipe: \(String(cString: strerror(errno)))") }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, fds[1], 1)
        posix_spawn_file_actions_adddup2(&actions, fds[1], 2)
        posix_spawn_file_actions_addclose(&actions, fds[0])
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var child: pid_t = 0
        let rc = posix_spawn(&child, executable, &actions, nil, argv, environ)
        close(fds[1])
        guard rc == 0 else {
            close(fds[0])
            throw ChildProcessError("posix_spawn \(executable): \(String(cString: strerror(rc)))")
        }
        pid = child
        outputFD = fds[0]
    }

    deinit { close(outputFD) }

    /// Reads output until `predicate` holds for the text so far, EOF, or `timeoutMs`.
    @discardableResult
    public func readUntil(timeoutMs: Int, _ predicate: (String) -> Bool) -> String {
        let deadline = Self.nowMs() + timeoutMs
        while !predicate(text) {
            let left = deadline - Self.nowMs()
            if left <= 0 || !readOnce(timeoutMs: left) { break }
        }
        return text
    }

    /// Everything read so far.
    public var text: String { String(decoding: buffered, as: UTF8.self) }

    /// Reads everything until EOF (the child exited or was killed).
    public func readToEnd() -> String {
        while readOnce(timeoutMs: 60_000) {}
        return text
    }

    /// Sends `signal` to the child.
    public func kill(_ signal: Int32) {
        _ = Glibc.kill(pid, signal)
    }

    /// Waits for the child; returns its exit status, or 128 + signal when killed.
    public func wait() -> Int32 {
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        let signal = status & 0x7f
        return signal == 0 ? (status >> 8) & 0xff : 128 + signal
    }

    /// Reads available output; false at EOF or timeout.
    private func readOnce(timeoutMs: Int) -> Bool {
        var poller = pollfd(fd: outputFD, events: Int16(POLLIN), revents: 0)
        guard poll(&poller, 1, Int32(timeoutMs)) > 0 else { return false }
        var chunk = [UInt8](repeating: 0, count: 65536)
        let n = read(outputFD, &chunk, chunk.count)
        guard n > 0 else { return false }
        buffered += chunk[0..<n]
        return true
    }

    private static func nowMs() -> Int {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return ts.tv_sec * 1000 + ts.tv_nsec / 1_000_000
    }

    /// The path of an executable built beside the running test bundle (`.build/<config>/NAME`).
    public static func builtProduct(_ name: String) -> String {
        var buffer = [CChar](repeating: 0, count: 4096)
        let n = readlink("/proc/self/exe", &buffer, buffer.count - 1)
        precondition(n > 0, "cannot read /proc/self/exe")
        let exe = String(decoding: buffer[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
        var directory = exe[..<(exe.lastIndex(of: "/") ?? exe.endIndex)]
        // The test binary may sit inside NAME.xctest/ on some layouts.
        if directory.hasSuffix(".xctest") { directory = directory[..<(directory.lastIndex(of: "/") ?? directory.endIndex)] }
        return directory + "/" + name
    }
}

public struct ChildProcessError: Error, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}
