import CairnLogic
import CairnModel
import CairnStore

// The reducer's configuration-driven steps: consents, workflows from routing rules and segments,
// read from the `configuration` table (see docs/projections.md, steps 7 to 9).
extension Reducer {
    // MARK: Consents

    /// The event types that grant and revoke consents.
    static let consentGranted = "consent-granted"
    static let consentRevoked = "consent-revoked"

    /// Lapses the profile's consents whose revoke time is at or before the event's time, then,
    /// for a consent event, grants or revokes the enabled consent types it names: the strings of
    /// `properties.consents` (an array of ids, or an object whose members are `true`), and every
    /// property named by an enabled consent type's id whose value is `true`. A grant lapses after
    /// the type's auto-revoke duration, counted from the event's time; a type that is not
    /// revokable ignores revocations. Unknown and disabled types are ignored.
    func applyConsents(_ profileID: String, event: Event, time: Int64, in txn: borrowing WriteTransaction,
                               batch: inout Batch, step: inout Step) throws {
        guard let before = try profile(profileID, in: txn, batch: &batch) else { return }
        var profile = before
        for entry in before.consents.entries {
            if let revoke = entry.value.revokeMicros, revoke <= time { profile.consents[entry.key] = nil }
        }
        let type = event.type.rawValue
        if type == Self.consentGranted || type == Self.consentRevoked {
            if batch.compiled.consentTypes == nil {
                batch.compiled.consentTypes = try configurationRecords(.consentType, in: txn).compactMap { record in
                    guard case .consentType(let consent)? = record.object, consent.enabled else { return nil }
                    return consent
                }
            }
            let named = Self.consentIDs(in: event.properties)
            for consent in batch.compiled.consentTypes ?? [] where named.contains(consent.id) || event.properties[consent.id] == .bool(true) {
                if type == Self.consentGranted {
                    profile.consents[consent.id] = Consent(revokeMicros: consent.autoRevokeSeconds.map { time &+ $0 &* 1_000_000 })
                } else if consent.revokable {
                    profile.consents[consent.id] = nil
                }
            }
        }
        if profile != before { store(profile, before: before, batch: &batch, step: &step) }
    }

    private static func consentIDs(in properties: JSONObject) -> [String] {
        switch properties["consents"] {
        case .array(let values)?: return values.compactMap(\.stringValue)
        case .object(let object)?: return object.entries.filter { $0.value == .bool(true) }.map(\.key)
        default: return []
        }
    }

    // MARK: Workflows

    /// Runs the workflow of every enabled routing rule that matches the event's type and source, in
    /// rule id order, each on the state the previous one left. A workflow's profile and session
    /// changes are stored like the reducer's own; its gate state is kept per (workflow, profile)
    /// in `workflow_state`; each effect it requests becomes a `workflow.effect` change (performed
    /// by whoever follows the change log, never by the reducer); a failed run changes nothing and
    /// becomes a `workflow.failed` change naming the error.
    func runWorkflows(_ profileID: String, event: Event, time: Int64, in txn: borrowing WriteTransaction,
                              batch: inout Batch, step: inout Step) throws {
        if batch.compiled.routes == nil { batch.compiled.routes = try loadRoutes(in: txn) }
        guard let routes = batch.compiled.routes, !routes.isEmpty else { return }
        for route in routes where route.eventType == event.type.rawValue && route.sourceID == event.sourceID {
            guard let before = try profile(profileID, in: txn, batch: &batch) else { return }
            let sessionBefore = try event.sessionID.flatMap { try session($0, in: txn, batch: &batch) }
            let stateKey = CompositeKey(route.workflow.workflow.id, profileID)
            let state = try txn.get(tables.workflowState, stateKey).flatMap { try? JSONValue(binary: $0).objectValue } ?? [:]
            let input = WorkflowInput(
                event: event, profile: before, session: sessionBefore, state: state, nowMicros: time,
                isNewProfile: step.touched.profiles.contains { $0.id == profileID && $0.created },
                isNewSession: step.opensVisit
            )
            let result = route.workflow.run(input)
            if let error = result.error {
                step.changes.append(Change(kind: .workflowFailed, id: route.workflow.workflow.id,
                                           fields: [FieldChange(path: "error", before: nil, after: .string(error.description))],
                                           offset: step.offset, eventID: event.id, target: profileID))
                continue
            }
            if let profile = result.profile, profile != before { store(profile, before: before, batch: &batch, step: &step) }
            if let session = result.session, let sessionBefore, session != sessionBefore {
                store(session, before: sessionBefore, batch: &batch, step: &step)
            }
            if result.state != state {
                if result.state.isEmpty {
                    _ = try txn.delete(tables.workflowState, stateKey)
                } else {
                    try txn.put(tables.workflowState, stateKey, JSONValue.object(result.state).binaryEncoded())
                }
            }
            for effect in result.effects {
                step.changes.append(Change(kind: .workflowEffect, id: route.workflow.workflow.id,
                                           fields: [FieldChange(path: "request", before: nil, after: effect.jsonValue)],
                                           offset: step.offset, eventID: event.id, target: profileID))
            }
        }
    }

    private func loadRoutes(in txn: borrowing WriteTransaction) throws -> [CompiledRoute] {
        var routes: [CompiledRoute] = []
        for record in try configurationRecords(.routingRule, in: txn) {
            guard case .routingRule(let rule)? = record.object, rule.enabled else { continue }
            let key = ConfigurationKey(.workflow, rule.workflowID).description
            guard let payload = try txn.get(tables.configuration, key), case .workflow(let definition)? = try decodeRecord(payload, key: key).object,
                  definition.enabled else { continue }
            do {
                let workflow = try Workflow(json: .object(definition.logicJSON)).validate(registry: .builtIn)
                routes.append(CompiledRoute(eventType: rule.eventType, sourceID: rule.sourceID, workflow: workflow))
            } catch {
                throw EngineError(.corruptedProjection, "configuration \(key): the workflow no longer validates: \(error)")
            }
        }
        return routes
    }

