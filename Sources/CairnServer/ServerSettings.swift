/// How `cairn serve` runs. Every limit has a default; `validate()` names a bad one.
public struct ServerSettings: Sendable {
    /// When a `/track` reply goes out.
    public enum Acknowledgement: String, Sendable {
        /// Once the events are durable in the log and projected (profile id, UX items and
        /// response values current), or `projectionWait` passed (a warning says so).
        case projected
        /// Once the events are durable in the log.
        case durable
    }

    public var host = "127.0.0.1"
    public var port = 8686
    /// The largest request body accepted (413 beyond).
    public var bodyBytesMax = 1 << 20
    /// The default acknowledgement; a request may ask for `?ack=durable`.
    public var acknowledgement = Acknowledgement.projected
    /// The longest a reply waits for the projection.
    public var projectionWait = Duration.seconds(2)
    /// How long one ephemeral-source key seals events before the next replaces it.
    public var ephemeralKeyRotation = Duration.seconds(600)
    /// How long a change stream (`GET /changes/stream`) stays silent before it sends a heartbeat
    /// comment, so that proxies keep the connection open.
    public var changeStreamHeartbeat = Duration.seconds(15)
    /// Whether destinations deliver with their resources' test credentials instead of the
    /// production ones (`cairn serve --test-mode`; see docs/destinations.md).
    public var testMode = false
    /// How destinations deliver: attempts, backoff, timeouts.
    public var destinations = DestinationSettings()

    public init() {}

    public func validate() throws(ServerError) {
        guard (1...65_535).contains(port) else { throw ServerError("port \(port) is outside 1...65535") }
        guard (1024...(64 << 20)).contains(bodyBytesMax) else { throw ServerError("bodyBytesMax \(bodyBytesMax) is outside 1 KiB...64 MiB") }
        guard projectionWait >= .zero && projectionWait <= .seconds(60) else { throw ServerError("projectionWait must be 0...60 s") }
        guard ephemeralKeyRotation >= .seconds(1) && ephemeralKeyRotation <= .seconds(86_400) else {
            throw ServerError("ephemeralKeyRotation must be 1 s...1 day")
        }
        guard changeStreamHeartbeat >= .milliseconds(10) && changeStreamHeartbeat <= .seconds(300) else {
            throw ServerError("changeStreamHeartbeat must be 10 ms...300 s")
        }
        try destinations.validate()
    }
}

/// A server setting or start-up failure, naming what was wrong.
public struct ServerError: Error, CustomStringConvertible, Sendable {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
