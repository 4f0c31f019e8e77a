import CairnEngine
import Dispatch
import Glibc
import Synchronization

/// The full replay, measured in a child process so that its peak resident memory is its own: the
/// executable runs itself with the hidden subcommand `replay-child DIR`.
///
/// The peak is the child's `VmHWM` (the high-water mark of its own address space, read from
/// /proc/self/status before it exits). The `ru_maxrss` that `wait4` reports is kept beside it but
/// does not serve: a `posix_spawn`ed child runs in the parent's address space until its `exec`, and
/// Linux carries that address space's high-water mark into the child's `ru_maxrss`, so it is never
/// below the parent's own peak (here the projections and the raw LMDB baseline measured before).
enum ReplayChild {
    static let subcommand = "replay-child"

    struct Outcome {
        let events: UInt64
        let seconds: Double
        /// Peak resident set of the child's address space since its exec, KiB (`VmHWM`).
        let peakRSSKiB: Int
        /// `ru_maxrss` from `wait4`, KiB: at least the parent's peak (see above).
        let waitMaxRSSKiB: Int
        /// The largest resident anonymous and file-backed (mapped files: LMDB's map) memory of the
        /// child during the rebuild, KiB (`RssAnon`, `RssFile` of /proc/self/status, sampled every
        /// 10 ms): what the peak is made of.
        let anonKiBMax: Int
        let fileKiBMax: Int
        /// Sizes on disk after the rebuild: the new projection store's `data.mdb` and the event log.
        let storeBytes: Int
        let eventLogBytes: Int

        var eventsPerSecond: Double { Double(events) / seconds }
    }

    /// The child's side: opens the data directory, closes its projections (the rebuild needs them
    /// to itself, as in `cairn replay`), rebuilds, and prints one line of figures on stdout.
    static func run(dataPath: String) async throws {
        let data = try await DataDirectory.open(dataPath, logger: quietLogger)
        do {
            try await data.store.close()
            let events = data.eventLog.endOffset
            let sampler = MemorySampler()
            sampler.start()
            let elapsed = try await elapsedSeconds {
                _ = try await Replay.rebuild(dataPath: dataPath, eventLog: data.eventLog, liveChangeLog: data.changeLog,
                                             logger: quietLogger)
            }
            let (anonMax, fileMax) = sampler.stop()
            let generation = firstLine(of: dataPath + "/projections/CURRENT") ?? "0"
            let storeBytes = fileBytes(dataPath + "/projections/" + generation + "/data.mdb")
            let logBytes = directoryBytes(dataPath + "/events")
            try await data.close()
            print("events \(events) seconds \(elapsed) anon \(anonMax) file \(fileMax) store \(storeBytes) log \(logBytes) hwm \(procStatus()["VmHWM"] ?? 0)")
        } catch {
            try? await data.close()
            throw error
        }
    }