    /// The latest records of every object of `kind`, in id order.
    func configurationRecords(_ kind: ConfigurationKind, in txn: borrowing WriteTransaction) throws -> [ConfigurationRecord] {
        var records: [ConfigurationRecord] = []
        try txn.scan(tables.configuration, .prefix(kind.rawValue + "/")) { key, payload in
            records.append(try decodeRecord(payload, key: key))
            return true
        }
        return records
    }

    private func decodeRecord(_ payload: [UInt8], key: String) throws -> ConfigurationRecord {
        do { return try ConfigurationRecord(payload: payload) } catch {
            throw EngineError(.corruptedProjection, "configuration \(key): \(error)")
        }
    }

    // MARK: Segments

    /// Evaluates the enabled segments that the event's type triggers (all, for a segment without
    /// event types) on the profile as the event left it; enters or leaves each whose result
    /// changed, in segment id order.
    func evaluateSegments(_ profileID: String, event: Event, time: Int64, in txn: borrowing WriteTransaction,
                                  batch: inout Batch, step: inout Step) throws {
        if batch.compiled.segments == nil { batch.compiled.segments = try loadSegments(in: txn) }
        let type = event.type.rawValue
        let triggered = (batch.compiled.segments ?? []).filter { $0.eventTypes.isEmpty || $0.eventTypes.contains(type) }
        guard !triggered.isEmpty, let before = try profile(profileID, in: txn, batch: &batch) else { return }
        // The session as the event left it, read from the store when the batch has not loaded it
        // (an event with saveSession false), so that the batch size changes nothing.
        let session = try event.sessionID.flatMap { try self.session($0, in: txn, batch: &batch) }
        var context = SegmentContext(profile: before, event: event, session: session, nowMicros: time)
        var profile = before
        for segment in triggered {
            let member = profile.segments.contains(segment.id)
            guard segment.condition.evaluate(context) != member else { continue }
            if member {
                profile.removeSegment(segment.id)
                step.record(.segmentExited, profileID, target: segment.id)
            } else {
                profile.addSegment(segment.id)
                step.record(.segmentEntered, profileID, target: segment.id)
            }
            context.profile = profile
        }
        if profile != before { store(profile, before: before, batch: &batch, step: &step) }
    }

    private func loadSegments(in txn: borrowing WriteTransaction) throws -> [CompiledSegment] {
        var segments: [CompiledSegment] = []
        for record in try configurationRecords(.segment, in: txn) {
            guard case .segment(let segment)? = record.object, segment.enabled else { continue }
            do {
                segments.append(CompiledSegment(id: segment.id, condition: try Condition(parsing: segment.condition),
                                                eventTypes: segment.eventTypes))
            } catch {
                throw EngineError(.corruptedProjection, "configuration \(record.key): the condition no longer parses: \(error)")
            }
        }
        return segments
    }
}

/// The parts of the configuration the reducer uses, each compiled when first needed (nil: not
/// yet read from the `configuration` table).
struct CompiledConfiguration: Sendable {
    /// The enabled segments, conditions parsed.
    var segments: [CompiledSegment]?
    /// The enabled routing rules with their validated workflows.
    var routes: [CompiledRoute]?
    /// The enabled consent types.
    var consentTypes: [ConsentType]?
    /// The enabled identification points.
    var identificationPoints: [IdentificationPoint]?
}

/// An enabled routing rule with its validated workflow.
struct CompiledRoute: Sendable {
    let eventType: String
    let sourceID: String
    let workflow: ValidatedWorkflow
}

/// An enabled segment ready to evaluate.
struct CompiledSegment: Sendable {
    let id: String
    let condition: Condition
    /// Normalized event types that trigger an evaluation; empty: every event.
    let eventTypes: [String]
}

/// What a segment's condition sees: the profile (`profile@`), the event (`event@`, with its
/// personal data), its session (`session@`) and the event's properties (`payload@`), each in its
/// JSON rendering, made when a condition first reads it (and the profile's again after it
/// changed); `now()` is the event's time.
struct SegmentContext: ConditionContext {
    var profile: Profile {
        didSet { profileJSON = Rendering() }
    }
    let event: Event
    let session: Session?
    let nowMicros: Int64
    private var profileJSON = Rendering()
    private let eventJSON = Rendering()
    private let sessionJSON = Rendering()

    /// A rendering made on first use (conditions read the context through a non-mutating call).
    private final class Rendering {
        var value: JSONValue?
        func get(_ make: () -> JSONValue) -> JSONValue {
            if let value { return value }
            let made = make()
            value = made
            return made
        }
    }

    init(profile: Profile, event: Event, session: Session?, nowMicros: Int64) {
        self.profile = profile
        self.event = event
        self.session = session
        self.nowMicros = nowMicros
    }

    func value(of reference: FieldReference) -> JSONValue? {
        switch reference.root {
        case .profile: return reference.resolve(in: profileJSON.get { profile.jsonValue })
        case .event: return reference.resolve(in: eventJSON.get { event.jsonValue(includingPersonal: true) })
        case .session: return session.flatMap { session in reference.resolve(in: sessionJSON.get { session.jsonValue }) }
        case .payload: return reference.resolve(in: .object(event.properties))
        case .memory: return nil
        }
    }
}
