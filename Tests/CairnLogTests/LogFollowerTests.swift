import Synchronization
import Testing
@testable import CairnLog

/// `LogFollower`: reading a log from its files while a writer appends, without opening it.
@Suite("Following a log beside its writer")
struct LogFollowerTests {
    /// A log that rolls every 2 KiB and writes small batches.
    static func rollingConfiguration(fsync: LogConfiguration.FsyncPolicy = .none) -> LogConfiguration {
        var configuration = smallConfiguration(fsync: fsync)
        configuration.segmentBytesMax = 2048
        configuration.batchBytesMax = 1024
        configuration.groupBytesMax = 1024
        return configuration
    }

    /// Polls fast, so that waits in the tests are short.
    static let fastPolling: LogFollower.Configuration = {
        var configuration = LogFollower.Configuration()
        configuration.pollIntervalMsMin = 1
        configuration.pollIntervalMsMax = 5
        configuration.chunkRecordsMax = 7
        return configuration
    }()

    @Test("followers started before and while a log appends see every record once, in order, across segment rolls")
    func followsAppends() async throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let count = 1500
        // Started before the log exists: the follower waits for its first segment.
        let early = Follow(LogFollower(directory: dir.log, configuration: Self.fastPolling))
        let log = try openLog(dir.log, Self.rollingConfiguration())
        var late: Follow?
        var lateFrom: Follow?
        var i = 0
        while i < count {
            let size = 1 + i % 5
            let records = (i..<min(i + size, count)).map { AppendRecord(kind: UInt16($0 % 3), payload: payload($0)) }
            _ = try await log.append(records)
            i += records.count
            if late == nil && i >= count / 3 {
                late = Follow(LogFollower(directory: dir.log, configuration: Self.fastPolling))
                lateFrom = Follow(LogFollower(directory: dir.log, from: 700, configuration: Self.fastPolling))
            }
            if i % 50 == 0 { try await Task.sleep(for: .milliseconds(1)) }
        }
        let segments = segmentNames(dir.log).count
        #expect(segments > 20, "the test should roll often; \(segments) segments")

