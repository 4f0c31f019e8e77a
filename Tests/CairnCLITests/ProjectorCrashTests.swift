import CairnCorpus
import CairnLog
import CairnTestSupport
import Foundation
import Glibc
import Testing

/// The projector is killed with SIGKILL while it catches up in small batches: at random moments
/// (mid-batch, mid-commit, during the reconciliation at open) and, every other cycle, aimed at the
/// moment between an LMDB commit and the change log write of its outbox. Once it is allowed to
/// finish, its projections and its change log must equal those of an uninterrupted run over the
/// same event log, record for record: no gap, no duplicate.
///
/// `CAIRN_SEED` replays a run's corpus and kill schedule (the seed is printed; where an aimed kill
/// lands still depends on timing); `CAIRN_TORTURE=1` runs 60 cycles instead of 12. Linux only
/// (inotify), like the rest of the crash tests.
@Suite("Projector crash with SIGKILL", .serialized)
struct ProjectorCrashTests {
    static let cairn = ChildProcess.builtProduct("cairn")
    static var cycles: Int { getenv("CAIRN_TORTURE") != nil ? 60 : 12 }
    static let eventCount = 4000
    /// Small, so that a catch-up commits (and appends to the change log) many times.
    static let batch = 10

    @Test("the change log is exactly once and the projections are intact across SIGKILL cycles")
    func sigkillCycles() throws {
        let dir = TemporaryDirectory("cairn-projcrash")
        defer { dir.remove() }
        #expect(access(Self.cairn, X_OK) == 0, "build the cairn product first: \(Self.cairn)")
        let seed = Self.seed()
        print("ProjectorCrashTests seed \(seed)")
        var rng = SplitMix64(seed: seed)
        let clock = ContinuousClock()
        var phases: [String] = []
        var phaseStart = clock.now
        func phase(_ name: String) {
            phases.append("\(name) \(Self.milliseconds(clock.now - phaseStart)) ms")
            phaseStart = clock.now
        }
        let (a, b, calibration) = (dir.path + "/a", dir.path + "/b", dir.path + "/calibration")

        // 1. Reference A: an uninterrupted import (append, then project).
        let input = dir.path + "/events.jsonl"
        var bytes: [UInt8] = []
        for line in CorpusGenerator.lines(seed: seed, count: Self.eventCount) { bytes += line + [UInt8(ascii: "\n")] }
        try Data(bytes).write(to: URL(fileURLWithPath: input))
        let imported = try Self.run(["import", "--data", a, input])
        try #require(imported.status == 0, "seed \(seed): import failed: \(imported.output.suffix(500))")
        let referenceDigest = try Self.digest(a)
        try #require(referenceDigest.hasPrefix("applied \(Self.eventCount) digest "), "seed \(seed): reference digest: \(referenceDigest)")
        let reference = try Self.changes(a)
        try #require(!reference.isEmpty, "seed \(seed): the reference change log is empty")
        Self.expectIncreasing(reference, "seed \(seed), reference (uninterrupted import)")
        phase("reference")

        // 2. B (and a calibration copy): the same event log bytes, nothing projected.
        for target in [b, calibration] {
            try FileManager.default.createDirectory(atPath: target, withIntermediateDirectories: true)
            let copy = try Self.run(["-a", a + "/events", target + "/events"], executable: "/bin/cp")
            try #require(copy.status == 0, "seed \(seed): cp: \(copy.output)")
        }

        // Calibration: how long a process takes to start and stop (a catch-up with nothing to
        // do) and to project everything in small batches, so that the kill delays spread over
        // the whole run on any machine. The uninterrupted small-batch run must also match A:
        // batch size must not matter (otherwise a failure below would not be about crashes).
        let startupMs = try Self.timed { try Self.run(["projections", "catch-up", "--data", a]) }.ms
        let (calibrated, fullMs) = try Self.timed { try Self.run(["projections", "catch-up", "--data", calibration, "--batch", "\(Self.batch)"]) }
        try #require(calibrated.status == 0, "seed \(seed): calibration catch-up failed: \(calibrated.output.suffix(500))")
        #expect(try Self.digest(calibration) == referenceDigest, "seed \(seed): projecting with --batch \(Self.batch) gives another digest than with the default batch")
        Self.compare(try Self.changes(calibration), reference, "seed \(seed), uninterrupted --batch \(Self.batch) run")
        let workMs = max(1, fullMs - startupMs)
        phase("calibration")
        print("ProjectorCrashTests: \(reference.count) changes for \(Self.eventCount) events; startup \(startupMs) ms, catch-up --batch \(Self.batch) \(fullMs) ms")

        // 3. Kill catch-ups of B. Even cycles are killed after a random delay: each lives on
        // average its startup plus 3/4 of its share of the work, so the kills spread over the
        // whole projection (opens included) and the last catch-up has work left. That rarely
        // lands between an LMDB commit and the change log write that follows it (under a
        // millisecond in a ~15 ms batch), so odd cycles aim there: they watch the writes to
        // data.mdb and the change log (inotify) and kill right after what looks like a commit's
        // meta page write (a data.mdb write that follows another after a pause, the fdatasync),
        // or after the random delay if none comes. Either way the projector must recover.
        var killedWithProgress = 0, killedBeforeAppending = 0, finished = 0
        var aimed = 0, aimedKills = 0, interruptedAfterAimed = 0, interruptedAfterTimed = 0
        var changeLogEnd = Self.changeLogEnd(b)
        var previousAimed = false
        let timedCycles = (Self.cycles + 1) / 2
        for cycle in 0..<Self.cycles {
            let delayMs = startupMs / 2 + rng.below(startupMs + max(2, 3 * workMs / (2 * timedCycles)))
            let watcher = cycle % 2 == 1 ? WriteWatcher(data: b) : nil
            let skip = rng.below(4)
            let process = try ChildProcess(Self.cairn, ["projections", "catch-up", "--data", b, "--batch", "\(Self.batch)"])
            if let watcher {
                aimed += 1
                if watcher.waitForCommit(skipping: skip, deadlineMs: delayMs) { aimedKills += 1 }
            } else {
                usleep(UInt32(delayMs * 1000))
            }
            process.kill(SIGKILL)
            let output = process.readToEnd()
            let status = process.wait()
            if output.contains("finishing an interrupted change log append") {
                if previousAimed { interruptedAfterAimed += 1 } else { interruptedAfterTimed += 1 }
            }
            previousAimed = watcher != nil
            let end = Self.changeLogEnd(b)
            #expect(end >= changeLogEnd, "seed \(seed), cycle \(cycle): the change log shrank from \(changeLogEnd) to \(end)")
            #expect(end <= UInt64(reference.count), "seed \(seed), cycle \(cycle): the change log holds \(end) records, more than the reference's \(reference.count)")
            switch status {
            case 128 + SIGKILL:
                if end > changeLogEnd { killedWithProgress += 1 } else { killedBeforeAppending += 1 }
            case 0:
                finished += 1
                #expect(output.contains("projected "), "seed \(seed), cycle \(cycle): \(output.suffix(500))")
            default:
                Issue.record("seed \(seed), cycle \(cycle): catch-up exited with status \(status) (killed after \(delayMs) ms or an aimed kill): \(output.suffix(800))")
            }
            changeLogEnd = end
        }
        phase("cycles")

        // 4. Finish, then compare with A.
        let last = try Self.run(["projections", "catch-up", "--data", b])
        if last.output.contains("finishing an interrupted change log append") {
            if previousAimed { interruptedAfterAimed += 1 } else { interruptedAfterTimed += 1 }
        }
        print("""
            ProjectorCrashTests: \(Self.cycles) cycles: \(killedWithProgress) killed after appending changes, \
            \(killedBeforeAppending) killed before appending any, \(finished) finished before the kill; \
            \(aimedKills) of \(aimed) aimed kills found their moment; interrupted change log appends completed at \
            the next open: \(interruptedAfterAimed) after aimed kills, \(interruptedAfterTimed) after timed ones; \
            change log at \(changeLogEnd) of \(reference.count) before the last catch-up
            """)
        #expect(last.status == 0, "seed \(seed), final catch-up: \(last.output.suffix(800))")
        #expect(try Self.digest(b) == referenceDigest, "seed \(seed), after \(Self.cycles) cycles: the projections differ from the uninterrupted run's")
        Self.compare(try Self.changes(b), reference, "seed \(seed), after \(Self.cycles) cycles")
        phase("final check")
        print("ProjectorCrashTests: \(phases.joined(separator: ", "))")
        #expect(killedWithProgress > 0, "seed \(seed): no kill landed while the projector was making progress")
    }

