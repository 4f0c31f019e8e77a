import CairnModel

/// The projector's rules. Part of the configuration that, with the log, determines every
/// projection byte for byte.
public struct EngineConfiguration: Sendable, Equatable {
    /// A session is closed once no event has reached it for this long, measured on the log's
    /// timestamps (which never decrease), and a later event in it opens a new visit.
    public var sessionTimeoutMicros: Int64 = 30 * 60 * 1_000_000
    /// Event fields whose value identifies a visitor, looked up in the event's personal data and
    /// then its properties (`email` matches `personal.email` or `properties.email`). Two profiles
    /// found with the same value are merged. `user_id` is where the Segment and PostHog
    /// endpoints put the id a client knows the person by (docs/segment-posthog.md).
    public var identifyingFields: [String] = ["email", "user_id"]
    /// A client time later than the log's timestamp by more than this is not trusted; the
    /// event's time is then the log's timestamp.
    public var clientTimeAheadMaxMicros: Int64 = 24 * 3600 * 1_000_000
    /// Events applied in one LMDB transaction.
    public var eventsPerBatchMax: Int = 5000

    public init() {}

    /// Throws `EngineError.invalidConfiguration` naming the first value out of range.
    public func validate() throws {
        guard sessionTimeoutMicros >= 1_000_000 && sessionTimeoutMicros <= 7 * 86_400 * 1_000_000 else {
            throw EngineError(.invalidConfiguration, "sessionTimeoutMicros \(sessionTimeoutMicros) is outside 1 s...7 days")
        }
        guard identifyingFields.allSatisfy({ !$0.isEmpty && !$0.contains(":") }) && identifyingFields.count <= 32 else {
            throw EngineError(.invalidConfiguration, "identifyingFields must be at most 32 non-empty names without ':'")
        }
        guard clientTimeAheadMaxMicros >= 0 else {
            throw EngineError(.invalidConfiguration, "clientTimeAheadMaxMicros must not be negative")
        }
        guard eventsPerBatchMax >= 1 && eventsPerBatchMax <= 100_000 else {
            throw EngineError(.invalidConfiguration, "eventsPerBatchMax \(eventsPerBatchMax) is outside 1...100000")
        }
    }
}

/// Record kinds in Cairn's logs.
public enum RecordKind {
    /// An accepted event in the event log (payload: `EventRecord`).
    public static let event: UInt16 = 1
    /// A projection change in the change log (payload: `Change`, binary JSON).
    public static let change: UInt16 = 2
    /// A change of configuration in the event log (payload: `ConfigurationRecord`, binary JSON).
    public static let configuration: UInt16 = 3
    // 4: a dead-letter record, in the dead-letter log (see `DeadLetterRecord`).
    /// An event from an ephemeral source in the event log, sealed (payload: `SealedEvent`).
    public static let sealedEvent: UInt16 = 5
    /// The effect on the projections of the sealed event at an earlier offset (payload:
    /// `EphemeralEffect`).
    public static let ephemeralEffect: UInt16 = 6
}
