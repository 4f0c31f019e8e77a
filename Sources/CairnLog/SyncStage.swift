import Dispatch
import Synchronization

/// The second stage of group commit under `fsync always`: a thread that calls `fdatasync` and
/// then acknowledges, so that the writer can compress and write the next group while the previous
/// one is being synced.
///
/// The writer hands over each written group. The stage takes every group handed over since its
/// last sync, syncs the file once, publishes the groups to readers and acknowledges them in order.
/// After a failed sync it fails those groups and every group handed over later (their bytes follow
/// the region whose durability is unknown) until the writer has repaired the file and calls
/// `clearFailure()`. At most `inFlightMax` groups wait; `handOff` blocks beyond that, so memory
/// stays bounded. The writer calls `drain()` before anything that needs the file to itself
/// (rolling, repairing, closing).
final class SyncStage: Sendable {
    struct Group: Sendable {
        let pending: [AppendQueue.Pending]
        let firstOffsets: [UInt64]
        /// The log's position after this group.
        let position: LogWriter.Position
        /// Batches to index once visible.
        let notes: [(BatchHeader, UInt64)]
        let file: any StorageFile
    }

    private struct State {
        var groups: [Group] = []
        var syncing = false
        var failure: LogError?
        var visible: LogWriter.Position
        var drainWaiters = 0
        var spaceWaiters = 0
        var stopping = false
    }

    private let state: Mutex<State>
    private let work = DispatchSemaphore(value: 0)
    private let drained = DispatchSemaphore(value: 0)
    private let space = DispatchSemaphore(value: 0)
    private let stopped = DispatchSemaphore(value: 0)
    private let table: SegmentTable
    private let onPublish: @Sendable (UInt64) -> Void
    let inFlightMax: Int

    init(visible: LogWriter.Position, table: SegmentTable, inFlightMax: Int = 2, onPublish: @escaping @Sendable (UInt64) -> Void) {
        state = Mutex(State(visible: visible))
        self.table = table
        self.inFlightMax = inFlightMax
        self.onPublish = onPublish
    }

    /// What readers may see; with the stage drained, what is durable.
    var visible: LogWriter.Position {
        get { state.withLock { $0.visible } }
        set { state.withLock { $0.visible = newValue } }
    }

    /// The error of a failed sync, until `clearFailure()`.
    var failure: LogError? { state.withLock { $0.failure } }

    func clearFailure() { state.withLock { $0.failure = nil } }

    func start() {
        OSThread.spawn(name: "cairn-log-sync") { [self] in run() }
    }

    /// Queues a written group for syncing; blocks while `inFlightMax` groups wait.
    func handOff(_ group: Group) {
        while true {
            let queued = state.withLock { state -> Bool in
                guard state.groups.count < inFlightMax else {
                    state.spaceWaiters += 1
                    return false
                }
                state.groups.append(group)
                return true
            }
            if queued { break }
            space.wait()
        }
        work.signal()
    }

    /// Waits until every handed-over group is synced (or failed) and acknowledged.
    func drain() {
        let idle = state.withLock { state -> Bool in
            if state.groups.isEmpty && !state.syncing { return true }
            state.drainWaiters += 1
            return false
        }
        if !idle { drained.wait() }
    }

    /// Drains, then ends the thread.
    func stop() {
        drain()
        state.withLock { $0.stopping = true }
        work.signal()
        stopped.wait()
    }

    private func run() {
        while true {
            work.wait()
            let (groups, stopping) = state.withLock { state -> ([Group], Bool) in
                let groups = state.groups
                state.groups.removeAll()
                state.syncing = !groups.isEmpty
                let waiters = state.spaceWaiters
                state.spaceWaiters = 0
                for _ in 0..<waiters { space.signal() }
                return (groups, state.stopping)
            }
            if !groups.isEmpty { sync(groups) }
            let waiters = state.withLock { state -> Int in
                state.syncing = false
                guard state.groups.isEmpty else { return 0 }
                let waiters = state.drainWaiters
                state.drainWaiters = 0
                return waiters
            }
            for _ in 0..<waiters { drained.signal() }
            if stopping && groups.isEmpty {
                stopped.signal()
                return
            }
        }
    }

    private func sync(_ groups: [Group]) {
        var failure = state.withLock { $0.failure }
        if failure == nil {
            do {
                try groups[groups.count - 1].file.sync()
            } catch {
                let logError = error as? LogError ?? LogError(.io, "\(error)")
                state.withLock { $0.failure = logError }
                failure = logError
            }
        }
        if let failure {
            for group in groups {
                for pending in group.pending { pending.complete(.failure(failure)) }
            }
            return
        }
        let last = groups[groups.count - 1].position
        state.withLock { $0.visible = last }
        table.publish(length: last.length, endOffset: last.nextOffset, notes: groups.flatMap(\.notes))
        onPublish(last.nextOffset)
        for group in groups {
            for (pending, offset) in zip(group.pending, group.firstOffsets) { pending.complete(.success(offset)) }
        }
    }
}