        for (follow, first) in [(early, 0), (late!, 0), (lateFrom!, 700)] {
            let seen = try await follow.waitFor(count: count - first)
            #expect(seen.map(\.offset) == (first..<count).map { UInt64($0) })
            #expect(seen.map(\.payload) == (first..<count).map { payload($0) })
            #expect(seen.map(\.kind) == (first..<count).map { UInt16($0 % 3) })
            // Nothing more arrives: no duplicate at the end either.
            try await Task.sleep(for: .milliseconds(30))
            #expect(follow.records.count == count - first)
            await follow.stop()
        }
        try await log.close()
    }

    @Test("a follower waiting at the end of a segment moves on when the writer rolls")
    func followsRolls() async throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let log = try openLog(dir.log, Self.rollingConfiguration(fsync: .always))
        _ = try await log.append((0..<3).map { AppendRecord(payload: payload($0, length: 100)) })
        // Started in the middle of a sealed segment's offsets is covered above; here it starts
        // at the end of the only segment and has to wait for the roll.
        let follow = Follow(LogFollower(directory: dir.log, from: 3, configuration: Self.fastPolling))
        try await Task.sleep(for: .milliseconds(20))
        #expect(follow.records.isEmpty)
        var appended = 3
        for round in 0..<4 {
            let before = segmentNames(dir.log).count
            while segmentNames(dir.log).count == before {
                _ = try await log.append(AppendRecord(payload: payload(appended, length: 300)))
                appended += 1
            }
            let seen = try await follow.waitFor(count: appended - 3)
            #expect(seen.map(\.offset) == (3..<appended).map { UInt64($0) }, "round \(round)")
        }
        #expect(follow.records.map(\.payload) == (3..<appended).map { payload($0, length: 300) })
        await follow.stop()
        try await log.close()
    }

    @Test("a batch half written or failing its CRC at the end is waited for, then read once complete")
    func waitsOnTornTail() async throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        var configuration = smallConfiguration()
        configuration.segmentBytesMax = 1 << 20
        // The batch the test writes by hand: appended by a log, then cut off again.
        var log = try openLog(dir.log, configuration)
        try await appendSequentially(log, 0..<10)
        try await log.close()
        let segment = dir.log + "/" + segmentNames(dir.log)[0]
        let complete = readFile(segment).count
        log = try openLog(dir.log, configuration)
        _ = try await log.append([AppendRecord(payload: payload(10)), AppendRecord(payload: payload(11))])
        try await log.close()
        let withBatch = readFile(segment)
        let batch = Array(withBatch[complete...])
        writeFile(segment, Array(withBatch[..<complete]))

        let follow = Follow(LogFollower(directory: dir.log, configuration: Self.fastPolling))
        #expect(try await follow.waitFor(count: 10).count == 10)

        let file = try PosixStorage().openFile(segment, create: false)
        defer { file.close() }
        // Half the batch: its payload runs past the end of the file.
        try file.write(at: UInt64(complete), Array(batch[..<(batch.count / 2)]))
        try await Task.sleep(for: .milliseconds(50))
        #expect(follow.records.count == 10 && follow.error == nil, "\(follow.error.map { "\($0)" } ?? "")")
        // All of it but one damaged byte: the CRC fails, and nothing follows it.
        var damaged = batch
        damaged[damaged.count - 3] ^= 0x40
        try file.write(at: UInt64(complete), damaged)
        try await Task.sleep(for: .milliseconds(50))
        #expect(follow.records.count == 10 && follow.error == nil, "\(follow.error.map { "\($0)" } ?? "")")
        // Complete.
        try file.write(at: UInt64(complete), batch)
        let seen = try await follow.waitFor(count: 12)
        #expect(seen.map(\.offset) == (0..<12).map { UInt64($0) })
        #expect(seen[10].payload == payload(10) && seen[11].payload == payload(11))
        await follow.stop()
    }

    @Test("a damaged batch with a valid batch after it is corruption, not a batch being written")
    func damageBeforeValidBatchFails() async throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        var configuration = smallConfiguration()
        configuration.segmentBytesMax = 1 << 20
        let log = try openLog(dir.log, configuration)
        for i in 0..<6 { _ = try await log.append(AppendRecord(payload: payload(i))) }
        try await log.close()
        let segment = dir.log + "/" + segmentNames(dir.log)[0]
        let layout = try batchLayout(segment)
        flipBit(segment, byte: layout[3].position + 100)

        let follow = Follow(LogFollower(directory: dir.log, configuration: Self.fastPolling))
        let error = try await follow.waitForError()
        #expect(error?.code == .corrupted)
        #expect(error?.message.contains("valid batch after it") == true, "\(error.map { "\($0)" } ?? "")")
        #expect(follow.records.map(\.offset) == [0, 1, 2])
        await follow.stop()
    }

    @Test("an offset beyond the end is waited for")
    func waitsBeyondTheEnd() async throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let log = try openLog(dir.log, Self.rollingConfiguration())
        try await appendSequentially(log, 0..<5)
        let follow = Follow(LogFollower(directory: dir.log, from: 40, configuration: Self.fastPolling))
        try await Task.sleep(for: .milliseconds(30))
        #expect(follow.records.isEmpty && follow.error == nil)
        try await appendSequentially(log, 5..<60)
        let seen = try await follow.waitFor(count: 20)
        #expect(seen.map(\.offset) == (40..<60).map { UInt64($0) })
        #expect(seen.map(\.payload) == (40..<60).map { payload($0) })
        await follow.stop()
        try await log.close()
    }

    @Test("an offset before the first segment's base is refused, naming the first offset kept")
    func refusesBeforeTheStart() async throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let log = try openLog(dir.log, Self.rollingConfiguration())
        try await appendSequentially(log, 0..<100)
        try await log.close()
        let names = segmentNames(dir.log)
        #expect(names.count >= 3)
        // Retention by hand: the first segment and its indexes go.
        let stem = names[0].dropLast(4)
        for suffix in [".log", ".index", ".timeindex"] { removeFile(dir.log + "/" + stem + suffix) }
        let first = UInt64(names[1].dropLast(4))!

        var records = LogFollower(directory: dir.log, from: 0, configuration: Self.fastPolling).makeAsyncIterator()
        do {
            _ = try await records.next()
            Issue.record("following from 0 should have failed")
        } catch let error as LogError {
            #expect(error.code == .invalidArgument)
            #expect(error.message.contains("before the log's first offset \(first)"), "\(error)")
        }
        #expect(try await records.next() == nil, "a failed iterator is finished")

        var fromFirst = LogFollower(directory: dir.log, from: first, configuration: Self.fastPolling).makeAsyncIterator()
        #expect(try await fromFirst.next()?.offset == first)
    }

    @Test("a segment cut below what was already read stops the follower, naming the dropped offsets")
    func shrinkingSegmentFails() async throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        var configuration = smallConfiguration()
        configuration.segmentBytesMax = 1 << 20
        let log = try openLog(dir.log, configuration)
        for i in 0..<6 { _ = try await log.append(AppendRecord(payload: payload(i))) }
        try await log.close()
        let follow = Follow(LogFollower(directory: dir.log, configuration: Self.fastPolling))
        _ = try await follow.waitFor(count: 6)
        let segment = dir.log + "/" + segmentNames(dir.log)[0]
        let layout = try batchLayout(segment)
        writeFile(segment, Array(readFile(segment)[..<layout[4].position]))
        let error = try await follow.waitForError()
        #expect(error?.code == .corrupted)
        #expect(error?.message.contains("shrank") == true, "\(error.map { "\($0)" } ?? "")")
        await follow.stop()
    }

    @Test("cancelling the task ends the iteration")
    func cancellation() async throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let task = Task {
            var records = LogFollower(directory: dir.log, configuration: Self.fastPolling).makeAsyncIterator()
            return try await records.next()
        }
        try await Task.sleep(for: .milliseconds(10))
        task.cancel()
        await #expect(throws: CancellationError.self) { _ = try await task.value }
    }

    // MARK: The decision table

    struct Row: Sendable, CustomTestStringConvertible {
        let stop: ScanStop
        let sealed: Bool
        let successorAtEnd: Bool
        let later: UInt64?
        let expected: FollowDecision
        var testDescription: String {
            "\(stop), \(sealed ? "sealed" : "last")\(successorAtEnd ? ", successor at end" : ""), later valid batch \(later.map { "at \($0)" } ?? "none")"
        }
    }

    static let rows: [Row] = {
        let p: UInt64 = 4242
        let fail = FollowDecision.fail(reason: "")
        return [
            Row(stop: .endOfData, sealed: true, successorAtEnd: true, later: nil, expected: .advance),
            Row(stop: .endOfData, sealed: true, successorAtEnd: false, later: nil, expected: fail),
            Row(stop: .endOfData, sealed: false, successorAtEnd: false, later: nil, expected: .wait),
            Row(stop: .truncatedHeader(position: p, available: 40), sealed: false, successorAtEnd: false, later: nil, expected: .wait),
            Row(stop: .truncatedPayload(position: p, needed: 600, available: 100), sealed: false, successorAtEnd: false, later: nil, expected: .wait),
            Row(stop: .truncatedPayload(position: p, needed: 600, available: 9000), sealed: false, successorAtEnd: false, later: 5000, expected: fail),
            Row(stop: .badHeader(position: p, problem: .badMagic(0)), sealed: false, successorAtEnd: false, later: nil, expected: .wait),
            Row(stop: .badHeader(position: p, problem: .badMagic(0)), sealed: false, successorAtEnd: false, later: 5000, expected: fail),
            Row(stop: .badCRC(position: p), sealed: false, successorAtEnd: false, later: nil, expected: .wait),
            Row(stop: .badCRC(position: p), sealed: false, successorAtEnd: false, later: 5000, expected: fail),
            Row(stop: .truncatedHeader(position: p, available: 40), sealed: true, successorAtEnd: false, later: nil, expected: fail),
            Row(stop: .truncatedPayload(position: p, needed: 600, available: 100), sealed: true, successorAtEnd: false, later: nil, expected: fail),
            Row(stop: .badCRC(position: p), sealed: true, successorAtEnd: false, later: nil, expected: fail),
            Row(stop: .discontinuity(position: p, what: "base offset 9, expected 7"), sealed: false, successorAtEnd: false, later: nil, expected: fail),
            Row(stop: .discontinuity(position: p, what: "base offset 9, expected 7"), sealed: true, successorAtEnd: false, later: nil, expected: fail),
        ]
    }()

    @Test(arguments: LogFollowerTests.rows)
    func decisionTable(row: Row) {
        let decision = FollowDecision.decide(stop: row.stop, sealed: row.sealed, successorAtEnd: row.successorAtEnd, validBatchAfter: row.later)
        switch (decision, row.expected) {
        case (.wait, .wait), (.advance, .advance): break
        case (.fail(let reason), .fail):
            #expect(!reason.isEmpty)
            if row.sealed || row.later != nil, let position = row.stop.position { #expect(reason.contains("\(position)")) }
        default: Issue.record("decided \(decision), expected \(row.expected)")
        }
    }
}

