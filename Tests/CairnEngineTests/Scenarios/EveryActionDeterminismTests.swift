import CairnLog
import CairnLogic
import CairnModel
import CairnStore
import CairnTestSupport
import Foundation
import Testing
@testable import CairnEngine

@Suite("Determinism with every action", .serialized)
struct EveryActionDeterminismTests {
    static let configurationDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Configuration/every-action").path
    static let seed: UInt64 = 0xCA1B_2026
    static let eventCount = 300

    /// The configuration's objects, read as `cairn config apply` reads a directory.
    static func objects() throws -> [ConfigurationObject] {
        try ConfigurationFiles.load(directory: configurationDirectory, key: ConfigurationStore.noKey).map(\.object)
    }

    @Test("the workflows use every built-in action, and each action has its evidence in the change log")
    func coverage() throws {
        let registered = Set(ActionRegistry.builtIn.all.map(\.name))
        var used: Set<String> = []
        for case .workflow(let workflow) in try Self.objects() {
            for node in workflow.graph["nodes"]?.arrayValue ?? [] { used.formUnion([node["action"]?.stringValue].compactMap { $0 }) }
        }
        #expect(registered.subtracting(used).isEmpty, "actions no workflow of \(Self.configurationDirectory) uses: \(registered.subtracting(used).sorted())")
        let evidenced = Set(EveryActionEvidence.byAction.keys)
        #expect(registered.subtracting(evidenced).isEmpty, "actions without evidence in EveryActionEvidence: \(registered.subtracting(evidenced).sorted())")
        #expect(evidenced.subtracting(registered).isEmpty, "evidence for actions that are not built in: \(evidenced.subtracting(registered).sorted())")
    }

    @Test("every action runs, and the projection digest is the same for batch sizes 1, 7 and 1000, a full replay and a second projection from scratch")
    func sameDigestEverywhere() async throws {
        print("every-action determinism: seed \(Self.seed), \(Self.eventCount) events")
        let dir = TemporaryDirectory("cairn-every-action")
        defer { dir.remove() }
        let clock = StepClock(EveryActionEvents.startMicros)
        let eventLog = try await DurableLog.open(directory: dir.path + "/events", clock: clock, logger: quiet)
        let configuration = try await ConfigurationStore.open(log: eventLog)
        try await configuration.commit(try Self.objects().map { .put($0) }, checks: StandardChecks())
        for (event, logMicros) in EveryActionEvents.generate(seed: Self.seed, count: Self.eventCount) {
            clock.set(logMicros)
            _ = try await eventLog.append(AppendRecord(kind: RecordKind.event, key: Array(event.id.utf8), payload: EventRecord.encode(event)))
        }

        var runs: [(label: String, digest: String, changes: [Change])] = []
        for (label, batch) in [("batch size 1", 1), ("batch size 7", 7), ("batch size 1000", 1000), ("again from scratch", 1000)] {
            let run = try await Self.project(eventLog, into: dir.path + "/" + label, eventsPerBatchMax: batch, replay: label == "batch size 1000")
            runs.append((label, run.digest, run.changes))
            if let replayed = run.replayDigest { runs.append(("a full replay", replayed, run.changes)) }
        }
        try await eventLog.close()

        for run in runs.dropFirst() {
            #expect(run.digest == runs[0].digest, "\(run.label) gives the digest \(run.digest), \(runs[0].label) \(runs[0].digest)")
            #expect(run.changes == runs[0].changes, "\(run.label) gives another change log than \(runs[0].label)")
        }

        // The actions did run: no run failed, and each action left its evidence.
        let changes = runs[0].changes
        let failed = changes.filter { $0.kind == .workflowFailed }
        #expect(failed.isEmpty, "failed runs: \(failed.prefix(3).map { "\($0.id) on \($0.eventID): \($0.fields.first?.after.map { "\($0)" } ?? "")" })")
        let unseen = EveryActionEvidence.byAction.filter { !$0.value.holds(changes) }.map { "\($0.key) (\($0.value.description))" }
        #expect(unseen.isEmpty, "actions without evidence that they ran: \(unseen.sorted())")
        let kinds = Set(changes.map(\.kind))
        #expect(kinds.isSuperset(of: [.profileMerged, .segmentEntered, .segmentExited, .sessionClosed]), "kinds of change seen: \(kinds.map(\.rawValue).sorted())")
    }

    /// Projects `eventLog` from scratch into a data directory at `path` (projections in generation
    /// 0, a change log of its own); returns the digest, the change log and, when `replay`, the
    /// digest of a full replay of the same directory. Nothing is synced before the end (the
    /// digest does not depend on durability, and batches of one event would each cost an fsync).
    static func project(_ eventLog: DurableLog, into path: String, eventsPerBatchMax: Int,
                        replay: Bool) async throws -> (digest: String, changes: [Change], replayDigest: String?) {
        var unsynced = LogConfiguration()
        unsynced.fsync = .none
        var deferred = StoreConfiguration()
        deferred.sync = .deferred
        let changeLog = try await DurableLog.open(directory: path + "/changes", configuration: unsynced, logger: quiet)
        let store = try StoreEnvironment(path: try ProjectionGenerations(root: path + "/projections").current().path,
                                         configuration: deferred, logger: quiet)
        var configuration = EngineConfiguration()
        configuration.eventsPerBatchMax = eventsPerBatchMax
        let digest: String
        do {
            try await Projector.open(eventLog: eventLog, changeLog: changeLog, store: store, configuration: configuration, logger: quiet).catchUp()
            digest = try await ProjectionDigest.compute(store)
        } catch {
            try? await store.close()
            try? await changeLog.close()
            throw error
        }
        try await store.close()
        let reader = changeLog.makeReader()
        let records = try reader.read(from: 0, maxRecords: 1_000_000)
        reader.close()
        let changes = try records.map { try Change(jsonValue: try JSONValue(binary: $0.payload)) }
        let replayDigest = replay ? try await Replay.rebuild(dataPath: path, eventLog: eventLog, liveChangeLog: changeLog, logger: quiet) : nil
        try await changeLog.close()
        return (digest, changes, replayDigest)
    }
}
