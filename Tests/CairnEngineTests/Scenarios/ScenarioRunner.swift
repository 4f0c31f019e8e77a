import CairnLog
import CairnModel
import CairnStore
import CairnTestSupport
import Foundation
@testable import CairnEngine

/// Runs a ``ScenarioScript`` in a fresh data directory laid out as `DataDirectory` lays it out
/// (event, change and dead-letter logs; projections in generation 0), with a log clock that the
/// script's event times move. Configuration is committed to the event log, events go through the
/// real ``IngestGate`` and ``IngestAppender``, and one ``Projector`` catches up at each `project`
/// step. After the last step the runner projects what is left and checks determinism: a full
/// ``Replay`` must give the digest of the incremental projection.
///
/// An expectation that fails does not stop the script: every failure is collected, naming the
/// script and the step. An error (a step that cannot be done) stops it with a ``ScenarioError``.
struct ScenarioRunner {
    /// 2026-01-01T00:00:00Z, where a script's time starts.
    static let startMicros: Int64 = 1_767_225_600_000_000

    let script: ScenarioScript
    private let dir: TemporaryDirectory
    private let clock: StepClock
    private let eventLog: DurableLog
    private let changeLog: DurableLog
    private let deadLetterLog: DurableLog
    private let store: StoreEnvironment
    private let configuration: ConfigurationStore
    private let projector: Projector
    private let queries: ProfileQueries
    private let consents: ProjectionConsentLookup
    private var now = Self.startMicros
    private var storeOpen = true
    private(set) var failures: [String] = []
    /// Failures of the step being performed, without the script and step yet.
    private var pending: [String] = []

    /// Runs `script`; returns the failed expectations, each naming the script and the step.
    ///
    /// - Throws: ``ScenarioError`` for a step that cannot be done; the engine's errors at setup.
    static func run(_ script: ScenarioScript) async throws -> [String] {
        var runner = try await ScenarioRunner(script)
        do {
            for (index, step) in script.steps.enumerated() {
                do { try await runner.perform(step) } catch let error as ScenarioError { throw error } catch {
                    throw ScenarioError(script: script.name, step: index + 1, label: step.label, "\(error)")
                }
                runner.failures += runner.pending.map { "\(script.name): step \(index + 1) (\(step.label)): \($0)" }
                runner.pending = []
            }
            try await runner.checkReplay()
        } catch {
            try? await runner.close()
            throw error
        }
        try await runner.close()
        return runner.failures
    }

    private init(_ script: ScenarioScript) async throws {
        self.script = script
        dir = TemporaryDirectory("cairn-scenario")
        clock = StepClock(Self.startMicros)
        eventLog = try await DurableLog.open(directory: dir.path + "/events", clock: clock, logger: quiet)
        changeLog = try await DurableLog.open(directory: dir.path + "/changes", clock: clock, logger: quiet)
        deadLetterLog = try await DurableLog.open(directory: dir.path + "/deadletter", clock: clock, logger: quiet)
        store = try StoreEnvironment(path: try ProjectionGenerations(root: dir.path + "/projections").current().path, logger: quiet)
        configuration = try await ConfigurationStore.open(log: eventLog)
        projector = try await Projector.open(eventLog: eventLog, changeLog: changeLog, store: store, logger: quiet)
        queries = try await ProfileQueries.open(store)
        consents = try await ProjectionConsentLookup.open(store)
    }

