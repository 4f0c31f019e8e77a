import CairnModel

/// What the ``IngestGate`` decided for one event: store it (possibly changed) or send it to the
/// dead-letter log with a reason.
public enum IngestDecision: Sendable, Equatable {
    case accept(IngestAcceptance)
    case reject(IngestRejection)
}

/// An accepted event, in the form it is to be stored.
public struct IngestAcceptance: Sendable, Equatable {
    /// The event to append: compliance applied, and reduced to its consent form when the source
    /// requires a consent the profile does not hold.
    public var event: Event
    /// Whether the event's source is ephemeral (its events are processed, then shredded: see
    /// docs/ephemeral.md). The gate only reports it; ``IngestAppender`` seals such events.
    public var ephemeral: Bool
    /// Whether the event was reduced to the fields consent handling needs, because its source
    /// requires a consent the profile did not hold at the event's time.
    public var consentWithheld: Bool
    /// The ids of the compliance rules that changed the event (removed or hashed a field that
    /// was there), in id order.
    public var complianceRuleIDs: [String]

    public init(event: Event, ephemeral: Bool = false, consentWithheld: Bool = false, complianceRuleIDs: [String] = []) {
        self.event = event
        self.ephemeral = ephemeral
        self.consentWithheld = consentWithheld
        self.complianceRuleIDs = complianceRuleIDs
    }
}

/// Why the gate refused an event: a reason to match on, and a message naming the source and the
/// bridge.
public struct IngestRejection: Sendable, Equatable, CustomStringConvertible {
    /// The reasons, as a struct over a private enum so that new ones do not break callers.
    public struct Reason: Hashable, Sendable, CustomStringConvertible {
        private enum Value: String, Sendable, CaseIterable {
            case unknownSource = "unknown-source"
            case disabledSource = "disabled-source"
            case wrongBridge = "wrong-bridge"
            case sourceMismatch = "source-mismatch"
        }
        private let value: Value
        private init(_ value: Value) { self.value = value }

        /// No event source has the id the events came with.
        public static let unknownSource = Reason(.unknownSource)
        /// The event source exists but is disabled.
        public static let disabledSource = Reason(.disabledSource)
        /// The events came through a bridge the source does not have.
        public static let wrongBridge = Reason(.wrongBridge)
        /// The event names another source than the one it came through.
        public static let sourceMismatch = Reason(.sourceMismatch)

        /// The reason by its name (`unknown-source`); nil for a name this build does not know.
        public init?(name: String) {
            guard let value = Value(rawValue: name) else { return nil }
            self.value = value
        }

        /// The stable name stored in dead-letter records: `unknown-source`, `disabled-source`,
        /// `wrong-bridge`, `source-mismatch`.
        public var name: String { value.rawValue }
        public var description: String { value.rawValue }
    }

    public let reason: Reason
    /// A sentence naming the source and the bridge, e.g. `event source "web" is disabled
    /// (bridge rest)`.
    public let message: String

    public init(_ reason: Reason, _ message: String) {
        self.reason = reason
        self.message = message
    }

    public var description: String { "\(reason): \(message)" }
}
