import CairnEngine
import CairnModel
import Dispatch

/// What the change log of a projection says it did, by kind and by the configuration object
/// concerned.
struct ChangeCounts: Sendable {
    /// Change kind (`segment.entered`) → changes.
    var kinds: [String: Int] = [:]
    /// Segment id → profiles that entered it (`segment.entered`), and that left it.
    var entered: [String: Int] = [:]
    var exited: [String: Int] = [:]
    /// Identifier kind (`email`, `login`, `order`, `id`) → `identity.linked` changes.
    var linked: [String: Int] = [:]
    /// Workflow id → `workflow.effect` changes (requests recorded), `workflow.failed` changes.
    var effects: [String: Int] = [:]
    var failures: [String: Int] = [:]
    /// Workflow id → the offsets of the events routed to it (given), and those of them whose
    /// profile change holds the field every run of the workflow changes
    /// (``RealisticConfiguration/runFields``): the runs seen in the change log. A merge also
    /// changes that field (counters add up), hence only the routed events are looked at.
    let runOffsets: [String: Set<UInt64>]
    private var runsSeen: [String: Set<UInt64>] = [:]
    var runs: [String: Int] { runsSeen.mapValues(\.count) }
    /// The first failure's error, to show.
    var firstFailure: String?

    func kind(_ kind: Change.Kind) -> Int { kinds[kind.rawValue] ?? 0 }

    init(runOffsets: [String: Set<UInt64>]) {
        self.runOffsets = runOffsets
    }

    /// Reads the whole change log of the data directory at `path` on a Dispatch thread (reads
    /// block on file I/O). The directory is left closed.
    static func read(path: String, runOffsets: [String: Set<UInt64>]) async throws -> ChangeCounts {
        let data = try await DataDirectory.open(path, logger: quietLogger)
        let changeLog = data.changeLog
        do {
            let counts = try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<ChangeCounts, any Error>) in
                DispatchQueue.global().async {
                    continuation.resume(with: Result {
                        let reader = changeLog.makeReader()
                        defer { reader.close() }
                        var counts = ChangeCounts(runOffsets: runOffsets)
                        try reader.scan(from: 0) { view in
                            try counts.add(Change(jsonValue: JSONValue(binary: view.payload)))
                            return true
                        }
                        return counts
                    })
                }
            }
            try await data.close()
            return counts
        } catch {
            try? await data.close()
            throw error
        }
    }

    private mutating func add(_ change: Change) {
        kinds[change.kind.rawValue, default: 0] += 1
        switch change.kind {
        case .segmentEntered: entered[change.target ?? "?", default: 0] += 1
        case .segmentExited: exited[change.target ?? "?", default: 0] += 1
        case .identityLinked: linked[String(change.id.prefix { $0 != ":" }), default: 0] += 1
        case .workflowEffect: effects[change.id, default: 0] += 1
        case .workflowFailed:
            failures[change.id, default: 0] += 1
            if firstFailure == nil { firstFailure = change.fields.first?.after.map { "\($0)" } }
        case .profileUpdated, .profileCreated:
            for (workflow, path) in RealisticConfiguration.runFields
            where runOffsets[workflow]?.contains(change.offset) == true && change.fields.contains(where: { $0.path == path }) {
                runsSeen[workflow, default: []].insert(change.offset)
            }
        default: break
        }
    }
}

/// `key count, key count` in key order.
func listed(_ counts: [String: Int]) -> String {
    counts.isEmpty ? "none" : counts.keys.sorted().map { "\($0) \(grouped(counts[$0]!))" }.joined(separator: ", ")
}