    // MARK: Comparing change logs

    /// One change log record: its text as `tail` prints it, its decoded JSON object, and the
    /// (event offset, seq) that orders it. Two records are equal when their decoded objects are;
    /// equal text implies that (and is the fast path: the serializer sorts keys).
    struct ChangeRecord: Equatable {
        let json: Substring
        let object: NSDictionary
        let offset: Int
        let seq: Int
        var key: String { "(\(offset), \(seq))" }
        static func == (a: ChangeRecord, b: ChangeRecord) -> Bool {
            a.offset == b.offset && a.seq == b.seq && (a.json == b.json || a.object.isEqual(b.object))
        }
    }

    /// Expects `actual` to equal `expected` record for record, and (offset, seq) to increase
    /// strictly; on a difference, names the first differing position and the missing and extra
    /// (offset, seq) pairs.
    static func compare(_ actual: [ChangeRecord], _ expected: [ChangeRecord], _ context: String) {
        expectIncreasing(actual, context)
        guard actual != expected else { return }
        let first = (0..<min(actual.count, expected.count)).first { actual[$0] != expected[$0] } ?? min(actual.count, expected.count)
        var counts: [String: Int] = [:]
        for record in expected { counts[record.key, default: 0] += 1 }
        for record in actual { counts[record.key, default: 0] -= 1 }
        let missing = expected.filter { counts[$0.key, default: 0] > 0 }.map(\.key)
        let extra = actual.filter { counts[$0.key, default: 0] < 0 }.map(\.key)
        let at = { (records: [ChangeRecord]) in first < records.count ? records[first].json : "(end)" }
        Issue.record("""
            \(context): the change log differs from the reference: \(actual.count) records, expected \(expected.count); \
            first difference at change log offset \(first): got \(at(actual)), expected \(at(expected)); \
            missing (offset, seq): \(missing.prefix(20)) (\(missing.count) in all); \
            extra or duplicated (offset, seq): \(Array(Set(extra)).sorted().prefix(20)) (\(extra.count) records in all)
            """)
    }

