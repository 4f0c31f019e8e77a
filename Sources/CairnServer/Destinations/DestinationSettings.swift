/// How the destination dispatcher delivers (see docs/destinations.md). Every knob has a limit;
/// `validate()` names a bad one.
public struct DestinationSettings: Sendable {
    /// Attempts per delivery, the first included; after the last failed one the change goes to
    /// the destination dead-letter log and the destination moves on (1...1000).
    public var attemptsMax = 8
    /// The wait after the first failed attempt; it doubles after each further one.
    public var backoffInitial = Duration.milliseconds(100)
    /// The longest wait between two attempts.
    public var backoffMax = Duration.seconds(30)
    /// The longest one HTTP request may take, from connecting to the end of the reply.
    public var requestTimeout = Duration.seconds(10)
    /// Where the secret key that opens resource credentials comes from: the variable
    /// `CAIRN_SECRET_KEY` of this environment, else `secret.key` in the data directory (see
    /// `SecretKey.load`). Nil: the process's environment.
    public var environment: [String: String]?

    public init() {}

    public func validate() throws(ServerError) {
        guard (1...1000).contains(attemptsMax) else { throw ServerError("destinations.attemptsMax \(attemptsMax) is outside 1...1000") }
        guard backoffInitial >= .milliseconds(1) && backoffInitial <= .seconds(3600) else {
            throw ServerError("destinations.backoffInitial must be 1 ms...1 h")
        }
        guard backoffMax >= backoffInitial && backoffMax <= .seconds(86_400) else {
            throw ServerError("destinations.backoffMax must be backoffInitial...1 day")
        }
        guard requestTimeout >= .milliseconds(10) && requestTimeout <= .seconds(600) else {
            throw ServerError("destinations.requestTimeout must be 10 ms...10 min")
        }
    }

    var retrySchedule: RetrySchedule {
        RetrySchedule(attemptsMax: attemptsMax, backoffInitial: backoffInitial, backoffMax: backoffMax)
    }
}

/// Capped exponential backoff: after failed attempt `n` (from 1) the next waits
/// `backoffInitial × 2^(n-1)`, at most `backoffMax`; there are `attemptsMax` attempts in all.
/// Pure: no clock, no randomness (a receiver that comes back sees the same schedule each time).
struct RetrySchedule: Sendable, Equatable {
    let attemptsMax: Int
    let backoffInitial: Duration
    let backoffMax: Duration

    /// The wait after failed attempt `attempt`; nil when it was the last one.
    func delay(afterAttempt attempt: Int) -> Duration? {
        precondition(attempt >= 1, "attempts count from 1")
        guard attempt < attemptsMax else { return nil }
        var delay = backoffInitial
        var doublings = attempt - 1
        while doublings > 0 && delay < backoffMax {
            delay = delay * 2
            doublings -= 1
        }
        return min(delay, backoffMax)
    }
}
