import Synchronization

/// The outcome of a `DurableLog.submit`: the first offset of the appended records once they are
/// acknowledged, or the error that failed them. May be awaited once, from any task.
public final class AppendTicket: Sendable {
    private enum State {
        case waiting
        case awaited(CheckedContinuation<UInt64, any Error>)
        case done(Result<UInt64, any Error>)
        case consumed
    }
    private let state = Mutex(State.waiting)

    init() {}

    /// Waits for the acknowledgement; returns the first offset. Awaiting a ticket twice is a
    /// programmer error.
    public func offset() async throws -> UInt64 {
        try await withCheckedThrowingContinuation { continuation in
            let ready = state.withLock { state -> Result<UInt64, any Error>? in
                switch state {
                case .waiting:
                    state = .awaited(continuation)
                    return nil
                case .done(let result):
                    state = .consumed
                    return result
                case .awaited, .consumed:
                    preconditionFailure("an AppendTicket is awaited once")
                }
            }
            if let ready { continuation.resume(with: ready) }
        }
    }

    func complete(_ result: Result<UInt64, any Error>) {
        let continuation = state.withLock { state -> CheckedContinuation<UInt64, any Error>? in
            switch state {
            case .waiting:
                state = .done(result)
                return nil
            case .awaited(let continuation):
                state = .consumed
                return continuation
            case .done, .consumed:
                preconditionFailure("an AppendTicket completes once")
            }
        }
        continuation?.resume(with: result)
    }
}
