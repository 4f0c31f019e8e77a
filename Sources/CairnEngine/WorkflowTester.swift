import CairnLogic
import CairnModel
import CairnStore

/// Runs one configured workflow on one event against the current projections and reports what it
/// would do, changing nothing: `cairn workflow test` (see docs/workflows.md, "Testing a workflow").
///
/// **Nothing changes.** The tester appends nothing to any log and reads the projections in read
/// transactions only. (The table handles come from ``ProfileQueries/open(_:)``, which opens them in
/// a write transaction that writes nothing when the tables exist, as they do in any store the
/// projector has run on; the tests compare the store's file byte for byte.) The run is the pure
/// engine of `CairnLogic`, whose effects are requests it records, never performs: a remote call is
/// listed, not made.
///
/// **Test credentials.** Where an effect would use a resource (a remote call, a delivery to a
/// destination), the tester reports the resource's ``credentialSlot``, the test slot: whether it
/// holds sealed test credentials. It opens no credentials and never reads a production slot, so it
/// needs no secret key.
///
/// **Input.** The profile is the one named (`profileID`), else the event's, resolved through the
/// projections' identities (a merged id gives the survivor); an event profile the projections do
/// not know is a new profile, as the projector would create it. The session is the event's, or a
/// new one. Both are as the projections have them now, before the event's own updates (the
/// projector runs workflows after it has counted the event). The gate state is the workflow's
/// for the profile in the projections (empty for a new profile); no facts are given, so a
/// `remote-call` node goes on by `requested`. The run's time is the event's, or `nowMicros` for an
/// event without one. Notes say when the projector would not run the workflow for this event (no
/// enabled routing rule for its type and source, no profile, or `saveProfile: false`).
///
/// Thread-safe: a value; every read is its own read transaction.
public struct WorkflowTester: Sendable {
    /// The credentials a test uses: always the test slot.
    public static let credentialSlot = SealedCredentials.Slot.test

    public let configuration: ConfigurationState
    public let registry: ActionRegistry
    let queries: ProfileQueries

    public init(configuration: ConfigurationState, queries: ProfileQueries, registry: ActionRegistry = .builtIn) {
        self.configuration = configuration
        self.queries = queries
        self.registry = registry
    }

    /// Runs workflow `workflowID` on `event`.
    ///
    /// - Parameters:
    ///   - profileID: A profile id or identifier to run with instead of the event's profile; the
    ///     event's profile is then set to it.
    ///   - nowMicros: The time of an event that has none (the caller's clock).
    /// - Throws: ``EngineError`` `notFound` (no such workflow, or for `profileID` only, no such
    ///   profile), `invalidWorkflow` (the validation message, naming the node); `StoreError` or
    ///   ``EngineError`` `corruptedProjection` when the projections cannot be read. A run that fails
    ///   is not thrown: it is a result (``WorkflowResult/error``).
    public func test(workflowID: String, event input: Event, profileID requested: String? = nil, nowMicros: Int64) throws -> WorkflowTestResult {
        try test(workflowID: workflowID, event: input, profileID: requested, nowMicros: nowMicros, notes: [])
    }

    /// ``test(workflowID:event:profileID:nowMicros:)`` of an event read from a file, whose notes
    /// come first in the result's.
    public func test(workflowID: String, event file: WorkflowTestEvent, profileID requested: String? = nil, nowMicros: Int64) throws -> WorkflowTestResult {
        try test(workflowID: workflowID, event: file.event, profileID: requested, nowMicros: nowMicros, notes: file.notes)
    }

