import Testing
@testable import CairnLog

@Suite("Appending and reading")
struct AppendReadTests {
    @Test("records come back byte-exact with dense offsets, keys and kinds")
    func roundTrip() async throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let log = try openLog(dir.log, smallConfiguration())
        let offsets = try await appendSequentially(log, 0..<300, key: true)
        #expect(offsets == (0..<300).map { UInt64($0) })
        let empty = try await log.append(AppendRecord(kind: 9, key: [], payload: []))
        #expect(empty == 300)
        #expect(log.endOffset == 301)
        let records = try readAll(log)
        #expect(records.count == 301)
        for i in 0..<300 {
            #expect(records[i].offset == UInt64(i))
            #expect(records[i].payload == payload(i))
            #expect(records[i].key == Array("k\(i)".utf8))
            #expect(records[i].kind == UInt16(i % 7))
        }
        #expect(records[300].key == [])
        #expect(records[300].payload == [])
        #expect(log.segmentCount > 1, "the small configuration rolls segments")
        try await log.close()

        let reopened = try openLog(dir.log, smallConfiguration())
        #expect(reopened.openedCleanly)
        #expect(reopened.recoveryActions.isEmpty)
        #expect(try readAll(reopened) == records)
        #expect(try await reopened.append(AppendRecord(payload: [1])) == 301)
        try await reopened.close()
    }

    @Test("concurrent producers get distinct dense offsets and their own payloads")
    func concurrentProducers() async throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let log = try openLog(dir.log, smallConfiguration())
        let results = try await withThrowingTaskGroup(of: [(UInt64, Int)].self) { group in
            for producer in 0..<8 {
                group.addTask {
                    var mine: [(UInt64, Int)] = []
                    for j in 0..<100 {
                        let i = producer * 1000 + j
                        mine.append((try await log.append(AppendRecord(payload: payload(i))), i))
                    }
                    return mine
                }
            }
            var all: [(UInt64, Int)] = []
            for try await part in group { all += part }
            return all
        }
        #expect(Set(results.map(\.0)) == Set((0..<800).map { UInt64($0) }))
        let reader = log.makeReader()
        for (offset, i) in results {
            #expect(try reader.record(at: offset)?.payload == payload(i))
        }
        try await log.close()
    }

    @Test("readers scanning while producers append see only complete, correct records")
    func readersDuringAppends() async throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let log = try openLog(dir.log, smallConfiguration())
        let producers = Task {
            try await withThrowingTaskGroup(of: Void.self) { group in
                for producer in 0..<4 {
                    group.addTask {
                        for j in 0..<150 { _ = try await log.append(AppendRecord(kind: UInt16(producer), payload: payload(producer * 1000 + j))) }
                    }
                }
                try await group.waitForAll()
            }
        }
        // Each record names its producer and number; a reader checks every record it sees.
        let expected = Set((0..<4).flatMap { p in (0..<150).map { payload(p * 1000 + $0) } })
        var scans = 0
        var lastEnd: UInt64 = 0
        while lastEnd < 600 {
            let reader = log.makeReader()
            var seen: UInt64 = 0
            try reader.scan(from: 0) { record in
                #expect(record.offset == seen)
                #expect(expected.contains(Array(record.payload)), "offset \(record.offset)")
                seen += 1
                return true
            }
            #expect(seen >= lastEnd, "a later scan saw fewer records")
            lastEnd = seen
            scans += 1
            await Task.yield()
        }
        try await producers.value
        #expect(scans > 1)
        try await log.close()
    }

    @Test("timestamps come from the injected clock and never decrease")
    func timestamps() async throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let clock = ManualClock(1_000_000)
        let log = try openLog(dir.log, smallConfiguration(), clock: clock)
        _ = try await log.append(AppendRecord(payload: [0]))
        clock.set(5_000_000)
        _ = try await log.append(AppendRecord(payload: [1]))
        clock.set(2_000_000)  // the clock goes backwards
        _ = try await log.append(AppendRecord(payload: [2]))
        clock.set(9_000_000)
        _ = try await log.append(AppendRecord(payload: [3]))
        let records = try readAll(log)
        #expect(records.map(\.timestamp) == [1_000_000, 5_000_000, 5_000_000, 9_000_000])
        let reader = log.makeReader()
        #expect(try reader.offset(atOrAfter: 0) == 0)
        #expect(try reader.offset(atOrAfter: 1_000_001) == 1)
        #expect(try reader.offset(atOrAfter: 5_000_000) == 1)
        #expect(try reader.offset(atOrAfter: 6_000_000) == 3)
        #expect(try reader.offset(atOrAfter: 10_000_000) == 4)
        try await log.close()
    }

    @Test("reading by timestamp across many segments finds the first record at or after it")
    func timeIndexAcrossSegments() async throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let clock = ManualClock(0)
        let log = try openLog(dir.log, smallConfiguration(), clock: clock)
        for i in 0..<400 {
            clock.set(Int64(i / 3) * 1000)
            _ = try await log.append(AppendRecord(payload: payload(i)))
        }
        #expect(log.segmentCount > 3)
        let reader = log.makeReader()
        for t in stride(from: Int64(0), to: 140_000, by: 7_000) {
            let expected = UInt64(min(400, ((t + 999) / 1000) * 3))
            #expect(try reader.offset(atOrAfter: t) == expected, "timestamp \(t)")
        }
        try await log.close()
    }

    @Test("a tailing reader is woken by each commit")
    func tailing() async throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let log = try openLog(dir.log, smallConfiguration())
        let consumer = Task {
            var seen: [LogRecord] = []
            for try await record in log.records(from: 0) {
                seen.append(record)
                if seen.count == 50 { break }
            }
            return seen
        }
        for i in 0..<50 {
            _ = try await log.append(AppendRecord(payload: payload(i)))
            if i % 10 == 0 { try await Task.sleep(nanoseconds: 1_000_000) }
        }
        let seen = try await consumer.value
        #expect(seen.map(\.offset) == (0..<50).map { UInt64($0) })
        #expect(seen.map(\.payload) == (0..<50).map { payload($0) })

        let waiter = Task { try await log.waitForEnd(beyond: 1000) }
        waiter.cancel()
        await #expect(throws: CancellationError.self) { try await waiter.value }
        try await log.close()
    }

    @Test("close ends tailers with a closed error and refuses later appends")
    func closeEndsTailers() async throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let log = try openLog(dir.log, smallConfiguration())
        let waiter = Task { try await log.waitForEnd(beyond: 5) }
        try await Task.sleep(nanoseconds: 5_000_000)
        try await log.close()
        do {
            _ = try await waiter.value
            Issue.record("the waiter should have thrown")
        } catch let error as LogError {
            #expect(error.code == .closed)
        }
        await #expect(throws: LogError.self) { try await log.append(AppendRecord(payload: [1])) }
    }

    @Test("segments roll by age on the injected clock")
    func rollByAge() async throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        var configuration = smallConfiguration()
        configuration.segmentBytesMax = 1 << 30
        configuration.segmentAgeMaxMs = 60_000
        let clock = ManualClock(0)
        let log = try openLog(dir.log, configuration, clock: clock)
        _ = try await log.append(AppendRecord(payload: [1]))
        clock.set(59_000_000)
        _ = try await log.append(AppendRecord(payload: [2]))
        #expect(log.segmentCount == 1)
        clock.set(60_000_000)
        _ = try await log.append(AppendRecord(payload: [3]))
        #expect(log.segmentCount == 2)
        #expect(segmentNames(dir.log) == ["00000000000000000000.log", "00000000000000000002.log"])
        try await log.close()
    }

    @Test("limits: empty appends, oversized records and a second opener are refused with clear errors")
    func limits() async throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        var configuration = smallConfiguration()
        configuration.recordBytesMax = 1000
        let log = try openLog(dir.log, configuration)
        await #expect(throws: LogError.self) { try await log.append([]) }
        do {
            _ = try await log.append(AppendRecord(payload: [UInt8](repeating: 0, count: 1001)))
            Issue.record("an oversized record was accepted")
        } catch let error as LogError {
            #expect(error.code == .invalidArgument)
            #expect(error.message.contains("recordBytesMax"))
        }
        do {
            _ = try openLog(dir.log, configuration)
            Issue.record("a second writer opened the log")
        } catch let error as LogError {
            #expect(error.code == .locked)
        }
        var bad = LogConfiguration()
        bad.batchBytesMax = 10
        #expect(throws: LogError.self) { try bad.validate() }
        #expect(log.endOffset == 0)
        try await log.close()
    }

    @Test("a full queue rejects producers with overloaded instead of buffering without bound")
    func overload() async throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        var configuration = smallConfiguration()
        configuration.queueBytesMax = 4096
        configuration.recordBytesMax = 2048
        configuration.lingerMicros = 200_000  // keep the writer slow so the queue fills
        let log = try openLog(dir.log, configuration)
        let outcomes = await withTaskGroup(of: LogError.Code?.self) { group in
            for i in 0..<40 {
                group.addTask {
                    do {
                        _ = try await log.append(AppendRecord(payload: payload(i, length: 1500)))
                        return nil
                    } catch let error as LogError {
                        return error.code
                    } catch {
                        return .io
                    }
                }
            }
            var codes: [LogError.Code?] = []
            for await code in group { codes.append(code) }
            return codes
        }
        let overloaded = outcomes.filter { $0 == .overloaded }.count
        let accepted = outcomes.filter { $0 == nil }.count
        #expect(overloaded > 0)
        #expect(accepted > 0)
        #expect(overloaded + accepted == 40)
        #expect(try readAll(log).count == accepted)
        try await log.close()
    }

    @Test("the wait policy holds producers until there is room")
    func overloadWait() async throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        var configuration = smallConfiguration()
        configuration.queueBytesMax = 4096
        configuration.recordBytesMax = 2048
        configuration.overload = .wait(milliseconds: 30_000)
        let log = try openLog(dir.log, configuration)
        try await withThrowingTaskGroup(of: UInt64.self) { group in
            for i in 0..<60 { group.addTask { try await log.append(AppendRecord(payload: payload(i, length: 1500))) } }
            var offsets: Set<UInt64> = []
            for try await offset in group { offsets.insert(offset) }
            #expect(offsets == Set((0..<60).map { UInt64($0) }))
        }
        try await log.close()
    }
}
