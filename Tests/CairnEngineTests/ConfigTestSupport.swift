import CairnLog
import CairnModel
import CairnTestSupport
import Testing
@testable import CairnEngine

/// A fixed key for tests, from a seeded generator.
func testKey(seed: UInt64 = 1, origin: String = "test") -> SecretKey {
    var generator = SplitMix64(seed: seed)
    return SecretKey.random(using: &generator, origin: origin)
}

/// One valid object of every kind, the references between them resolving.
func sampleObjects(key: SecretKey) throws -> [ConfigurationObject] {
    var generator = SplitMix64(seed: 7)
    let credentials = try SealedCredentials.seal(["user": "mailer", "password": "s3cret-pass"], key: key, resourceID: "mail", slot: .production, using: &generator)
    return [
        .eventSource(EventSourceDefinition(id: "web", name: "Web site", bridge: .rest, tags: ["site"])),
        .workflow(WorkflowDefinition(id: "welcome", name: "Welcome", graph: sampleGraph)),
        .routingRule(RoutingRule(id: "r1", name: "Page views", eventType: "page-view", sourceID: "web", workflowID: "welcome")),
        .segment(Segment(name: "Frequent Buyers", condition: "profile@stats.orders > 3", eventTypes: ["purchase"])),
        .consentType(ConsentType(name: "Marketing", autoRevokeSeconds: 90 * 86_400)),
        .complianceRule(ComplianceRule(id: "c1", name: "Mask e-mail", eventType: "sign-up", fields: ["properties.email"], action: .hash, consents: ["marketing"])),
        .identificationPoint(IdentificationPoint(id: "i1", name: "Login", sourceID: "web", eventType: "login",
                                                 fields: [.init(eventProperty: "properties.email", profileField: "data.contact.email")])),
        .resource(Resource(id: "mail", name: "Mail", type: "smtp", credentials: credentials)),
        .destination(Destination(id: "d1", name: "CRM", resourceID: "mail", condition: "", mapping: ["email": "{{profile@data.contact.email}}"], on: .profileChange)),
    ]
}

/// A graph the logic module accepts: a start node and one more.
let sampleGraph: JSONObject = [
    "nodes": [["id": "start", "action": "start"], ["id": "end", "action": "end"]],
    "edges": [["from": "start", "to": "end"]],
]

/// A key source that must not be called.
let noKey: @Sendable () throws(ConfigurationError) -> SecretKey = { () throws(ConfigurationError) -> SecretKey in
    throw ConfigurationError(.missingKey, "no key in this test")
}

/// Runs `body` with an event log in a fresh directory, closed afterwards.
func withEventLog(_ body: (DurableLog, TemporaryDirectory) async throws -> Void) async throws {
    let dir = TemporaryDirectory("cairn-config")
    defer { dir.remove() }
    let log = try await DurableLog.open(directory: dir.path + "/events", logger: quiet)
    do { try await body(log, dir) } catch {
        try? await log.close()
        throw error
    }
    try await log.close()
}

/// The error `body` throws, which must be a ``ConfigurationError``.
func configurationError(_ body: () throws -> Void) -> ConfigurationError? {
    do {
        try body()
        return nil
    } catch let error as ConfigurationError {
        return error
    } catch {
        Issue.record("expected a ConfigurationError, got \(error)")
        return nil
    }
}

/// An object from YAML text.
func object(yaml: String) throws -> ConfigurationObject {
    try ConfigurationObject(json: try ConfigurationFiles.objects(in: Array(yaml.utf8), json: false)[0])
}
