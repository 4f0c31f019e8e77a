import DequeModule
import Dispatch
import Synchronization

/// The bounded queue between producers and the log's single writer.
///
/// Producers enqueue whole `append` calls; the writer takes them in arrival order up to a byte
/// budget per group. The queue holds at most `bytesMax` bytes of records: past that a producer is
/// told `overloaded` (or waits for room, per the policy) and nothing is buffered for it.
final class AppendQueue: Sendable {
    /// How the writer reports the outcome of an append.
    enum Completion: Sendable {
        case continuation(CheckedContinuation<UInt64, any Error>)
        case ticket(AppendTicket)
    }

    struct Pending: Sendable {
        let records: [AppendRecord]
        let bytes: Int
        let completion: Completion

        func complete(_ result: Result<UInt64, any Error>) {
            switch completion {
            case .continuation(let continuation): continuation.resume(with: result)
            case .ticket(let ticket): ticket.complete(result)
            }
        }
    }

    /// A producer waiting for room. `registered` and `expired` cover the window in which the
    /// waiting child task has not parked its continuation yet, so no wake-up is ever lost.
    fileprivate enum SpaceWaiter {
        case registered
        case parked(CheckedContinuation<Void, Never>)
        case expired
    }

    fileprivate struct State {
        var pending: Deque<Pending> = []
        /// Bytes queued or reserved by producers about to enqueue.
        var bytes = 0
        var closed = false
        var spaceWaiters: [UInt64: SpaceWaiter] = [:]
        var nextWaiterID: UInt64 = 0
    }

    private let state = Mutex(State())
    /// Signalled when work arrives or the queue closes; the writer waits on it.
    let wake = DispatchSemaphore(value: 0)
    let bytesMax: Int

    init(bytesMax: Int) {
        self.bytesMax = bytesMax
    }

    /// Enqueues `records` and waits until the writer acknowledges them; returns the first offset.
    func enqueue(_ records: [AppendRecord], bytes: Int, overload: LogConfiguration.OverloadPolicy) async throws -> UInt64 {
        let deadline: UInt64? = if case .wait(let ms) = overload { Monotonic.nanos() + UInt64(ms) * 1_000_000 } else { nil }
        while true {
            let reserved = try state.withLock { state -> Bool in
                if state.closed { throw LogError(.closed, "the log is closed") }
                // A record larger than the whole budget still goes through when the queue is empty.
                guard state.bytes == 0 || state.bytes + bytes <= bytesMax else { return false }
                state.bytes += bytes
                return true
            }
            if reserved { break }
            try Task.checkCancellation()
            guard let deadline, Monotonic.nanos() < deadline else {
                throw LogError(.overloaded, "the append queue is full (\(bytesMax) bytes waiting for the disk); retry later")
            }
            await waitForSpace(until: deadline)
        }
        return try await withCheckedThrowingContinuation { continuation in
            let accepted = state.withLock { state -> Bool in
                if state.closed {
                    state.bytes -= bytes
                    return false
                }
                state.pending.append(Pending(records: records, bytes: bytes, completion: .continuation(continuation)))
                return true
            }
            if accepted {
                wake.signal()
            } else {
                continuation.resume(throwing: LogError(.closed, "the log is closed"))
            }
        }
    }

    /// Enqueues `records` without waiting, in call order; throws `.overloaded` at once when full.
    func submit(_ records: [AppendRecord], bytes: Int) throws -> AppendTicket {
        let ticket = AppendTicket()
        try state.withLock { state in
            if state.closed { throw LogError(.closed, "the log is closed") }
            guard state.bytes == 0 || state.bytes + bytes <= bytesMax else {
                throw LogError(.overloaded, "the append queue is full (\(bytesMax) bytes waiting for the disk); retry later")
            }
            state.bytes += bytes
            state.pending.append(Pending(records: records, bytes: bytes, completion: .ticket(ticket)))
        }
        wake.signal()
        return ticket
    }

    /// Takes pending appends in order, up to `bytesMax` bytes (always at least one).
    func take(bytesMax: Int) -> [Pending] {
        let (taken, waiters) = state.withLock { state -> ([Pending], [CheckedContinuation<Void, Never>]) in
            var taken: [Pending] = []
            var bytes = 0
            while let first = state.pending.first, taken.isEmpty || bytes + first.bytes <= bytesMax {
                taken.append(state.pending.removeFirst())
                bytes += first.bytes
            }
            state.bytes -= bytes
            guard bytes > 0 else { return (taken, []) }
            return (taken, state.wakeAllWaiters())
        }
        for waiter in waiters { waiter.resume() }
        return taken
    }

    var isEmpty: Bool { state.withLock { $0.pending.isEmpty } }

    var isClosed: Bool { state.withLock { $0.closed } }

    /// Refuses new appends from now on; what is queued stays for the writer to drain.
    func close() {
        let waiters = state.withLock { state in
            state.closed = true
            return state.wakeAllWaiters()
        }
        for waiter in waiters { waiter.resume() }
        wake.signal()
    }

    /// Waits until the writer takes something from the queue, or until `deadline`.
    private func waitForSpace(until deadline: UInt64) async {
        let id = state.withLock { state -> UInt64 in
            state.nextWaiterID += 1
            state.spaceWaiters[state.nextWaiterID] = .registered
            return state.nextWaiterID
        }
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                await withCheckedContinuation { continuation in
                    let parked = self.state.withLock { state -> Bool in
                        guard !state.closed, case .registered = state.spaceWaiters[id] else {
                            state.spaceWaiters[id] = nil
                            return false
                        }
                        state.spaceWaiters[id] = .parked(continuation)
                        return true
                    }
                    if !parked { continuation.resume() }
                }
            }
            group.addTask {
                let now = Monotonic.nanos()
                if deadline > now { try? await Task.sleep(nanoseconds: deadline - now) }
            }
            await group.next()
            // Whichever finished first, release the other.
            group.cancelAll()
            self.expire(id)
        }
    }

    private func expire(_ id: UInt64) {
        let continuation = state.withLock { state -> CheckedContinuation<Void, Never>? in
            switch state.spaceWaiters[id] {
            case .parked(let continuation):
                state.spaceWaiters[id] = nil
                return continuation
            case .registered:
                state.spaceWaiters[id] = .expired
                return nil
            case .expired, nil:
                return nil
            }
        }
        continuation?.resume()
    }
}

extension AppendQueue.State {
    /// Removes every waiter; returns the parked ones to resume outside the lock. Waiters not yet
    /// parked find their entry gone and return at once.
    fileprivate mutating func wakeAllWaiters() -> [CheckedContinuation<Void, Never>] {
        var continuations: [CheckedContinuation<Void, Never>] = []
        for (_, waiter) in spaceWaiters {
            if case .parked(let continuation) = waiter { continuations.append(continuation) }
        }
        spaceWaiters.removeAll()
        return continuations
    }
}
