import Synchronization

/// Tasks waiting for an offset that only grows (a log's visible end, a projection's applied
/// offset) to pass a given one. Cancellable; resumed with `.closed`
/// when the log closes. The `registered`/`cancelled` states cover the window between a waiter's
/// registration and its continuation being stored, so neither a wake-up nor a cancellation is lost.
public final class EndWaiters: Sendable {
    private enum Waiter {
        case registered(after: UInt64)
        case parked(after: UInt64, CheckedContinuation<UInt64, any Error>)
        case cancelled
    }
    private struct State {
        var waiters: [UInt64: Waiter] = [:]
        var nextID: UInt64 = 0
        var end: UInt64
        var closed = false
    }
    private let state: Mutex<State>

    public init(end: UInt64) {
        state = Mutex(State(end: end))
    }

    /// Returns the visible end once it is greater than `offset`.
    public func wait(beyond offset: UInt64) async throws -> UInt64 {
        let id = try state.withLock { state -> UInt64? in
            if state.closed { throw LogError(.closed, "the log is closed") }
            if state.end > offset { return nil }
            state.nextID += 1
            state.waiters[state.nextID] = .registered(after: offset)
            return state.nextID
        }
        guard let id else { return state.withLock { $0.end } }
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                let outcome = state.withLock { state -> Result<UInt64, any Error>? in
                    switch state.waiters[id] {
                    case .registered:
                        if state.closed { state.waiters[id] = nil; return .failure(LogError(.closed, "the log is closed")) }
                        if state.end > offset { state.waiters[id] = nil; return .success(state.end) }
                        state.waiters[id] = .parked(after: offset, continuation)
                        return nil
                    case .cancelled, .parked, nil:
                        state.waiters[id] = nil
                        return .failure(CancellationError())
                    }
                }
                if let outcome { continuation.resume(with: outcome) }
            }
        } onCancel: {
            let continuation = state.withLock { state -> CheckedContinuation<UInt64, any Error>? in
                switch state.waiters[id] {
                case .parked(_, let continuation):
                    state.waiters[id] = nil
                    return continuation
                case .registered:
                    state.waiters[id] = .cancelled
                    return nil
                case .cancelled, nil:
                    return nil
                }
            }
            continuation?.resume(throwing: CancellationError())
        }
    }

    /// Records a new visible end and wakes the waiters it satisfies.
    public func advance(to end: UInt64) {
        let ready = state.withLock { state -> [CheckedContinuation<UInt64, any Error>] in
            state.end = end
            var ready: [CheckedContinuation<UInt64, any Error>] = []
            for (id, waiter) in state.waiters {
                if case .parked(let after, let continuation) = waiter, end > after {
                    ready.append(continuation)
                    state.waiters[id] = nil
                }
            }
            return ready
        }
        for continuation in ready { continuation.resume(returning: end) }
    }

    public func close() {
        let all = state.withLock { state -> [CheckedContinuation<UInt64, any Error>] in
            state.closed = true
            var all: [CheckedContinuation<UInt64, any Error>] = []
            for (id, waiter) in state.waiters {
                if case .parked(_, let continuation) = waiter {
                    all.append(continuation)
                    state.waiters[id] = nil
                }
            }
            return all
        }
        for continuation in all { continuation.resume(throwing: LogError(.closed, "the log is closed")) }
    }
}
