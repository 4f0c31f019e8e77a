import CairnCorpus
import CairnLog
import CairnTestSupport
import Foundation
import Glibc
import Testing

/// The projector is killed with SIGKILL at random moments (mid-batch, mid-commit, mid change log
/// append, during the reconciliation at open) while it catches up in small batches; once it is
/// allowed to finish, its projections and its change log must equal those of an uninterrupted
/// run over the same event log, record for record: no gap, no duplicate.
///
/// `CAIRN_SEED` replays a run (the seed is printed); `CAIRN_TORTURE=1` runs 60 cycles instead of 12.
@Suite("Projector crash with SIGKILL", .serialized)
struct ProjectorCrashTests {
    static let cairn = ChildProcess.builtProduct("cairn")
    static var cycles: Int { getenv("CAIRN_TORTURE") != nil ? 60 : 12 }
    static let eventCount = 4000
    /// Small, so that a catch-up commits (and appends to the change log) many times.
    static let batch = 50

    @Test("the change log is exactly once and the projections are intact across SIGKILL cycles")
    func sigkillCycles() throws {
        let dir = TemporaryDirectory("cairn-projcrash")
        defer { dir.remove() }
        #expect(access(Self.cairn, X_OK) == 0, "build the cairn product first: \(Self.cairn)")
        let seed = Self.seed()
        print("ProjectorCrashTests seed \(seed)")
        var rng = CrashRNG(seed: seed)
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
        print("ProjectorCrashTests: \(reference.count) changes for \(Self.eventCount) events; startup \(startupMs) ms, catch-up --batch \(Self.batch) \(fullMs) ms")

        // 3. Kill catch-ups of B at random moments. Each lives on average its startup plus 3/4 of
        // its share of the work, so the kills spread over the whole projection (and the opens).
        var killedWithProgress = 0, killedWithoutProgress = 0, finished = 0, interruptedAppends = 0
        var changeLogEnd = Self.changeLogEnd(b)
        for cycle in 0..<Self.cycles {
            let delayMs = startupMs / 2 + rng.below(startupMs / 2 + max(2, 3 * workMs / (2 * Self.cycles)))
            let process = try ChildProcess(Self.cairn, ["projections", "catch-up", "--data", b, "--batch", "\(Self.batch)"])
            usleep(UInt32(delayMs * 1000))
            process.kill(SIGKILL)
            let output = process.readToEnd()
            let status = process.wait()
            if output.contains("finishing an interrupted change log append") { interruptedAppends += 1 }
            let end = Self.changeLogEnd(b)
            #expect(end >= changeLogEnd, "seed \(seed), cycle \(cycle): the change log shrank from \(changeLogEnd) to \(end)")
            #expect(end <= UInt64(reference.count), "seed \(seed), cycle \(cycle): the change log holds \(end) records, more than the reference's \(reference.count)")
            switch status {
            case 128 + SIGKILL:
                if end > changeLogEnd { killedWithProgress += 1 } else { killedWithoutProgress += 1 }
            case 0:
                finished += 1
                #expect(output.contains("projected "), "seed \(seed), cycle \(cycle): \(output.suffix(500))")
            default:
                Issue.record("seed \(seed), cycle \(cycle): catch-up exited with status \(status) after \(delayMs) ms: \(output.suffix(800))")
            }
            changeLogEnd = end
        }
        print("ProjectorCrashTests: \(Self.cycles) cycles: \(killedWithProgress) killed mid-run after progress, \(killedWithoutProgress) killed without progress, \(finished) finished before the kill; \(interruptedAppends) interrupted change log appends completed at open; change log at \(changeLogEnd) of \(reference.count) before the last catch-up")

        // 4. Finish, then compare with A.
        let last = try Self.run(["projections", "catch-up", "--data", b])
        if last.output.contains("finishing an interrupted change log append") { interruptedAppends += 1 }
        #expect(last.status == 0, "seed \(seed), final catch-up: \(last.output.suffix(800))")
        #expect(try Self.digest(b) == referenceDigest, "seed \(seed), after \(Self.cycles) cycles: the projections differ from the uninterrupted run's")
        Self.compare(try Self.changes(b), reference, "seed \(seed), after \(Self.cycles) cycles")
        #expect(killedWithProgress > 0, "seed \(seed): no kill landed while the projector was making progress")
    }

    // MARK: Comparing change logs

    /// One change log record: its canonical JSON (decoded, re-encoded with sorted keys) and the
    /// (event offset, seq) that orders it.
    struct ChangeRecord: Equatable {
        let json: String
        let offset: Int
        let seq: Int
        var key: String { "(\(offset), \(seq))" }
    }

    /// Expects `actual` to equal `expected` record for record, and (offset, seq) to increase
    /// strictly; on a difference, names the first differing position and the missing and extra
    /// (offset, seq) pairs.
    static func compare(_ actual: [ChangeRecord], _ expected: [ChangeRecord], _ context: String) {
        var previous: ChangeRecord?
        var disorder: [String] = []
        for (i, record) in actual.enumerated() {
            if let previous, (previous.offset, previous.seq) >= (record.offset, record.seq) {
                disorder.append("at \(i): \(previous.key) then \(record.key)")
            }
            previous = record
        }
        #expect(disorder.isEmpty, "\(context): (offset, seq) not strictly increasing in the change log (\(disorder.count) times): \(disorder.prefix(10))")
        guard actual != expected else { return }
        let first = zip(actual, expected).firstIndex { $0 != $1 } ?? min(actual.count, expected.count)
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

    /// The change log through `cairn tail --changes`, decoded.
    static func changes(_ data: String) throws -> [ChangeRecord] {
        let result = try run(["tail", "--changes", "--data", data])
        try #require(result.status == 0, "tail of \(data): \(result.output.suffix(500))")
        var records: [ChangeRecord] = []
        for (i, line) in result.output.split(separator: "\n").enumerated() {
            let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], "tail line \(i): \(line.prefix(200))")
            #expect(object["offset"] as? Int == i, "tail of \(data): line \(i) has offset \(object["offset"] ?? "none")")
            let record = try #require(object["record"] as? [String: Any], "tail line \(i): \(line.prefix(200))")
            let json = String(decoding: try JSONSerialization.data(withJSONObject: record, options: [.sortedKeys]), as: UTF8.self)
            let offset = try #require(record["offset"] as? Int, "tail line \(i): no offset: \(json.prefix(200))")
            let seq = try #require(record["seq"] as? Int, "tail line \(i): no seq: \(json.prefix(200))")
            records.append(ChangeRecord(json: json, offset: offset, seq: seq))
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
        let elapsed = ContinuousClock.now - start
        return (value, Int(elapsed.components.seconds * 1000 + elapsed.components.attoseconds / 1_000_000_000_000_000))
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

/// SplitMix64, so that a seed means the same kill delays forever.
private struct CrashRNG {
    private var state: UInt64
    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in `0..<bound` (`bound` > 0), by rejection sampling.
    mutating func below(_ bound: Int) -> Int {
        let bound = UInt64(max(1, bound))
        let threshold = (0 &- bound) % bound
        while true {
            let value = next()
            if value >= threshold { return Int(value % bound) }
        }
    }
}
