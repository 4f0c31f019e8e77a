import CairnCorpus
import CairnLog
import CairnModel
import CairnStore
import CairnTestSupport
import Logging
import Synchronization
@testable import CairnEngine

let quiet: Logger = {
    var logger = Logger(label: "cairn.test")
    logger.logLevel = .critical
    return logger
}()

/// A clock the test moves by hand.
final class StepClock: LogClock {
    private let now: Mutex<Int64>
    init(_ start: Int64) { now = Mutex(start) }
    func nowMicros() -> Int64 { now.withLock { $0 } }
    func set(_ value: Int64) { now.withLock { $0 = value } }
}

/// An event log, a change log and a store in a temporary directory.
struct Fixture {
    let dir: TemporaryDirectory
    let eventLog: DurableLog
    let changeLog: DurableLog
    let store: StoreEnvironment
    let clock: StepClock

    static func make(_ label: String = "cairn-engine", start: Int64 = 1_767_225_600_000_000) async throws -> Fixture {
        let dir = TemporaryDirectory(label)
        let clock = StepClock(start)
        let eventLog = try await DurableLog.open(directory: dir.path + "/events", clock: clock, logger: quiet)
        let changeLog = try await DurableLog.open(directory: dir.path + "/changes", logger: quiet)
        let store = try StoreEnvironment(path: dir.path + "/projections", logger: quiet)
        return Fixture(dir: dir, eventLog: eventLog, changeLog: changeLog, store: store, clock: clock)
    }

    /// Appends events, one log record each, the log clock set to `logMicros` for each.
    func append(_ events: [(Event, Int64)]) async throws {
        for (event, logMicros) in events {
            clock.set(logMicros)
            _ = try await eventLog.append(AppendRecord(kind: RecordKind.event, payload: EventRecord.encode(event)))
        }
    }

    func projector(_ configuration: EngineConfiguration = EngineConfiguration(), ephemeralKeys: EphemeralKeys? = nil) async throws -> Projector {
        try await Projector.open(eventLog: eventLog, changeLog: changeLog, store: store, configuration: configuration,
                                 ephemeralKeys: ephemeralKeys, logger: quiet)
    }

    /// Every change in the change log, decoded.
    func changes() throws -> [Change] {
        var changes: [Change] = []
        try changeLog.makeReader().scan(from: 0) { record in
            changes.append(try! Change(jsonValue: try! JSONValue(binary: Array(record.payload))))
            return true
        }
        return changes
    }

    func close() async throws {
        try await store.close()
        try await changeLog.close()
        try await eventLog.close()
        dir.remove()
    }
}

/// The projection digest after one catch-up per batch size, each on a fresh fixture: `setUp`
/// fills the fixture's logs, the projector catches up with `eventsPerBatchMax` set to the size,
/// then `inspect` sees the fixture and how many events the catch-up projected. The digests come
/// in the order of `batchSizes`; equal digests mean the batch size changed nothing.
func digestsPerBatchSize(_ batchSizes: [Int], setUp: (Fixture) async throws -> Void,
                         inspect: (Fixture, UInt64) async throws -> Void = { _, _ in }) async throws -> [String] {
    var digests: [String] = []
    for batch in batchSizes {
        let f = try await Fixture.make()
        try await setUp(f)
        var configuration = EngineConfiguration()
        configuration.eventsPerBatchMax = batch
        let projected = try await f.projector(configuration).catchUp()
        digests.append(try await ProjectionDigest.compute(f.store))
        try await inspect(f, projected)
        try await f.close()
    }
    return digests
}

func event(_ id: String, _ type: EventType, profile: String?, session: String?, time: Int64? = nil,
           properties: JSONObject = [:], personal: JSONObject = [:]) -> Event {
    Event(id: id, type: type, clientTime: time, sourceID: "web", sessionID: session, profileID: profile,
          properties: properties, context: ["page": ["url": "https://shop.example/"]], personal: personal)
}

/// Corpus events with log timestamps one millisecond apart.
func corpusEvents(count: Int, seed: UInt64 = 3) throws -> [(Event, Int64)] {
    try CorpusGenerator.lines(seed: seed, count: count).enumerated().map { i, line in
        (try CorpusLine.parse(line: line), 1_767_225_600_000_000 + Int64(i) * 1000)
    }
}
