import CairnEngine
import CairnLog
import CairnModel
import CairnServer
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

@Suite("Segment and PostHog endpoints", .serialized)
struct SegmentEndpointTests {
    static let sources: [ConfigurationChange] = [
        .put(.eventSource(EventSourceDefinition(id: "seg-write-key", name: "Segment", bridge: .rest))),
        .put(.eventSource(EventSourceDefinition(id: "phc_test_key", name: "PostHog", bridge: .rest))),
    ]
    static let basic: HTTPFields = [.authorization: "Basic " + Data("seg-write-key:".utf8).base64EncodedString()]

    /// `bytes` compressed by the system's gzip.
    static func gzip(_ bytes: [UInt8]) throws -> [UInt8] {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("cairn-gzip-\(UInt64.random(in: 0...UInt64.max))")
        try Data(bytes).write(to: dir)
        defer { try? FileManager.default.removeItem(at: dir.appendingPathExtension("gz")) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/gzip")
        process.arguments = [dir.path]
        try process.run()
        process.waitUntilExit()
        return [UInt8](try Data(contentsOf: dir.appendingPathExtension("gz")))
    }

    func events(_ data: DataDirectory) throws -> [Event] {
        try records(data.eventLog).filter { $0.kind == RecordKind.event }.map { try EventRecord.decode($0.payload) }
    }

    @Test("the captured Segment requests (plain and gzip) and PostHog request get exactly 200 with their JSON; a repeated batch is stored once",
          .enabled(if: ClientFixtures.available, "client fixtures not found at ../../../shared/fixtures/clients from this file; skipped"))
    func fixtures() async throws {
        try await withServer(Self.sources) { client, data in
            var expected = 0
            for name in ["segment_analytics-python.json", "segment_analytics-python_gzip_sync.json", "posthog.json"] {
                for request in try ClientFixtures.requests(name) {
                    let body = Array(try #require(request["body_json"]).serialized())
                    let gzipped = request["headers"]?["Content-Encoding"] == "gzip"
                    var headers = name.hasPrefix("segment") ? Self.basic : [:]
                    if gzipped { headers[.contentEncoding] = "gzip" }
                    let path = try #require(request["path"]?.stringValue)
                    let reply = try await client.execute(uri: path, method: .post, headers: headers,
                                                         body: ByteBuffer(bytes: gzipped ? try Self.gzip(body) : body)) { $0 }
                    let json = try JSONParser.parse(Array(reply.body.readableBytesView))
                    #expect(reply.status == .ok, "\(name): \(json)")
                    #expect(json == (name.hasPrefix("segment") ? ["success": true] : ["status": 1]), "\(name)")
                    expected += try #require(request["body_json"]?["batch"]?.arrayValue).count
                }
            }
            let stored = try events(data)
            #expect(stored.count == expected)
            #expect(stored.contains { $0.type.rawValue == "identify" && $0.properties["user_id"] != nil })
            // The same batch again: acknowledged, not stored twice.
            let first = try ClientFixtures.requests("segment_analytics-python.json")[0]
            let again = try await client.post("/v1/batch", String(decoding: try #require(first["body_json"]).serialized(), as: UTF8.self), headers: Self.basic)
            #expect(again.status == .ok && again.json == ["success": true])
            #expect(try events(data).count == expected)
        }
    }

    @Test("single-message endpoints, and errors with code and message naming the problem")
    func singleAndErrors() async throws {
        try await withServer(Self.sources) { client, data in
            let track = try await client.post("/v1/track", #"{"userId":"u1","event":"Order Completed","properties":{"total":5},"messageId":"m1"}"#, headers: Self.basic)
            #expect(track.status == .ok, "\(track.json)")
            let keyInBody = try await client.post("/v1/identify", #"{"writeKey":"seg-write-key","userId":"u1","traits":{"plan":"pro"}}"#)
            #expect(keyInBody.status == .ok, "\(keyInBody.json)")
            let stored = try events(data)
            #expect(stored.map(\.id).first == "m1" && stored.map(\.type.rawValue) == ["order-completed", "identify"])

            let noKey = try await client.post("/v1/track", #"{"userId":"u1","event":"x"}"#)
            #expect(noKey.status == .unauthorized && noKey.json["message"]?.stringValue?.contains("write key") == true && noKey.json["code"] != nil, "\(noKey.json)")
            let unknown = try await client.post("/v1/track", #"{"userId":"u1","event":"x"}"#, headers: [.authorization: "Basic " + Data("nope:".utf8).base64EncodedString()])
            #expect(unknown.status == .unauthorized && unknown.json["message"]?.stringValue?.contains("nope") == true, "\(unknown.json)")
            let mismatch = try await client.post("/v1/track", #"{"type":"identify","userId":"u1"}"#, headers: Self.basic)
            #expect(mismatch.status == .badRequest && mismatch.json["message"]?.stringValue?.contains("type") == true, "\(mismatch.json)")
            let badBatch = try await client.post("/v1/batch", #"{"batch":[{"type":"click","userId":"u"}]}"#, headers: Self.basic)
            #expect(badBatch.status == .badRequest && badBatch.json["message"]?.stringValue?.contains("batch[0].type") == true, "\(badBatch.json)")
            var gzipHeaders = Self.basic
            gzipHeaders[.contentEncoding] = "gzip"
            let notGzip = try await client.post("/v1/batch", #"{"batch":[]}"#, headers: gzipHeaders)
            #expect(notGzip.status == .badRequest && notGzip.json["message"]?.stringValue?.contains("gzip") == true, "\(notGzip.json)")
            var brotli = Self.basic
            brotli[.contentEncoding] = "br"
            #expect(try await client.post("/v1/batch", "{}", headers: brotli).status == .unsupportedMediaType)
            let postHogNoKey = try await client.post("/capture/", #"{"event":"x","distinct_id":"d"}"#)
            #expect(postHogNoKey.status == .unauthorized, "\(postHogNoKey.json)")
            let postHogSingle = try await client.post("/capture/?api_key=phc_test_key", #"{"event":"$pageview","distinct_id":"d1","uuid":"u-1"}"#)
            #expect(postHogSingle.status == .ok && postHogSingle.json == ["status": 1], "\(postHogSingle.json)")
            #expect(try events(data).last?.type.rawValue == "page-view")
        }
    }
}