/// A follower read by a task of its own, so that a test can look at what it has seen so far.
final class Follow: Sendable {
    private struct State {
        var records: [LogRecord] = []
        var error: (any Error)?
    }
    private let state = Mutex(State())
    private let task = Mutex<Task<Void, Never>?>(nil)

    init(_ follower: LogFollower) {
        let reading = Task { [self] in
            var iterator = follower.makeAsyncIterator()
            do {
                while let record = try await iterator.next() { state.withLock { $0.records.append(record) } }
            } catch {
                state.withLock { $0.error = error }
            }
        }
        task.withLock { $0 = reading }
    }

    var records: [LogRecord] { state.withLock { $0.records } }

    var error: (any Error)? { state.withLock { $0.error } }

    /// The records once `count` have been seen; throws when the follower failed or after `timeoutMs`.
    func waitFor(count: Int, timeoutMs: Int = 5000) async throws -> [LogRecord] {
        let deadline = ContinuousClock.now + .milliseconds(timeoutMs)
        while ContinuousClock.now < deadline {
            let (records, error) = state.withLock { ($0.records, $0.error) }
            if let error { throw error }
            if records.count >= count { return records }
            try await Task.sleep(for: .milliseconds(2))
        }
        throw FollowTimeout(description: "saw \(records.count) of \(count) records in \(timeoutMs) ms")
    }

    /// The error the follower stopped with, or nil after `timeoutMs`.
    func waitForError(timeoutMs: Int = 5000) async throws -> LogError? {
        let deadline = ContinuousClock.now + .milliseconds(timeoutMs)
        while ContinuousClock.now < deadline {
            if let error { return error as? LogError }
            try await Task.sleep(for: .milliseconds(2))
        }
        return nil
    }

    func stop() async {
        let reading = task.withLock { $0 }
        reading?.cancel()
        await reading?.value
    }
}

struct FollowTimeout: Error, CustomStringConvertible {
    let description: String
}
