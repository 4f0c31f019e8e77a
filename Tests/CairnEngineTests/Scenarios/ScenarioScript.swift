import CairnModel
@testable import CairnEngine

/// A scenario script: a readable sequence of steps that configure Cairn, send events through the
/// ingest gate, project them and check what came out. Scripts are YAML files in `Scripts/`, read
/// with the parsing of configuration files (YAML 1.1 plain scalars: quote `yes`, `no`, `on`,
/// `off`):
///
/// ```yaml
/// description: What the scenario shows.
/// steps:
///   - apply:                        # configuration objects, as in `cairn config apply` files
///       - {kind: event-source, id: web, name: Web site, bridge: rest}
///   - send:                         # through the ingest gate of `source` and `bridge`
///       source: web
///       events:
///         - {id: v1, type: page-view, profile: p1, session: s1, properties: {path: /}}
///   - project                       # catch up
///   - expect-profile: {id: p1, fields: {stats.views: 1}}
/// ```
///
/// | step | argument |
/// |---|---|
/// | `apply` | a list of configuration objects, put in one commit (as `config apply` does) |
/// | `enable`, `disable` | `KIND/ID`, e.g. `event-source/web` |
/// | `send` | `source` (the gate's), `bridge` (`rest` unless given), `events`: each `id`, `type`, and optionally `profile`, `session`, `source` (default: the gate's), `time`, `properties`, `context`, `options` (`saveSession: false`, …) |
/// | `project` | none: the projector catches up |
/// | `expect-profile` | `id` (a profile id, merged id or identifier) and any of `exists`, `resolves-to`, `fields` (dotted path → value), `absent` (paths), `trail` (event ids in order), `sessions` (ids), `segments` |
/// | `expect-profile-count` | the number of profiles |
/// | `expect-changes` | `event` and any of `kinds` (every change's kind, in order), `includes`, `excludes` (`KIND [ID [TARGET]]`) |
/// | `expect-stored` | `event` and any of `fields`, `absent`: paths into the stored event's JSON, personal block included |
/// | `expect-dead-letter` | `event`, `reason`, optionally `message`; the event must not be in the event log |
///
/// Time starts at 2026-01-01T00:00:00Z. An event's `time` is ISO 8601 or `+N` with a unit `s`,
/// `m`, `h`, `d` after the previous event; by default one second after it. It is both the
/// client's time and the time the event is received and logged. Events go through the ingest
/// gate as `cairn import --source` sends them: a corpus line, personal fields separated.
struct ScenarioScript {
    let name: String
    let description: String
    let steps: [ScenarioStep]

    /// Parses the script `name` from its YAML text.
    ///
    /// - Throws: ``ScenarioError`` naming the script, the step and what is wrong.
    init(name: String, yaml: String) throws {
        self.name = name
        let top: ScriptObject
        do {
            let objects = try ConfigurationFiles.objects(in: Array(yaml.utf8), json: false)
            guard objects.count == 1 else { throw ScriptFault("a script is one mapping with `steps`, not a list") }
            top = ScriptObject(objects[0], at: "")
        } catch let error as ConfigurationError {
            throw ScenarioError(script: name, error.message)
        } catch let fault as ScriptFault {
            throw ScenarioError(script: name, fault.message)
        }
        var steps: [ScenarioStep] = []
        do {
            description = try top.optionalString("description") ?? ""
            for (index, value) in try top.list("steps").enumerated() {
                let label: String
                let argument: JSONValue?
                switch value {
                case .string(let step): (label, argument) = (step, nil)
                case .object(let object) where object.count == 1: (label, argument) = (object.entries[0].key, object.entries[0].value)
                default: throw ScenarioError(script: name, step: index + 1, label: "?", "a step is a name or a mapping with one key, the step's name; got \(value)")
                }
                do { steps.append(try ScenarioStep(label, argument)) } catch let fault as ScriptFault {
                    throw ScenarioError(script: name, step: index + 1, label: label, fault.message)
                }
            }
            try top.refuseUnread()
        } catch let fault as ScriptFault {
            throw ScenarioError(script: name, fault.message)
        }
        self.steps = steps
    }
}

enum ScenarioStep {
    case apply([ConfigurationObject])
    case setEnabled(ConfigurationKey, Bool)
    case send(source: String, bridge: EventSourceDefinition.Bridge, events: [ScenarioEvent])
    case project
    case expectProfile(ProfileExpectation)
    case expectProfileCount(Int)
    case expectChanges(ChangeExpectation)
    case expectStored(StoredExpectation)
    case expectDeadLetter(event: String, reason: String, message: String?)

    static let names = ["apply", "enable", "disable", "send", "project", "expect-profile", "expect-profile-count",
                        "expect-changes", "expect-stored", "expect-dead-letter"]