    private func test(workflowID: String, event input: Event, profileID requested: String?, nowMicros: Int64, notes eventNotes: [String]) throws -> WorkflowTestResult {
        let definition = try workflow(workflowID)
        let validated: ValidatedWorkflow
        do {
            validated = try Workflow(json: .object(definition.logicJSON)).validate(registry: registry)
        } catch {
            let message = error.message.hasPrefix("workflow ") ? error.message : "workflow '\(workflowID)': \(error.message)"
            throw EngineError(.invalidWorkflow, message)
        }
        var notes = eventNotes
        if !definition.enabled { notes.append("workflow '\(workflowID)' is disabled: events do not start it; it is tested all the same") }
        let time = input.clientTime ?? nowMicros
        if input.clientTime == nil { notes.append("the event has no time: the run's time is now, \(ClientTime.iso8601(micros: time))") }

        var event = input
        let snapshot = try queries.testSnapshot(profile: requested ?? event.profileID, session: event.sessionID, workflowID: workflowID)
        var profile = snapshot.profile
        var isNewProfile = false
        if let requested {
            guard let found = profile else { throw EngineError(.notFound, "no profile for '\(requested)' in the projections") }
            if found.id != requested { notes.append("'\(requested)' resolves to profile '\(found.id)'") }
            if event.profileID != found.id { notes.append("the event's profile is set to '\(found.id)'") }
            event.profileID = found.id
        } else if let eventProfile = event.profileID {
            if let found = profile {
                if found.id != eventProfile { notes.append("profile '\(eventProfile)' resolves to '\(found.id)', which the run sees") }
            } else {
                profile = Profile(id: eventProfile, insertMicros: time)
                isNewProfile = true
                notes.append("no profile '\(eventProfile)' in the projections: the run sees a new profile")
            }
        }
        var session = snapshot.session
        var isNewSession = false
        if let sessionID = event.sessionID, session == nil {
            session = Session(id: sessionID, profileID: profile?.id, context: SessionContext(event.context), startMicros: time)
            isNewSession = true
        }

        notes += routingNotes(workflowID: workflowID, event: event)

        let workflowInput = WorkflowInput(event: event, profile: profile, session: session, state: snapshot.state, nowMicros: time,
                                          isNewProfile: isNewProfile, isNewSession: isNewSession)
        let run = validated.run(workflowInput)
        return WorkflowTestResult(workflowID: workflowID, workflowName: definition.name, input: workflowInput, run: run,
                                  resources: run.effects.compactMap(resourceUse), notes: notes)
    }

    private func workflow(_ id: String) throws(EngineError) -> WorkflowDefinition {
        guard case .workflow(let definition)? = configuration.object(ConfigurationKey(.workflow, id)) else {
            let known = configuration.entries(of: .workflow).map(\.object.id)
            let list = known.isEmpty ? "none is configured" : "workflows are " + known.prefix(20).joined(separator: ", ") + (known.count > 20 ? ", …" : "")
            throw EngineError(.notFound, "no workflow with id '\(id)'; \(list)")
        }
        return definition
    }

    /// Why the projector would not run the workflow for `event`, if it would not.
    private func routingNotes(workflowID: String, event: Event) -> [String] {
        var notes: [String] = []
        let routed = configuration.entries(of: .routingRule).contains { entry in
            guard case .routingRule(let rule) = entry.object else { return false }
            return rule.enabled && rule.workflowID == workflowID && rule.eventType == event.type.rawValue && rule.sourceID == event.sourceID
        }
        if !routed {
            notes.append("no enabled routing rule sends '\(event.type.rawValue)' events from source '\(event.sourceID)' to workflow '\(workflowID)': the projector would not run it for this event")
        }
        if event.profileID == nil {
            notes.append("the event has no profile: the projector runs workflows only for events with one")
        } else if !event.options.saveProfile {
            notes.append("the event asks not to save its profile (saveProfile: false): the projector would not run workflows for it")
        }
        return notes
    }

