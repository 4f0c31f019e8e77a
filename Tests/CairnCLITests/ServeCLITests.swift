import CairnModel
import CairnTestSupport
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Glibc
import Testing

/// `cairn serve --demo` as `make run` starts it: the printed curl examples work, and SIGTERM
/// stops it cleanly (the data directory opens again at once).
@Suite("cairn serve", .serialized)
struct ServeCLITests {
    /// POSTs `body` and returns the reply's status and JSON.
    static func post(_ url: String, _ body: String) async throws -> (Int, JSONValue) {
        var request = URLRequest(url: URL(string: url)!)
        request.httpMethod = "POST"
        request.httpBody = Data(body.utf8)
        let (data, response) = try await URLSession.shared.data(for: request)
        return ((response as? HTTPURLResponse)?.statusCode ?? 0, try JSONParser.parse([UInt8](data)))
    }

    @Test("--demo prints working curl examples; SIGTERM drains and closes")
    func demo() async throws {
        let dir = TemporaryDirectory("cairn-serve")
        defer { dir.remove() }
        let port = 20_000 + Int(getpid() % 20_000)
        let server = try ChildProcess(ChildProcess.builtProduct("cairn"), ["serve", "--demo", "--data", dir.path, "--port", "\(port)"])
        let output = server.readUntil(timeoutMs: 30_000) { $0.contains("changes/stream") }
        #expect(output.contains("serving on http://127.0.0.1:\(port)"), "\(output)")
        // Each printed `curl -s -X POST URL -d 'BODY'` line, sent as it is.
        let examples = output.split(separator: "\n").compactMap { line -> (String, String)? in
            guard let start = line.range(of: "curl -s -X POST ") else { return nil }
            let rest = line[start.upperBound...]
            guard let url = rest.split(separator: " ").first, let body = rest.range(of: "-d '") else { return nil }
            return (String(url), String(rest[body.upperBound...].dropLast()))
        }
        #expect(examples.count == 4, "\(output)")
        var replies: [JSONValue] = []
        for (url, body) in examples {
            let (status, json) = try await Self.post(url, body)
            #expect(status == 200, "\(json)")
            replies.append(json)
        }
        #expect(replies.first?["ux"]?.arrayValue?.first?["content"] == "Welcome to the demo shop!", "\(replies)")
        #expect(replies[1]["response"]?["thanks"] == "Thank you for your order", "\(replies)")
        #expect(replies[3]["profile"]?["id"] == "visitor-1", "the phone's profile merges into the first: \(replies)")

        server.kill(SIGTERM)
        #expect(server.wait() == 0)
        // The lock is released and the projections hold what the replies said.
        let profile = try ChildProcess(ChildProcess.builtProduct("cairn"), ["profile", "get", "phone-1", "--data", dir.path])
        let text = profile.readToEnd()
        #expect(profile.wait() == 0, "\(text)")
        let json = try JSONParser.parse(Array(text.utf8))
        #expect(json["id"] == "visitor-1" && json["segments"] == ["buyers"] && json["traits"]?["spend"] == 49.5, "\(text)")
    }
}
