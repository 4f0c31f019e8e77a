import CairnEngine
import CairnModel
import CairnServer
import CairnTestSupport
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

/// Malformed, truncated, oversized and wrongly typed bodies sent to every ingestion endpoint:
/// no crash, no 5xx, and every 4xx names its problem.
@Suite("Ingestion endpoints under malformed input", .serialized)
struct IngestFuzzTests {
    static let endpoints = ["/track", "/collect/page-view/hook", "/v1/batch", "/v1/track", "/v1/identify", "/v1/page", "/v1/screen",
                            "/v1/group", "/v1/alias", "/batch/", "/capture/", "/e/", "/i/v0/e/"]

    /// Valid bodies to mutate: one per endpoint family.
    static let seeds = [
        #"{"source":{"id":"web"},"session":{"id":"s1"},"profile":{"id":"p1"},"events":[{"type":"page-view","properties":{"a":1}}]}"#,
        #"{"writeKey":"seg","batch":[{"type":"track","event":"Clicked","userId":"u1","properties":{"x":[1,2]}}]}"#,
        #"{"writeKey":"seg","type":"identify","userId":"u1","traits":{"email":"a@b.c"}}"#,
        #"{"api_key":"phc","batch":[{"event":"$pageview","distinct_id":"d1","properties":{"$current_url":"/"}}]}"#,
    ]

    static let wrongValues = ["null", "1", "-1e999", "\"x\"", "[]", "{}", "true", "[[[[]]]]", "\"\u{0}\"", "{\"a\":null}"]

    /// One mutation of `seed`: truncated, a byte changed, a value swapped for a wrongly typed one,
    /// bytes inserted, or a random byte string.
    static func mutate(_ seed: String, _ random: inout SplitMix64) -> [UInt8] {
        var bytes = Array(seed.utf8)
        switch random.next() % 5 {
        case 0:
            bytes = Array(bytes.prefix(Int(random.next() % UInt64(bytes.count))))
        case 1:
            bytes[Int(random.next() % UInt64(bytes.count))] = UInt8(truncatingIfNeeded: random.next())
        case 2:
            let value = wrongValues[Int(random.next() % UInt64(wrongValues.count))]
            let text = String(decoding: bytes, as: UTF8.self)
            let colons = text.indices.filter { text[$0] == ":" }
            guard let colon = colons.isEmpty ? nil : colons[Int(random.next() % UInt64(colons.count))] else { break }
            let after = text.index(after: colon)
            let end = text[after...].firstIndex { $0 == "," || $0 == "}" } ?? text.endIndex
            bytes = Array((String(text[..<after]) + value + String(text[end...])).utf8)
        case 3:
            let at = Int(random.next() % UInt64(bytes.count))
            bytes.insert(contentsOf: Array(repeating: UInt8(ascii: "["), count: Int(random.next() % 300)), at: at)
        default:
            bytes = (0..<Int(random.next() % 64)).map { _ in UInt8(truncatingIfNeeded: random.next()) }
        }
        return bytes
    }

    @Test("random mutations of valid bodies to every endpoint: no 5xx, and every refusal has a detail")
    func mutations() async throws {
        let seed = SimulationSeed.make()
        print("ingest fuzz seed \(seed)")
        let rounds = ProcessInfo.processInfo.environment["CAIRN_TORTURE"] == "1" ? 20_000 : 600
        var settings = ServerSettings()
        settings.bodyBytesMax = 8192
        settings.projectionWait = .milliseconds(200)
        try await withServer([
            .put(.eventSource(EventSourceDefinition(id: "web", name: "Web", bridge: .rest))),
            .put(.eventSource(EventSourceDefinition(id: "hook", name: "Hook", bridge: .webhook))),
            .put(.eventSource(EventSourceDefinition(id: "seg", name: "Segment", bridge: .rest))),
            .put(.eventSource(EventSourceDefinition(id: "phc", name: "PostHog", bridge: .rest))),
        ], settings: settings) { client, _ in
            var random = SplitMix64(seed: seed)
            for round in 0..<rounds {
                let endpoint = Self.endpoints[Int(random.next() % UInt64(Self.endpoints.count))]
                let body = Self.mutate(Self.seeds[Int(random.next() % UInt64(Self.seeds.count))], &random)
                try await client.execute(uri: endpoint, method: .post, body: ByteBuffer(bytes: body)) { response in
                    #expect(response.status.code < 500, "round \(round) \(endpoint) \(String(decoding: body, as: UTF8.self)): \(response.status)")
                    if response.status.code >= 400 {
                        let json = try? JSONParser.parse(Array(response.body.readableBytesView))
                        #expect(json?["detail"]?.stringValue?.isEmpty == false, "round \(round) \(endpoint): \(response.status) without a detail")
                    }
                }
            }
            // Oversized bodies are refused by size before anything else.
            let big = ByteBuffer(bytes: Array(repeating: UInt8(ascii: " "), count: 9000))
            for endpoint in Self.endpoints {
                try await client.execute(uri: endpoint, method: .post, body: big) { response in
                    #expect(response.status == .contentTooLarge, "\(endpoint): \(response.status)")
                }
            }
        }
    }
}
