import CairnEngine
import CairnLog
import CairnModel
import CairnServer
import CairnTestSupport
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import Testing

let quiet: Logger = {
    var logger = Logger(label: "cairn.test")
    logger.logLevel = .critical
    return logger
}()

/// A server on a fresh data directory with `configuration` committed, tested through the router
/// (or `testing`: `.live` on a socket; the projection service runs as during serving); everything
/// is closed afterwards.
func withServer<T: Sendable>(_ configuration: [ConfigurationChange], settings: ServerSettings = ServerSettings(),
                             testing: TestingSetup = .router,
                             _ body: @Sendable (any TestClientProtocol, DataDirectory) async throws -> T) async throws -> T {
    let dir = TemporaryDirectory("cairn-server")
    defer { dir.remove() }
    let data = try await DataDirectory.open(dir.path, logger: quiet)
    return try await serving(data, settings: settings, testing: testing, prepare: {
        if !configuration.isEmpty {
            try await ConfigurationStore.open(log: data.eventLog).commit(configuration, checks: StandardChecks())
        }
    }, body)
}

/// Runs `prepare`, then a server on `data` while `body` runs; closes `data` whatever happens.
func serving<T: Sendable>(_ data: DataDirectory, settings: ServerSettings, testing: TestingSetup = .router,
                          prepare: () async throws -> Void = {},
                          _ body: @Sendable (any TestClientProtocol, DataDirectory) async throws -> T) async throws -> T {
    do {
        try await prepare()
        let server = try await CairnServer.open(data: data, settings: settings, logger: quiet)
        let result = try await server.application().test(testing) { client in try await body(client, data) }
        try server.closeIngestion()
        try await data.close()
        return result
    } catch {
        try? await data.close()
        throw error
    }
}

extension TestClientProtocol {
    /// POSTs `body` (JSON text) to `uri`; returns the status and the reply's JSON (null when the
    /// reply is not JSON).
    func post(_ uri: String, _ body: String, headers: HTTPFields = [:]) async throws -> (status: HTTPResponse.Status, json: JSONValue) {
        try await execute(uri: uri, method: .post, headers: headers, body: ByteBuffer(string: body)) { response in
            (response.status, (try? JSONParser.parse(Array(response.body.readableBytesView))) ?? .null)
        }
    }

    func get(_ uri: String) async throws -> (status: HTTPResponse.Status, json: JSONValue) {
        try await execute(uri: uri, method: .get) { response in
            (response.status, (try? JSONParser.parse(Array(response.body.readableBytesView))) ?? .null)
        }
    }
}

/// The captured client requests in `shared/fixtures/clients`, found relative to this file.
enum ClientFixtures {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../../shared/fixtures/clients").standardized

    static var available: Bool {
        FileManager.default.fileExists(atPath: directory.appendingPathComponent("tracardi-js_chromium.json").path)
    }

    /// The requests in one fixture file.
    static func requests(_ name: String) throws -> [JSONObject] {
        let bytes = try [UInt8](Data(contentsOf: directory.appendingPathComponent(name)))
        return try #require(try JSONParser.parse(bytes).arrayValue).compactMap(\.objectValue)
    }

    static func names() throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasSuffix(".json") }.sorted()
    }
}

/// Every record of a log, in order.
func records(_ log: DurableLog) throws -> [LogRecord] {
    var records: [LogRecord] = []
    _ = try log.makeReader().scan(from: 0) { records.append($0.copy()); return true }
    return records
}