    init(_ label: String, _ argument: JSONValue?) throws {
        if label == "project" {
            guard argument == nil else { throw ScriptFault("takes no argument") }
            self = .project
            return
        }
        guard let argument else { throw ScriptFault(Self.names.contains(label) ? "needs an argument" : Self.unknown(label)) }
        switch label {
        case "apply":
            let objects = argument.arrayValue ?? [argument]
            self = .apply(try objects.enumerated().map { index, value in
                guard let json = value.objectValue else { throw ScriptFault("object \(index + 1): not a mapping") }
                do { return try ConfigurationObject(json: json) } catch { throw ScriptFault("object \(index + 1): \(error)") }
            })
        case "enable", "disable":
            guard let text = argument.stringValue, let slash = text.firstIndex(of: "/"),
                  let kind = ConfigurationKind(rawValue: String(text[..<slash]))
            else { throw ScriptFault("expected KIND/ID such as event-source/web, got \(argument)") }
            self = .setEnabled(ConfigurationKey(kind, String(text[text.index(after: slash)...])), label == "enable")
        case "send":
            let object = try ScriptObject(argument, at: "")
            let source = try object.string("source")
            let bridgeName = try object.optionalString("bridge") ?? "rest"
            guard let bridge = EventSourceDefinition.Bridge(rawValue: bridgeName) else { throw ScriptFault("bridge: must be rest, webhook or import, got \(bridgeName)") }
            let events = try object.list("events").enumerated().map { index, value in
                try ScenarioEvent(try ScriptObject(value, at: "events[\(index + 1)]."), defaultSource: source)
            }
            try object.refuseUnread()
            self = .send(source: source, bridge: bridge, events: events)
        case "expect-profile": self = .expectProfile(try ProfileExpectation(try ScriptObject(argument, at: "")))
        case "expect-profile-count":
            guard let count = argument.integerValue, count >= 0 else { throw ScriptFault("expected a count, got \(argument)") }
            self = .expectProfileCount(Int(count))
        case "expect-changes": self = .expectChanges(try ChangeExpectation(try ScriptObject(argument, at: "")))
        case "expect-stored": self = .expectStored(try StoredExpectation(try ScriptObject(argument, at: "")))
        case "expect-dead-letter":
            let object = try ScriptObject(argument, at: "")
            self = .expectDeadLetter(event: try object.string("event"), reason: try object.string("reason"), message: try object.optionalString("message"))
            try object.refuseUnread()
        default:
            throw ScriptFault(Self.unknown(label))
        }
    }

    private static func unknown(_ label: String) -> String {
        "unknown step \"\(label)\"; steps are " + names.joined(separator: ", ")
    }
}

/// An event of a `send` step: a corpus line, read as `cairn import` reads one, and its time.
struct ScenarioEvent {
    /// The line without its time, which is set when the event is sent.
    let line: JSONObject
    /// The event read from the line (personal fields separated); its time is set when sent.
    let event: Event
    let time: ScriptTime

    init(_ object: ScriptObject, defaultSource: String) throws {
        var line: JSONObject = ["id": .string(try object.string("id")), "type": .string(try object.string("type")),
                                "source": ["id": .string(try object.optionalString("source") ?? defaultSource)]]
        for entity in ["profile", "session"] {
            if let id = try object.optionalString(entity) { line[entity] = ["id": .string(id)] }
        }
        for section in ["properties", "context", "options"] {
            if let value = try object.optionalObject(section) { line[section] = .object(value) }
        }
        time = try object.optionalString("time").map { text in try ScriptTime(text, field: object.path + "time") } ?? .after(1_000_000)
        try object.refuseUnread()
        do { event = try CorpusLine.parse(.object(line)) } catch { throw ScriptFault("\(object.path.dropLast()): \(error)") }
        self.line = line
    }
}

/// When an event happens: at an instant, or some time after the previous event.
enum ScriptTime {
    case at(Int64)
    case after(Int64)

    init(_ text: String, field: String) throws {
        let units: [Character: Int64] = ["s": 1_000_000, "m": 60_000_000, "h": 3_600_000_000, "d": 86_400_000_000]
        if text.hasPrefix("+"), let unit = text.last.flatMap({ units[$0] }), let count = Int64(text.dropFirst().dropLast()), count >= 0 {
            self = .after(count * unit)
        } else if let micros = ClientTime.parse(text) {
            self = .at(micros)
        } else {
            throw ScriptFault("\(field): expected an ISO 8601 time or +N with a unit s, m, h, d; got \(text)")
        }
    }

    func resolve(after previous: Int64) -> Int64 {
        switch self {
        case .at(let micros): micros
        case .after(let micros): previous + micros
        }
    }
}

struct ProfileExpectation {
    let id: String
    let exists: Bool?
    let resolvesTo: String?
    let fields: [(path: String, value: JSONValue)]
    let absent: [String]
    let trail: [String]?
    let sessions: [String]?
    let segments: [String]?

    init(_ object: ScriptObject) throws {
        id = try object.string("id")
        exists = try object.optionalBool("exists")
        resolvesTo = try object.optionalString("resolves-to")
        fields = try object.optionalObject("fields")?.entries.map { ($0.key, $0.value) } ?? []
        absent = try object.optionalStrings("absent") ?? []
        trail = try object.optionalStrings("trail")
        sessions = try object.optionalStrings("sessions")
        segments = try object.optionalStrings("segments")
        try object.refuseUnread()
    }
}

struct ChangeExpectation {
    let event: String
    /// Every change's kind, in order.
    let kinds: [String]?
    /// Changes rendered `KIND ID [TARGET]`; a pattern matches a rendering equal to it or starting with it and a space.
    let includes: [String]
    let excludes: [String]

    init(_ object: ScriptObject) throws {
        event = try object.string("event")
        kinds = try object.optionalStrings("kinds")
        includes = try object.optionalStrings("includes") ?? []
        excludes = try object.optionalStrings("excludes") ?? []
        try object.refuseUnread()
    }
}

struct StoredExpectation {
    let event: String
    let fields: [(path: String, value: JSONValue)]
    let absent: [String]

    init(_ object: ScriptObject) throws {
        event = try object.string("event")
        fields = try object.optionalObject("fields")?.entries.map { ($0.key, $0.value) } ?? []
        absent = try object.optionalStrings("absent") ?? []
        try object.refuseUnread()
    }
}