    /// Expects (offset, seq) to increase strictly along the change log.
    static func expectIncreasing(_ records: [ChangeRecord], _ context: String) {
        var disorder: [String] = []
        for i in records.indices.dropFirst() where (records[i - 1].offset, records[i - 1].seq) >= (records[i].offset, records[i].seq) {
            disorder.append("at \(i): \(records[i - 1].key) then \(records[i].key)")
        }
        #expect(disorder.isEmpty, "\(context): (offset, seq) not strictly increasing in the change log (\(disorder.count) times): \(disorder.prefix(10))")
    }

    // MARK: Running cairn

    static func run(_ arguments: [String], executable: String = cairn) throws -> (status: Int32, output: String) {
        let child = try ChildProcess(executable, arguments)
        let output = child.readToEnd()
        return (child.wait(), output)
    }

    /// `applied N digest HEX`.
    static func digest(_ data: String) throws -> String {
        let result = try run(["projections", "digest", "--data", data])
        #expect(result.status == 0, "digest of \(data): \(result.output.suffix(500))")
        return result.output.split(separator: "\n").last { $0.hasPrefix("applied ") }.map(String.init) ?? result.output
    }

    /// The change log through `cairn tail --changes --json`, decoded.
    static func changes(_ data: String) throws -> [ChangeRecord] {
        let result = try run(["tail", "--changes", "--json", "--data", data])
        try #require(result.status == 0, "tail of \(data): \(result.output.suffix(500))")
        var records: [ChangeRecord] = []
        for (i, line) in result.output.split(separator: "\n").enumerated() {
            let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], "tail line \(i): \(line.prefix(200))")
            #expect(object["offset"] as? Int == i, "tail of \(data): line \(i) has offset \(object["offset"] ?? "none")")
            let record = try #require(object["record"] as? [String: Any], "tail line \(i): \(line.prefix(200))")
            let json = line.range(of: "\"record\":").map { line[$0.upperBound...].dropLast() } ?? line
            let offset = try #require(record["offset"] as? Int, "tail line \(i): no offset: \(json.prefix(200))")
            let seq = try #require(record["seq"] as? Int, "tail line \(i): no seq: \(json.prefix(200))")
            records.append(ChangeRecord(json: json, object: record as NSDictionary, offset: offset, seq: seq))
        }
        return records
    }

    /// The change log's end as it is on disk (read-only: no recovery, nothing changed); 0 before
    /// the change log exists.
    static func changeLogEnd(_ data: String) -> UInt64 {
        guard let reader = try? LogSnapshot.reader(directory: data + "/changes") else { return 0 }
        defer { reader.close() }
        return reader.endOffset
    }

    static func timed<T>(_ body: () throws -> T) rethrows -> (T, ms: Int) {
        let start = ContinuousClock.now
        let value = try body()
        return (value, milliseconds(ContinuousClock.now - start))
    }

    static func milliseconds(_ duration: Duration) -> Int {
        Int(duration.components.seconds * 1000 + duration.components.attoseconds / 1_000_000_000_000_000)
    }

    /// `CAIRN_SEED` (decimal, or hex with 0x) when set, else a fresh random seed.
    static func seed() -> UInt64 {
        if let raw = getenv("CAIRN_SEED") {
            let text = String(cString: raw)
            if let parsed = text.hasPrefix("0x") ? UInt64(text.dropFirst(2), radix: 16) : UInt64(text) { return parsed }
        }
        return UInt64.random(in: .min ... .max)
    }
}