    /// What the configuration has of the resource an effect would use; nil for effects that use none.
    private func resourceUse(_ effect: WorkflowEffect) -> WorkflowTestResult.ResourceUse? {
        let resourceID: String
        var destinationID: String?
        switch effect.request {
        case .remoteCall(let id, _, _):
            resourceID = id
        case .sendToDestination(let id, _):
            destinationID = id
            guard case .destination(let destination)? = configuration.object(ConfigurationKey(.destination, id)) else {
                return .init(nodeID: effect.nodeID, destinationID: id, resourceID: nil, status: .unknownDestination)
            }
            resourceID = destination.resourceID
        default:
            return nil
        }
        guard case .resource(let resource)? = configuration.object(ConfigurationKey(.resource, resourceID)) else {
            return .init(nodeID: effect.nodeID, destinationID: destinationID, resourceID: resourceID, status: .unknownResource)
        }
        // Only the test slot is looked at, and only for its size: nothing is opened.
        let status: WorkflowTestResult.ResourceUse.Status = resource.sealed(Self.credentialSlot).map { .testCredentials(bytes: $0.bytes.count) } ?? .noTestCredentials
        return .init(nodeID: effect.nodeID, destinationID: destinationID, resourceID: resourceID, status: status)
    }
}

extension ProfileQueries {
    /// The profile for an id or identifier (resolved to the survivor of merges), a session, and the
    /// workflow's gate state for the profile, read in one read transaction so that they are of one
    /// moment.
    func testSnapshot(profile idOrIdentifier: String?, session sessionID: String?,
                      workflowID: String) throws -> (profile: Profile?, session: Session?, state: JSONObject) {
        try store.read { txn in
            var profile: Profile?
            if let idOrIdentifier {
                let canonical = try txn.get(tables.identities, "id:" + idOrIdentifier) ?? txn.get(tables.identities, idOrIdentifier)
                if let canonical {
                    guard let found = try txn.get(tables.profiles, canonical)?.profile else {
                        throw EngineError(.corruptedProjection, "identities name profile '\(canonical)', which is missing")
                    }
                    profile = found
                }
            }
            let session = try sessionID.flatMap { try txn.get(tables.sessions, $0)?.session }
            var state: JSONObject = [:]
            if let profile, let bytes = try txn.get(tables.workflowState, CompositeKey(workflowID, profile.id)) {
                guard let object = (try? JSONValue(binary: bytes))?.objectValue else {
                    throw EngineError(.corruptedProjection, "workflow_state (\(workflowID), \(profile.id)) is not a binary JSON object")
                }
                state = object
            }
            return (profile, session, state)
        }
    }
}

/// What a test run did: the run's trace and effects, what the configuration has of the resources
/// the effects would use, and the field diffs of the profile, session, event and gate state (as
/// the run found them → as it left them).
public struct WorkflowTestResult: Sendable {
    public let workflowID: String
    public let workflowName: String
    /// What the run was given.
    public let input: WorkflowInput
    public let run: WorkflowResult
    /// One entry per effect that would use a resource, in effect order.
    public let resources: [ResourceUse]
    /// What the test assumed or changed in its input, in words.
    public let notes: [String]
    public let profileChanges: [FieldChange]
    public let sessionChanges: [FieldChange]
    public let eventChanges: [FieldChange]
    /// The gate state's changes, by key.
    public let stateChanges: [FieldChange]

    init(workflowID: String, workflowName: String, input: WorkflowInput, run: WorkflowResult, resources: [ResourceUse], notes: [String]) {
        self.workflowID = workflowID
        self.workflowName = workflowName
        self.input = input
        self.run = run
        self.resources = resources
        self.notes = notes
        profileChanges = FieldChange.diff(input.profile?.jsonValue, run.profile?.jsonValue)
        sessionChanges = FieldChange.diff(input.session?.jsonValue, run.session?.jsonValue)
        eventChanges = FieldChange.diff(input.event.jsonValue(includingPersonal: true), run.event.jsonValue(includingPersonal: true))
        stateChanges = FieldChange.diff(.object(input.state), .object(run.state))
    }