    private mutating func perform(_ step: ScenarioStep) async throws {
        clock.set(now)
        switch step {
        case .apply(let objects):
            try await configuration.commit(objects.map { .put($0) }, checks: StandardChecks())
        case .setEnabled(let key, let enabled):
            try await configuration.commit([.setEnabled(key, enabled)], checks: StandardChecks())
        case .send(let source, let bridge, let events):
            let gate = IngestGate(configuration: try await configuration.state(), sourceID: source, bridge: bridge)
            var appender = IngestAppender(gate: gate, consents: consents, eventLog: eventLog, deadLetterLog: deadLetterLog)
            for sent in events {
                now = sent.time.resolve(after: now)
                clock.set(now)
                var event = sent.event
                event.clientTime = now
                var line = sent.line
                line["time"] = .string(ClientTime.iso8601(micros: now))
                try await appender.add(event, payload: .object(line), receivedMicros: now)
                try await appender.finish()  // one event per append, so that each is logged at its own time
            }
        case .project:
            try await projector.catchUp()
        case .expectProfile(let expected):
            try checkProfile(expected)
        case .expectProfileCount(let count):
            let actual = try queries.profileCount()
            if actual != count { pending.append("\(actual) profiles, expected \(count)") }
        case .expectChanges(let expected):
            try checkChanges(expected)
        case .expectStored(let expected):
            guard let event = try storedEvent(expected.event) else {
                pending.append("event \(expected.event) is not in the event log")
                return
            }
            check(event.jsonValue(includingPersonal: true), fields: expected.fields, absent: expected.absent, of: "the stored event")
        case .expectDeadLetter(let eventID, let reason, let message):
            try checkDeadLetter(eventID, reason: reason, message: message)
        }
    }

    // MARK: Expectations

    private mutating func checkProfile(_ expected: ProfileExpectation) throws {
        let canonical = try queries.resolve(expected.id)
        if let exists = expected.exists, exists != (canonical != nil) {
            pending.append(exists ? "no profile resolves from \(expected.id)" : "\(expected.id) resolves to \(canonical ?? "")")
        }
        if let resolvesTo = expected.resolvesTo, canonical != resolvesTo {
            pending.append("\(expected.id) resolves to \(canonical ?? "nothing"), expected \(resolvesTo)")
        }
        guard let canonical, let profile = try queries.profile(canonical) else {
            if expected.exists != false { pending.append("no profile \(expected.id)") }
            return
        }
        check(profile.jsonValue, fields: expected.fields, absent: expected.absent, of: "profile \(canonical)")
        if let trail = expected.trail {
            let actual = try queries.events(of: canonical).map(\.eventID)
            if actual != trail { pending.append("trail of \(canonical): \(actual), expected \(trail)") }
        }
        if let sessions = expected.sessions {
            let actual = try queries.sessions(of: canonical).map(\.id).sorted()
            if actual != sessions.sorted() { pending.append("sessions of \(canonical): \(actual), expected \(sessions.sorted())") }
        }
        if let segments = expected.segments, profile.segments.sorted() != segments.sorted() {
            pending.append("segments of \(canonical): \(profile.segments.sorted()), expected \(segments.sorted())")
        }
    }

    private mutating func checkChanges(_ expected: ChangeExpectation) throws {
        let changes = try records(in: changeLog).map { try Change(jsonValue: try JSONValue(binary: $0.payload)) }
            .filter { $0.eventID == expected.event }
        let rendered = changes.map { ([$0.kind.rawValue, $0.id] + ($0.target.map { [$0] } ?? [])).joined(separator: " ") }
        func matches(_ pattern: String) -> Bool { rendered.contains { $0 == pattern || $0.hasPrefix(pattern + " ") } }
        if let kinds = expected.kinds, changes.map(\.kind.rawValue) != kinds {
            pending.append("changes of \(expected.event): \(rendered), expected the kinds \(kinds)")
        }
        for pattern in expected.includes where !matches(pattern) {
            pending.append("changes of \(expected.event): \(rendered), expected one matching \"\(pattern)\"")
        }
        for pattern in expected.excludes where matches(pattern) {
            pending.append("changes of \(expected.event): \(rendered), expected none matching \"\(pattern)\"")
        }
    }

    private mutating func checkDeadLetter(_ eventID: String, reason: String, message: String?) throws {
        guard let record = try records(in: deadLetterLog).first(where: { $0.key == Array(eventID.utf8) }) else {
            pending.append("event \(eventID) is not in the dead-letter log")
            return
        }
        let deadLetter = try DeadLetterRecord(payload: record.payload)
        if deadLetter.reason != reason { pending.append("dead letter \(eventID): reason \(deadLetter.reason), expected \(reason)") }
        if let message, deadLetter.message != message {
            pending.append("dead letter \(eventID): message \(deadLetter.message), expected \(message)")
        }
        if try storedEvent(eventID) != nil { pending.append("event \(eventID) is in the event log too") }
    }