    /// The KiB figures of /proc/self/status (`VmHWM`, `RssAnon`, ...).
    static func procStatus() -> [String: Int] {
        guard let file = fopen("/proc/self/status", "r") else { return [:] }
        defer { fclose(file) }
        var result: [String: Int] = [:]
        var line = [CChar](repeating: 0, count: 256)
        while fgets(&line, Int32(line.count), file) != nil {
            let text = String(decoding: line.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            let parts = text.split(whereSeparator: { $0 == ":" || $0 == " " || $0 == "\t" || $0 == "\n" })
            if parts.count == 3 && parts[2] == "kB", let kib = Int(parts[1]) { result[String(parts[0])] = kib }
        }
        return result
    }

    /// The first line of a small text file.
    private static func firstLine(of path: String) -> String? {
        guard let file = fopen(path, "r") else { return nil }
        defer { fclose(file) }
        var line = [CChar](repeating: 0, count: 64)
        guard fgets(&line, Int32(line.count), file) != nil else { return nil }
        return String(decoding: line.prefix { $0 != 0 && $0 != 10 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    private static func fileBytes(_ path: String) -> Int {
        var info = stat()
        return stat(path, &info) == 0 ? Int(info.st_size) : 0
    }

    /// The sizes of the regular files directly in `path`.
    private static func directoryBytes(_ path: String) -> Int {
        guard let directory = opendir(path) else { return 0 }
        defer { closedir(directory) }
        var total = 0
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            if name != "." && name != ".." { total += fileBytes(path + "/" + name) }
        }
        return total
    }

    /// The parent's side: runs the child on `dataPath` and waits for it. Blocks the calling thread
    /// (the parent does nothing else meanwhile). Throws when the child fails.
    static func spawn(dataPath: String) throws -> Outcome {
        var pipeFDs: [Int32] = [0, 0]
        guard pipe(&pipeFDs) == 0 else { throw FiguresError("pipe failed: errno \(errno)") }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, pipeFDs[1], 1)
        posix_spawn_file_actions_addclose(&actions, pipeFDs[0])
        posix_spawn_file_actions_addclose(&actions, pipeFDs[1])

        let executable = selfPath()
        let arguments = [executable, subcommand, dataPath]
        let argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
        defer { for pointer in argv { free(pointer) } }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, executable, &actions, nil, argv, environ)
        close(pipeFDs[1])
        guard spawned == 0 else {
            close(pipeFDs[0])
            throw FiguresError("posix_spawn \(executable) failed: \(spawned)")
        }

        var output: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = read(pipeFDs[0], &buffer, buffer.count)
            if n > 0 { output += buffer[0..<n] } else if n == 0 || errno != EINTR { break }
        }
        close(pipeFDs[0])

        var status: Int32 = 0
        var usage = rusage()
        while wait4(pid, &status, 0, &usage) < 0 {
            guard errno == EINTR else { throw FiguresError("wait4 failed: errno \(errno)") }
        }
        let text = String(decoding: output, as: UTF8.self)
        // WIFEXITED and WEXITSTATUS, spelled out: the macros do not import.
        guard status & 0x7f == 0 && (status >> 8) & 0xff == 0 else {
            throw FiguresError("the replay child failed (wait status \(status)): \(text)")
        }
        let fields = text.split(whereSeparator: { $0 == " " || $0 == "\n" })
        func field(_ name: String) -> Substring? {
            guard let i = fields.firstIndex(of: Substring(name)), i + 1 < fields.count else { return nil }
            return fields[i + 1]
        }
        guard let events = field("events").flatMap({ UInt64($0) }), let elapsed = field("seconds").flatMap({ Double($0) }) else {
            throw FiguresError("the replay child printed no figures: \(text)")
        }
        func integer(_ name: String) -> Int { field(name).flatMap { Int($0) } ?? 0 }
        return Outcome(events: events, seconds: elapsed, peakRSSKiB: integer("hwm"), waitMaxRSSKiB: usage.ru_maxrss, anonKiBMax: integer("anon"),
                       fileKiBMax: integer("file"), storeBytes: integer("store"), eventLogBytes: integer("log"))
    }

    /// This executable: /proc/self/exe resolved, else how it was invoked.
    private static func selfPath() -> String {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let n = readlink("/proc/self/exe", &buffer, buffer.count - 1)
        guard n > 0 else { return CommandLine.arguments[0] }
        return String(decoding: buffer[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}

/// Samples the process's resident memory every 10 ms on a thread of its own, keeping the largest
/// anonymous and file-backed figures.
final class MemorySampler: Sendable {
    private struct State {
        var anonKiBMax = 0
        var fileKiBMax = 0
        var stopping = false
    }
    private let state = Mutex(State())
    private let done = DispatchSemaphore(value: 0)

    func start() {
        DispatchQueue.global().async {
            while true {
                let status = ReplayChild.procStatus()
                let stopping = self.state.withLock { state -> Bool in
                    state.anonKiBMax = max(state.anonKiBMax, status["RssAnon"] ?? 0)
                    state.fileKiBMax = max(state.fileKiBMax, status["RssFile"] ?? 0)
                    return state.stopping
                }
                if stopping { break }
                usleep(10_000)
            }
            self.done.signal()
        }
    }

    /// Stops sampling (after one last sample); returns the largest anonymous and file-backed KiB.
    func stop() -> (anonKiB: Int, fileKiB: Int) {
        state.withLock { $0.stopping = true }
        done.wait()
        return state.withLock { ($0.anonKiBMax, $0.fileKiBMax) }
    }
}

/// A failure of the harness itself (not of the code measured).
struct FiguresError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
