import CairnEngine
import CairnLog
import CairnModel
import CairnServer
import CairnTestSupport
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import ServiceLifecycle
import Synchronization
import Testing

/// A webhook receiver for the destination tests: a Hummingbird server on a local port that
/// records every POST. `/ok/…` replies 200, `/fail/…` 500. It can be stopped and started again on
/// the same port.
final class WebhookReceiver: Sendable {
    struct Received: Sendable {
        let path: String
        let headers: HTTPFields
        let body: JSONValue
    }

    private let received = Mutex<[Received]>([])
    private let server = Mutex<(group: ServiceGroup, task: Task<Void, any Error>)?>(nil)
    private let boundPort = Mutex(0)

    var port: Int { boundPort.withLock { $0 } }
    var requests: [Received] { received.withLock { $0 } }

    func requests(_ prefix: String) -> [Received] {
        requests.filter { $0.path.hasPrefix(prefix) }
    }

    func url(_ path: String) -> String { "http://127.0.0.1:\(port)\(path)" }

    /// Starts listening on `port` (0: any free port); returns once it listens.
    func start(port: Int = 0) async throws {
        let router = Router()
        router.post("/ok/**") { request, _ in try await self.record(request, status: .ok) }
        router.post("/fail/**") { request, _ in try await self.record(request, status: .internalServerError) }
        let (ready, readyContinuation) = AsyncStream.makeStream(of: Int.self)
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: port), serverName: "receiver"),
                              onServerRunning: { channel in readyContinuation.yield(channel.localAddress?.port ?? 0) }, logger: quiet)
        let group = ServiceGroup(configuration: .init(services: [app], gracefulShutdownSignals: [], logger: quiet))
        let task = Task {
            // A server that cannot listen (the port is taken) ends the wait below with nothing.
            defer { readyContinuation.finish() }
            try await group.run()
        }
        server.withLock { $0 = (group, task) }
        var iterator = ready.makeAsyncIterator()
        let bound = try #require(await iterator.next(), "the receiver did not start listening on port \(port)")
        boundPort.withLock { $0 = bound }
    }

    /// Stops listening; the port is free again when it returns.
    func stop() async {
        guard let running = server.withLock({ current -> (group: ServiceGroup, task: Task<Void, any Error>)? in
            defer { current = nil }
            return current
        }) else { return }
        await running.group.triggerGracefulShutdown()
        // A connection the client keeps open would hold a graceful shutdown up: cancel after a while.
        let task = running.task
        let deadline = Task {
            try await Task.sleep(for: .seconds(5))
            task.cancel()
        }
        _ = try? await task.value
        deadline.cancel()
    }

    private func record(_ request: Request, status: HTTPResponse.Status) async throws -> HTTPResponse.Status {
        var request = request
        let bytes = try await request.collectBody(upTo: 1 << 20)
        let body = (try? bytes.withUnsafeReadableBytes { try JSONParser.parse($0) }) ?? .null
        received.withLock { $0.append(Received(path: request.uri.path, headers: request.headers, body: body)) }
        return status
    }
}

/// A data directory with a secret key, served, stopped and served again by the tests.
struct DestinationWorld: Sendable {
    static let source = "web"
    let dir = TemporaryDirectory("cairn-destinations")
    let key: SecretKey

    init() throws {
        var generator = SystemRandomNumberGenerator()
        key = try SecretKey.createFile(dataDirectory: dir.path, using: &generator)
    }

    /// Settings with quick retries, the key from the data directory only.
    static func settings(attemptsMax: Int = 1000, backoff: Duration = .milliseconds(5), backoffMax: Duration = .milliseconds(50)) -> ServerSettings {
        var settings = ServerSettings()
        settings.destinations.attemptsMax = attemptsMax
        settings.destinations.backoffInitial = backoff
        settings.destinations.backoffMax = backoffMax
        settings.destinations.requestTimeout = .seconds(5)
        settings.destinations.environment = [:]
        return settings
    }

    /// A `webhook` resource whose production (and test) credentials name `url` (`testURL`).
    func webhook(_ id: String, url: String, testURL: String? = nil, headers: JSONObject = [:]) throws -> ConfigurationChange {
        let production = try SealedCredentials.seal(["url": .string(url), "headers": .object(headers)], key: key, resourceID: id, slot: .production)
        let test = try testURL.map { try SealedCredentials.seal(["url": .string($0)], key: key, resourceID: id, slot: .test) }
        return .put(.resource(Resource(id: id, name: id, type: "webhook", credentials: production, testCredentials: test)))
    }