    /// A resource an effect would use, and what a test has of it.
    public struct ResourceUse: Sendable, Equatable {
        public enum Status: Sendable, Equatable {
            /// The resource holds sealed test credentials of this size.
            case testCredentials(bytes: Int)
            /// The resource has no test credentials.
            case noTestCredentials
            /// No resource has the id.
            case unknownResource
            /// No destination has the id (so the resource is unknown too).
            case unknownDestination
        }

        public let nodeID: String
        /// The destination, for a delivery.
        public let destinationID: String?
        public let resourceID: String?
        public let status: Status

        /// `resource "geo": test credentials (84 bytes, sealed)`.
        public var summary: String {
            let subject = (destinationID.map { "destination '\($0)' → " } ?? "") + (resourceID.map { "resource '\($0)'" } ?? "")
            switch status {
            case .testCredentials(let bytes): return "\(subject): test credentials (\(bytes) bytes, sealed)"
            case .noTestCredentials: return "\(subject): no test credentials"
            case .unknownResource: return "\(subject): no such resource is configured"
            case .unknownDestination: return "destination '\(destinationID ?? "")': no such destination is configured"
            }
        }

        public var jsonValue: JSONValue {
            let status: String = switch self.status {
            case .testCredentials: "test-credentials"
            case .noTestCredentials: "no-test-credentials"
            case .unknownResource: "unknown-resource"
            case .unknownDestination: "unknown-destination"
            }
            var object: JSONObject = ["node": .string(nodeID), "status": .string(status), "credentials": .string(WorkflowTester.credentialSlot.rawValue)]
            if let destinationID { object["destination"] = .string(destinationID) }
            if let resourceID { object["resource"] = .string(resourceID) }
            if case .testCredentials(let bytes) = self.status { object["sealedBytes"] = .integer(Int64(bytes)) }
            return .object(object)
        }
    }

    /// The result as one JSON object: `workflow`, `time`, `credentials` (`test`), `event`,
    /// `profile` and `session` (`{"id", "new"}` or null), `notes`, `trace`, `effects`, `resources`,
    /// `changes` (`profile`, `session`, `event`, `state`: lists of `{"path", "before", "after"}`), `steps`
    /// and `error` (null, or the failed run's `{"code", "message"}`).
    public var jsonValue: JSONValue {
        [
            "workflow": ["id": .string(workflowID), "name": .string(workflowName)],
            "time": .string(ClientTime.iso8601(micros: input.nowMicros)),
            "credentials": .string(WorkflowTester.credentialSlot.rawValue),
            "event": input.event.jsonValue(includingPersonal: true),
            "profile": input.profile.map { ["id": .string($0.id), "new": .bool(input.isNewProfile)] } ?? .null,
            "session": input.session.map { ["id": .string($0.id), "new": .bool(input.isNewSession)] } ?? .null,
            "notes": .array(notes.map { .string($0) }),
            "trace": .array(run.trace.map(\.jsonValue)),
            "effects": .array(run.effects.map(\.jsonValue)),
            "resources": .array(resources.map(\.jsonValue)),
            "changes": [
                "profile": .array(profileChanges.map(\.jsonValue)),
                "session": .array(sessionChanges.map(\.jsonValue)),
                "event": .array(eventChanges.map(\.jsonValue)),
                "state": .array(stateChanges.map(\.jsonValue)),
            ],
            "steps": .integer(Int64(run.stepsUsed)),
            "error": run.error.map { ["code": .string($0.code.name), "message": .string($0.message)] } ?? .null,
        ]
    }
}

/// The event of an event file for a test, and what was assumed in reading it.
public struct WorkflowTestEvent: Sendable, Equatable {
    public let event: Event
    public let notes: [String]

    /// The largest event file.
    public static let fileBytesMax = 1 << 20
    /// The id and source a plain event without them is given.
    public static let defaultID = "test-event"
    public static let defaultSourceID = "test"

