import ArgumentParser
import CairnEngine
import CairnModel

struct SourceCreateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "create",
        abstract: "Create an event source and print its id (128 random bits, the key clients send with their events)."
    )

    @OptionGroup var dataOptions: DataOptions

    @Argument(help: "The source's name.")
    var name: String

    @Option(help: "How events arrive: rest, webhook or import.")
    var bridge: String

    @Flag(help: "Process this source's events without storing them.")
    var ephemeral = false

    @Flag(help: "Require the profile's consent before processing its events.")
    var requiresConsent = false

    @Option(help: "A tag; repeat for more.")
    var tag: [String] = []

    func validate() throws {
        guard EventSourceDefinition.Bridge(rawValue: bridge) != nil else { throw ValidationError("--bridge must be rest, webhook or import, got '\(bridge)'") }
    }

    func run() async throws {
        let source = EventSourceDefinition(id: ConfigurationID.random(), name: name, bridge: EventSourceDefinition.Bridge(rawValue: bridge)!,
                                 ephemeral: ephemeral, requiresConsent: requiresConsent, tags: tag)
        try await createAndPrintID(dataOptions, .eventSource(source))
    }
}

struct RuleCreateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "create",
        abstract: "Create a routing rule (events of a type from a source go to a workflow) and print its id."
    )

    @OptionGroup var dataOptions: DataOptions

    @Argument(help: "The rule's name.")
    var name: String

    @Option(help: "The event type, normalized as events' types are (\"Page View\" is page-view).")
    var eventType: String

    @Option(help: "The event source's id.")
    var source: String

    @Option(help: "The workflow's id.")
    var workflow: String

    func run() async throws {
        let rule = RoutingRule(id: ConfigurationID.random(), name: name, eventType: eventType, sourceID: source, workflowID: workflow)
        try await createAndPrintID(dataOptions, .routingRule(rule))
    }
}

struct SegmentCreateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "create",
        abstract: "Create a segment and print its id (derived from the name: lower case, spaces as -)."
    )

    @OptionGroup var dataOptions: DataOptions

    @Argument(help: "The segment's name.")
    var name: String

    @Option(help: "The condition, in the condition language.")
    var condition: String

    @Option(help: "Re-evaluate on events of this type only; repeat for more (default: every event).")
    var eventType: [String] = []

    @Option(help: "What the segment is for.")
    var description: String = ""

    func run() async throws {
        let segment = Segment(name: name, description: description, condition: condition, eventTypes: eventType)
        try await createAndPrintID(dataOptions, .segment(segment))
    }
}

struct ConsentCreateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "create",
        abstract: "Create a consent type and print its id (derived from the name)."
    )

    @OptionGroup var dataOptions: DataOptions

    @Argument(help: "The consent type's name.")
    var name: String

    @Option(help: "What a profile has before it answers: grant or deny.")
    var defaultValue: String = "deny"

    @Flag(help: "A profile must grant it to be processed.")
    var required = false

    @Flag(help: "Once granted it cannot be revoked.")
    var notRevokable = false

    @Option(help: "A grant lapses after this long: 90d, 12h, 30m, 45s, 2w.")
    var autoRevoke: String?

    func run() async throws {
        var json: JSONObject = ["kind": "consent-type", "name": .string(name), "default_value": .string(defaultValue),
                                "required": .bool(required), "revokable": .bool(!notRevokable)]
        json["auto_revoke"] = autoRevoke.map { .string($0) }
        let consent = try ConsentType(json: json)
        try await createAndPrintID(dataOptions, .consentType(consent))
    }
}

struct ResourceCreateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "create",
        abstract: "Create a resource with credentials sealed by the secret key, and print its id.",
        discussion: "The credentials files hold one JSON or YAML object each; they are sealed at once and never printed."
    )

    @OptionGroup var dataOptions: DataOptions

    @Argument(help: "The resource's name.")
    var name: String

    @Option(help: "What kind of system it is, e.g. smtp.")
    var type: String

    @Option(help: "A JSON or YAML file with the production credentials.")
    var credentials: String

    @Option(help: "A JSON or YAML file with the test credentials.")
    var testCredentials: String?

    func run() async throws {
        let key = try secretKeyLoader(dataOptions)()
        let id = ConfigurationID.random()
        let production = try SealedCredentials.seal(try ConfigurationFiles.credentials(fromFile: credentials), key: key, resourceID: id, slot: .production)
        let test = try testCredentials.map { path in
            try SealedCredentials.seal(try ConfigurationFiles.credentials(fromFile: path), key: key, resourceID: id, slot: .test)
        }
        let resource = Resource(id: id, name: name, type: type, credentials: production, testCredentials: test)
        try await createAndPrintID(dataOptions, .resource(resource))
    }
}

/// Records the creation of `object`, then prints its id: the one flow every `create` command ends with.
/// Throws what the commit throws (a failed check, a missing secret key); nothing is printed then.
func createAndPrintID(_ options: DataOptions, _ object: ConfigurationObject) async throws {
    try await withConfiguration(options) { store in
        try await store.commit([.create(object)], checks: StandardChecks(), key: secretKeyLoader(options))
    }
    print(object.id)
}