    static func destination(_ id: String, resource: String, on trigger: Destination.Trigger = .profileChange, condition: String = "",
                            mapping: JSONObject = [:], enabled: Bool = true) -> ConfigurationChange {
        .put(.destination(Destination(id: id, name: id, resourceID: resource, condition: condition, mapping: mapping, on: trigger, enabled: enabled)))
    }

    static let sourceChange = ConfigurationChange.put(.eventSource(EventSourceDefinition(id: source, name: "Web", bridge: .rest)))

    func commit(_ changes: [ConfigurationChange], to data: DataDirectory) async throws {
        let key = self.key
        try await ConfigurationStore.open(log: data.eventLog).commit(changes, checks: StandardChecks(), key: { key })
    }

    /// Opens the data directory, commits `configuration`, serves (projection service and
    /// destination dispatcher running) while `body` runs, then shuts down and closes.
    func serve<T: Sendable>(_ configuration: [ConfigurationChange] = [], settings: ServerSettings = DestinationWorld.settings(),
                            _ body: @Sendable (any TestClientProtocol, DataDirectory) async throws -> T) async throws -> T {
        let data = try await DataDirectory.open(dir.path, logger: quiet)
        return try await serving(data, settings: settings, prepare: {
            if !configuration.isEmpty { try await commit(configuration, to: data) }
        }, body)
    }

    func remove() { dir.remove() }
}

extension TestClientProtocol {
    /// Tracks one event of `type` for `profile` from the test source; expects 200.
    func track(_ profile: String, _ type: String, _ properties: String = "{}") async throws {
        let reply = try await post("/track", #"{"source":{"id":"\#(DestinationWorld.source)"},"session":{"id":"s-\#(profile)"},"profile":{"id":"\#(profile)"},"events":[{"type":"\#(type)","properties":\#(properties)}]}"#)
        #expect(reply.status == .ok, "\(reply.json)")
    }
}

/// Waits until `condition` holds, polling; fails the test after `timeout`.
func eventually(_ what: String, timeout: Duration = .seconds(15), _ condition: () throws -> Bool) async throws {
    let deadline = ContinuousClock.now + timeout
    while try !condition() {
        guard ContinuousClock.now < deadline else {
            Issue.record("timed out waiting for \(what)")
            return
        }
        try await Task.sleep(for: .milliseconds(20))
    }
}

/// The profile changes in the change log (what `on: profile-change` fires on), with their offsets.
func profileChanges(_ data: DataDirectory) throws -> [(offset: UInt64, change: Change)] {
    try records(data.changeLog).compactMap { record in
        let change = try Change(jsonValue: JSONValue(binary: record.payload))
        return change.kind.entity == .profile ? (record.offset, change) : nil
    }
}

/// The profile changes in the change log once there are `count` (the projector appends a batch's
/// changes just after it commits the batch, which is when a `/track` reply may go out).
func profileChanges(_ data: DataDirectory, count: Int) async throws -> [(offset: UInt64, change: Change)] {
    try await eventually("\(count) profile changes in the change log") { try profileChanges(data).count >= count }
    let changes = try profileChanges(data)
    #expect(changes.count == count)
    return changes
}

/// The destination dead letters in the data directory, read without locking the log.
func destinationDeadLetters(_ path: String) throws -> [DestinationDeadLetter] {
    let directory = DestinationDeadLetter.directory(dataDirectory: path)
    guard FileManager.default.fileExists(atPath: directory) else { return [] }
    let reader: LogReader
    do { reader = try LogSnapshot.reader(directory: directory) } catch let error as LogError where error.code == .notFound { return [] }
    defer { reader.close() }
    var letters: [DestinationDeadLetter] = []
    try reader.scan(from: 0) { view in
        letters.append(try DestinationDeadLetter(payload: Array(view.payload)))
        return true
    }
    return letters
}

/// The `Idempotency-Key` header.
let idempotencyKeyField = HTTPFields.Element.Name("Idempotency-Key")!

/// Runs `body` with a started receiver, stopped afterwards.
func withReceiver<T: Sendable>(_ body: (WebhookReceiver) async throws -> T) async throws -> T {
    let receiver = WebhookReceiver()
    try await receiver.start()
    do {
        let result = try await body(receiver)
        await receiver.stop()
        return result
    } catch {
        await receiver.stop()
        throw error
    }
}