    /// Reads the event in the bytes of `file` (named in errors), one of:
    /// - a corpus line (`CorpusLine`);
    /// - a Tracardi `/track` payload (an object with `events`): its first event, with a note when
    ///   there are more; events without an id get `test-event-<index>`;
    /// - a plain event object, as a corpus line without `id` or `source` (given `test-event` and
    ///   `test`).
    ///
    /// The file holds one JSON value, over as many lines as it likes; a file of JSON lines gives its
    /// first line, with a note.
    ///
    /// - Throws: ``EngineError`` `invalidEvent` naming the file and the line (and column, for
    ///   JSON that does not parse) and, for a field that is wrong, its path.
    public static func parse(_ bytes: [UInt8], file: String, policy: PersonalDataPolicy = .default) throws(EngineError) -> WorkflowTestEvent {
        func fail(_ line: Int, _ message: String) -> EngineError {
            EngineError(.invalidEvent, "\(file):\(line): \(message)")
        }
        guard bytes.count <= fileBytesMax else {
            throw EngineError(.invalidEvent, "\(file): \(bytes.count) bytes; an event file holds at most \(fileBytesMax)")
        }
        guard let start = bytes.firstIndex(where: { !isWhiteSpace($0) }) else {
            throw fail(1, "the file is empty; it must hold one event (a corpus line, a /track payload or an event object)")
        }
        var notes: [String] = []
        let line = lineNumber(of: start, in: bytes)
        let json: JSONValue
        do {
            json = try JSONParser.parse(bytes)
        } catch {
            // A file of JSON lines: its first line, when that is one value.
            let end = bytes[start...].firstIndex(of: UInt8(ascii: "\n")) ?? bytes.endIndex
            guard end < bytes.endIndex, let first = try? JSONParser.parse(Array(bytes[start..<end])) else {
                let offset = error.offset ?? 0
                throw fail(lineNumber(of: offset, in: bytes), "column \(columnNumber(of: offset, in: bytes)): \(error.message)")
            }
            json = first
            notes.append("\(file) holds more than one line; the first (line \(line)) is tested")
        }
        guard var object = json.objectValue else {
            throw fail(line, "expected an event (a JSON object), found \(json.arrayValue != nil ? "an array" : "a scalar")")
        }
        do throws(ModelError) {
            if object["events"] != nil {
                let events = try TrackPayload.parse(json, policy: policy) { "\(defaultID)-\($0)" }
                guard let first = events.first else { throw ModelError(.invalidField, path: "events", "the payload has no events") }
                if events.count > 1 { notes.append("the payload has \(events.count) events; the first (\(first.id), \(first.type.rawValue)) is tested") }
                return WorkflowTestEvent(event: first, notes: notes)
            }
            var defaulted: [String] = []
            if object["id"] == nil {
                object["id"] = .string(defaultID)
                defaulted.append("id '\(defaultID)'")
            }
            if object["source"] == nil {
                object["source"] = ["id": .string(defaultSourceID)]
                defaulted.append("source '\(defaultSourceID)'")
            }
            if !defaulted.isEmpty { notes.append("the event is given " + defaulted.joined(separator: " and ")) }
            return WorkflowTestEvent(event: try CorpusLine.parse(.object(object), policy: policy), notes: notes)
        } catch {
            throw fail(line, error.description)
        }
    }

    private static func isWhiteSpace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D
    }

    /// The line (from 1) of the byte at `offset`.
    private static func lineNumber(of offset: Int, in bytes: [UInt8]) -> Int {
        1 + bytes[..<min(offset, bytes.count)].count(where: { $0 == UInt8(ascii: "\n") })
    }

    /// The column (from 1, in bytes) of the byte at `offset`.
    private static func columnNumber(of offset: Int, in bytes: [UInt8]) -> Int {
        let end = min(offset, bytes.count)
        let lineStart = bytes[..<end].lastIndex(of: UInt8(ascii: "\n")).map { $0 + 1 } ?? 0
        return end - lineStart + 1
    }
}