/// Watches (inotify IN_MODIFY) the writes to a data directory's LMDB data files and change log,
/// to kill the projector right after an LMDB commit, before the change log write that follows.
private final class WriteWatcher {
    private let fd: Int32
    private var mdbWatches: Set<Int32> = []
    private var changesWatch: Int32 = -1

    /// Nil when the projections or the change log do not exist yet, or inotify fails.
    init?(data: String) {
        let projections = data + "/projections"
        // Wherever the store keeps its files under projections/ (a generation directory, say).
        let mdbDirectories = (FileManager.default.enumerator(atPath: projections)?.allObjects as? [String] ?? [])
            .map { projections + "/" + $0 }
            .filter { $0.hasSuffix("/data.mdb") }
            .map { String($0.dropLast("/data.mdb".count)) }
        fd = inotify_init1(Int32(IN_CLOEXEC | IN_NONBLOCK))
        guard fd >= 0 else { return nil }
        for directory in mdbDirectories {
            let watch = inotify_add_watch(fd, directory, UInt32(IN_MODIFY))
            if watch >= 0 { mdbWatches.insert(watch) }
        }
        changesWatch = inotify_add_watch(fd, data + "/changes", UInt32(IN_MODIFY))
        guard !mdbWatches.isEmpty, changesWatch >= 0 else {
            close(fd)
            return nil
        }
    }

    deinit { close(fd) }

    /// Returns true right after the `skipping + 1`-th data.mdb write that comes 0.3 to 8 ms after
    /// another data.mdb write with nothing written to the change log between (in LMDB's commit:
    /// data pages, fdatasync, meta page); false at the deadline.
    func waitForCommit(skipping: Int, deadlineMs: Int) -> Bool {
        let deadline = Self.nowMicros() + deadlineMs * 1000
        var lastMdbWrite: Int?
        var seen = 0
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let left = (deadline - Self.nowMicros()) / 1000
            guard left > 0 else { return false }
            // Spin rather than sleep in poll: waking up takes longer than the moment lasts.
            let n = read(fd, &buffer, buffer.count)
            let now = Self.nowMicros()
            guard n > 0 else {
                if n < 0 && errno != EAGAIN && errno != EINTR { return false }
                continue
            }
            var i = 0
            while i + 16 <= n {
                let (watch, length) = buffer.withUnsafeBytes { ($0.loadUnaligned(fromByteOffset: i, as: Int32.self), Int($0.loadUnaligned(fromByteOffset: i + 12, as: UInt32.self))) }
                let name = String(decoding: buffer[(i + 16)..<min(n, i + 16 + length)].prefix { $0 != 0 }, as: UTF8.self)
                i += 16 + length
                if watch == changesWatch {
                    if name.hasSuffix(".log") { lastMdbWrite = nil }
                } else if mdbWatches.contains(watch) && name == "data.mdb" {
                    if let last = lastMdbWrite, (300...8000).contains(now - last) {
                        if seen == skipping { return true }
                        seen += 1
                    }
                    lastMdbWrite = now
                }
            }
        }
    }

    private static func nowMicros() -> Int {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return ts.tv_sec * 1_000_000 + ts.tv_nsec / 1000
    }
}
