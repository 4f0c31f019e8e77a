import CairnModel

/// The gate every event passes before it is written to the event log: it decides, per event,
/// to accept it (possibly changed) or to reject it with a reason. docs/ingest.md has the rules.
///
/// A gate is made for one source and one bridge (the way the events came in), from the current
/// configuration. Deciding is pure given its inputs: the event, the time the caller received it
/// and the profile's consents from a ``ConsentLookup``. It reads no clock and no random source,
/// and iterates no `Dictionary`. Because the event is stored as the gate leaves it, a replay of
/// the log needs no gate and gives the same projections.
///
/// The rules, in order:
///
/// 1. The source must exist (`unknown-source`), be enabled (`disabled-source`) and have the
///    bridge the events came through (`wrong-bridge`); the event must name that source
///    (`source-mismatch`). Otherwise the event is rejected.
/// 2. A source that requires consent needs the profile to hold, at the event's time, every
///    enabled consent type marked `required`, or, when none is marked, any enabled consent type.
///    Without it the event is kept in its consent form (``consentForm(_:)``).
/// 3. Every enabled compliance rule for the event's type, in id order, removes or hashes its
///    fields unless the profile holds one of the rule's consents at the event's time.
///
/// A consent is held at time `t` when the profile's `consents` map has it, its consent type
/// exists and is enabled, and it has no revoke time or one after `t`. The event's time is the
/// client's time unless absent or more than `clientTimeAheadMaxMicros` after the time the
/// caller received the event, in which case it is the received time (the reducer's rule, with
/// the received time standing in for the log timestamp it will get).
public struct IngestGate: Sendable {
    /// The event types whose consent fields survive in the consent form.
    public static let consentEventTypes = ["consent-granted", "consent-revoked"]
    /// The member of a consent event's properties that holds consents in bulk.
    public static let consentsProperty = "consents"

    public let sourceID: String
    public let bridge: EventSourceDefinition.Bridge
    /// The source, when it passes rule 1's checks of the source itself.
    private let source: EventSourceDefinition?
    /// Why every event is rejected, when the source fails rule 1.
    private let sourceRejection: IngestRejection?
    /// Ids of the enabled consent types.
    private let enabledConsentIDs: Set<String>
    /// Ids of the enabled consent types marked `required`, in id order.
    public let requiredConsentIDs: [String]
    /// The enabled compliance rules by event type, each list in id order, with their paths read.
    private let rulesByEventType: [String: [(rule: ComplianceRule, paths: [CompliancePath])]]
    private let clientTimeAheadMaxMicros: Int64

    /// A gate for events arriving from `sourceID` through `bridge`, under `configuration`.
    /// `engine` gives `clientTimeAheadMaxMicros`, which must be the projector's.
    public init(configuration: ConfigurationState, sourceID: String, bridge: EventSourceDefinition.Bridge,
                engine: EngineConfiguration = EngineConfiguration()) {
        self.sourceID = sourceID
        self.bridge = bridge
        clientTimeAheadMaxMicros = engine.clientTimeAheadMaxMicros
        let named = "event source \(quoted(sourceID))"
        switch configuration.object(ConfigurationKey(.eventSource, sourceID)) {
        case .eventSource(let definition)? where !definition.enabled:
            source = nil
            sourceRejection = IngestRejection(.disabledSource, "\(named) is disabled (bridge \(bridge.rawValue))")
        case .eventSource(let definition)? where definition.bridge != bridge:
            source = nil
            sourceRejection = IngestRejection(.wrongBridge, "\(named) takes events through \(definition.bridge.rawValue), not \(bridge.rawValue)")
        case .eventSource(let definition)?:
            source = definition
            sourceRejection = nil
        default:
            source = nil
            sourceRejection = IngestRejection(.unknownSource, "\(named) does not exist (bridge \(bridge.rawValue))")
        }
        var enabled: Set<String> = []
        var required: [String] = []
        for entry in configuration.entries(of: .consentType) {
            guard case .consentType(let consent) = entry.object, consent.enabled else { continue }
            enabled.insert(consent.id)
            if consent.required { required.append(consent.id) }
        }
        enabledConsentIDs = enabled
        requiredConsentIDs = required
        var rules: [String: [(rule: ComplianceRule, paths: [CompliancePath])]] = [:]
        for entry in configuration.entries(of: .complianceRule) {
            guard case .complianceRule(let rule) = entry.object, rule.enabled else { continue }
            rules[rule.eventType, default: []].append((rule, rule.fields.map(CompliancePath.init)))
        }
        rulesByEventType = rules
    }