    /// Checks that each path holds its value (numbers compared by value) and that each absent
    /// path holds nothing.
    private mutating func check(_ json: JSONValue, fields: [(path: String, value: JSONValue)], absent: [String], of subject: String) {
        for (path, value) in fields {
            let actual = json.value(atDotPath: path)
            if !Self.same(actual, value) { pending.append("\(subject): \(path) is \(actual.map { "\($0)" } ?? "absent"), expected \(value)") }
        }
        for path in absent {
            if let actual = json.value(atDotPath: path) { pending.append("\(subject): \(path) is \(actual), expected it absent") }
        }
    }

    static func same(_ left: JSONValue?, _ right: JSONValue?) -> Bool {
        switch (left, right) {
        case (.array(let a)?, .array(let b)?): a.count == b.count && zip(a, b).allSatisfy { same($0, $1) }
        case (.object(let a)?, .object(let b)?): a.keys == b.keys && a.keys.allSatisfy { same(a[$0], b[$0]) }
        case (let a?, let b?) where a.doubleValue != nil && b.doubleValue != nil: a.doubleValue == b.doubleValue
        default: left == right
        }
    }

    // MARK: Logs and determinism

    private func records(in log: DurableLog) throws -> [LogRecord] {
        let reader = log.makeReader()
        defer { reader.close() }
        return try reader.read(from: 0, maxRecords: 100_000)
    }

    private func storedEvent(_ id: String) throws -> Event? {
        guard let record = try records(in: eventLog).first(where: { $0.kind == RecordKind.event && $0.key == Array(id.utf8) }) else { return nil }
        return try EventRecord.decode(record.payload)
    }

    /// Projects what is left, then rebuilds every projection from the log with ``Replay`` and
    /// compares the digests.
    private mutating func checkReplay() async throws {
        try await projector.catchUp()
        let live = try await ProjectionDigest.compute(store)
        storeOpen = false
        try await store.close()
        let rebuilt = try await Replay.rebuild(dataPath: dir.path, eventLog: eventLog, liveChangeLog: changeLog, logger: quiet)
        if rebuilt != live {
            failures.append("\(script.name): after the last step: a full replay gives the digest \(rebuilt), the incremental projection \(live)")
        }
    }

    private func close() async throws {
        if storeOpen { try await store.close() }
        try await deadLetterLog.close()
        try await changeLog.close()
        try await eventLog.close()
        dir.remove()
    }
}

extension ScenarioStep {
    /// The step's name, with what it is about where that helps a reader find it.
    var label: String {
        switch self {
        case .apply: "apply"
        case .setEnabled(let key, let enabled): (enabled ? "enable " : "disable ") + key.description
        case .send(let source, let bridge, _): "send \(source) \(bridge.rawValue)"
        case .project: "project"
        case .expectProfile(let expected): "expect-profile \(expected.id)"
        case .expectProfileCount: "expect-profile-count"
        case .expectChanges(let expected): "expect-changes \(expected.event)"
        case .expectStored(let expected): "expect-stored \(expected.event)"
        case .expectDeadLetter(let event, _, _): "expect-dead-letter \(event)"
        }
    }
}

extension ScenarioScript {
    /// The directory of the scripts, beside this file.
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Scripts").path

    /// The script `Scripts/<name>.yaml`.
    static func named(_ name: String) throws -> ScenarioScript {
        let path = directory + "/" + name + ".yaml"
        guard let data = FileManager.default.contents(atPath: path) else { throw ScenarioError(script: name + ".yaml", "cannot read \(path)") }
        return try ScenarioScript(name: name + ".yaml", yaml: String(decoding: data, as: UTF8.self))
    }
}
