import Dispatch
import Glibc
import Synchronization

/// The store's single writer: one OS thread that runs every write transaction from begin to
/// commit, and `sync`, in submission order, then closes the environment.
///
/// LMDB allows one write transaction at a time and ties it to the thread that began it; a
/// transaction committed on another thread than it began on (as after an `await`) reports success
/// and deadlocks the next one. Running each job synchronously here makes both impossible by
/// construction. The thread is outside Swift's cooperative pool, so fsync at commit never blocks it.
///
/// The queue holds one job per caller waiting for it (`write` suspends and `writeBlocking` blocks
/// until their job ran), so its length is bounded by the number of concurrent callers.
final class StoreWriter: Sendable {
    typealias Job = @Sendable () -> Void

    private struct State {
        var jobs: [Job] = []
        /// No job is accepted once set; the thread drains what was queued, then finishes.
        var stopping = false
        /// Set by the thread when the environment is closed, with the outcome of the final sync.
        var finished: Result<Void, StoreError>?
        var finishWaiters: [@Sendable (Result<Void, StoreError>) -> Void] = []
        /// The writer thread, to catch a `writeBlocking` issued from inside a write body.
        var thread: pthread_t?
    }

    private let state = Mutex(State())
    /// Signalled once per submitted job and on stop; the thread waits on it.
    private let wake = DispatchSemaphore(value: 0)

    /// Starts the thread. `shutdown` runs on it after the last job and returns the outcome of
    /// closing (a failed final sync, say).
    init(shutdown: @escaping @Sendable () -> Result<Void, StoreError>) {
        spawnThread { [self] in
            state.withLock { $0.thread = pthread_self() }
            run(shutdown: shutdown)
        }
    }

    /// Queues `job`; false when the writer is stopping (the caller reports `.closed`).
    func submit(_ job: @escaping Job) -> Bool {
        let accepted = state.withLock { state -> Bool in
            if state.stopping { return false }
            state.jobs.append(job)
            return true
        }
        if accepted { wake.signal() }
        return accepted
    }

    /// True on the writer thread itself.
    var isCurrentThread: Bool {
        state.withLock { state in state.thread.map { pthread_equal($0, pthread_self()) != 0 } ?? false }
    }

    /// Stops accepting jobs; `onFinish` runs (on the writer thread, or at once if already done)
    /// after the queued jobs ran and the environment closed.
    func stop(onFinish: @escaping @Sendable (Result<Void, StoreError>) -> Void) {
        let finished = state.withLock { state -> Result<Void, StoreError>? in
            state.stopping = true
            if state.finished == nil { state.finishWaiters.append(onFinish) }
            return state.finished
        }
        wake.signal()
        if let finished { onFinish(finished) }
    }

    private func run(shutdown: @Sendable () -> Result<Void, StoreError>) {
        while true {
            wake.wait()
            let (jobs, stopping) = state.withLock { state in
                defer { state.jobs.removeAll() }
                return (state.jobs, state.stopping)
            }
            for job in jobs { job() }
            // `stopping` was read with the jobs: once set, no job arrives after this batch.
            if stopping { break }
        }
        let outcome = shutdown()
        let waiters = state.withLock { state in
            state.finished = outcome
            defer { state.finishWaiters.removeAll() }
            return state.finishWaiters
        }
        for waiter in waiters { waiter(outcome) }
    }
}

/// Starts a detached OS thread running `body`, as `OSThread.spawn` in CairnLog does (this module
/// does not depend on CairnLog).
private func spawnThread(_ body: @escaping @Sendable () -> Void) {
    final class Box {
        let body: @Sendable () -> Void
        init(_ body: @escaping @Sendable () -> Void) { self.body = body }
    }
    let box = Unmanaged.passRetained(Box(body)).toOpaque()
    var thread = pthread_t()
    let rc = pthread_create(&thread, nil, { raw in
        let box = Unmanaged<Box>.fromOpaque(raw!).takeRetainedValue()
        box.body()
        return nil
    }, box)
    precondition(rc == 0, "pthread_create failed: \(rc)")
    pthread_detach(thread)
}