    /// The decision for `event`, received at `receivedMicros` (microseconds since the epoch, the
    /// caller's clock: used only when the event has no plausible time of its own).
    ///
    /// - Throws: the lookup's errors, which are operating errors, not rejections.
    public func decide(_ event: Event, receivedMicros: Int64, consents lookup: some ConsentLookup) throws -> IngestDecision {
        if let sourceRejection { return .reject(sourceRejection) }
        guard let source else { preconditionFailure("a gate without a rejection has its source") }
        guard event.sourceID == sourceID else {
            return .reject(IngestRejection(.sourceMismatch, "event \(quoted(event.id)) names event source \(quoted(event.sourceID)) but came through \(quoted(sourceID)) (bridge \(bridge.rawValue))"))
        }
        let time = eventMicros(event, receivedMicros: receivedMicros)
        let rules = rulesByEventType[event.type.rawValue] ?? []
        let needsConsents = source.requiresConsent || rules.contains { !$0.rule.consents.isEmpty }
        // Read only when some rule can use them; a profile-less event holds no consent.
        var profileConsents: SortedMap<Consent> = [:]
        if needsConsents, let profileID = event.profileID { profileConsents = try lookup.consents(ofProfile: profileID) }
        func holds(_ id: String) -> Bool {
            guard enabledConsentIDs.contains(id), let consent = profileConsents[id] else { return false }
            return consent.revokeMicros.map { $0 > time } ?? true
        }

        var accepted = IngestAcceptance(event: event, ephemeral: source.ephemeral)
        if source.requiresConsent {
            let satisfied = requiredConsentIDs.isEmpty ? profileConsents.keys.contains(where: holds) : requiredConsentIDs.allSatisfy(holds)
            if !satisfied {
                accepted.event = consentForm(event)
                accepted.consentWithheld = true
            }
        }
        for (rule, paths) in rules where !rule.consents.contains(where: holds) {
            var changed = false
            for path in paths {
                changed = path.apply(rule.action, to: &accepted.event) || changed
            }
            if changed { accepted.complianceRuleIDs.append(rule.id) }
        }
        return .accept(accepted)
    }

    /// The event's time under the gate's rule (see the type's documentation).
    public func eventMicros(_ event: Event, receivedMicros: Int64) -> Int64 {
        guard let client = event.clientTime, client <= receivedMicros &+ clientTimeAheadMaxMicros else { return receivedMicros }
        return client
    }

    /// The event as stored without the consent its source requires: id, type, time, source,
    /// session and profile ids and options stay; tags, context and the personal block go, and
    /// so do the properties, except in a consent event (``consentEventTypes``), which keeps its
    /// `properties.consents` and every property named by an enabled consent type's id.
    public func consentForm(_ event: Event) -> Event {
        var properties: JSONObject = [:]
        if Self.consentEventTypes.contains(event.type.rawValue) {
            properties = event.properties.filter { $0.key == Self.consentsProperty || enabledConsentIDs.contains($0.key) }
        }
        return Event(id: event.id, type: event.type, clientTime: event.clientTime, sourceID: event.sourceID,
                     sessionID: event.sessionID, profileID: event.profileID, properties: properties, options: event.options)
    }
}
