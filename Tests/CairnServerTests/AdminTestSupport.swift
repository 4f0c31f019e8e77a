import CairnEngine
import CairnModel
import CairnServer
import CairnTestSupport
import Dispatch
import Foundation
import Glibc
import Hummingbird
import HummingbirdTesting
import Testing

/// One token of each role, made in a data directory.
struct RoleTokens: Sendable {
    let admin: String
    let auditor: String
    let reader: String

    init(_ data: DataDirectory) throws {
        let tokens = try AccessTokens.open(dataDirectory: data.path)
        admin = try tokens.create(name: "ops", role: .admin)
        auditor = try tokens.create(name: "audit", role: .auditor)
        reader = try tokens.create(name: "dashboard", role: .reader)
    }

    func token(_ role: Role) -> String {
        switch role {
        case .admin: admin
        case .auditor: auditor
        case .reader: reader
        }
    }
}

/// A reply of the admin API: status, headers, the body as text and as JSON (null when it is not).
struct AdminReply: Sendable, CustomStringConvertible {
    let status: HTTPResponse.Status
    let headers: HTTPFields
    let text: String
    let json: JSONValue

    var detail: String { json["detail"]?.stringValue ?? "" }
    var description: String { "\(status.code) \(text.prefix(600))" }
}

extension TestClientProtocol {
    /// Sends `method uri` with `token` as bearer token (none when nil) and `body`.
    func admin(_ method: HTTPRequest.Method, _ uri: String, token: String?, body: String? = nil, headers: HTTPFields = [:]) async throws -> AdminReply {
        var fields = headers
        if let token { fields[.authorization] = "Bearer \(token)" }
        return try await execute(uri: uri, method: method, headers: fields, body: body.map { ByteBuffer(string: $0) }) { response in
            let bytes = Array(response.body.readableBytesView)
            return AdminReply(status: response.status, headers: response.headers, text: String(decoding: bytes, as: UTF8.self),
                              json: (try? JSONParser.parse(bytes)) ?? .null)
        }
    }

    /// `POST /track` of one event of `type` for `profile` from `source`; expects 200.
    func track(_ source: String, profile: String, session: String? = nil, _ type: String, properties: String = "{}") async throws {
        let reply = try await post("/track", #"{"source":{"id":"\#(source)"},"session":{"id":"\#(session ?? "s-" + profile)"},"profile":{"id":"\#(profile)"},"events":[{"type":"\#(type)","properties":\#(properties)}]}"#)
        #expect(reply.status == .ok, "\(reply.json)")
    }
}

/// ``withServer`` on a live server (a real socket on a free port): `body` gets a client, the
/// port and the data directory; the server shuts down gracefully when `body` returns.
func withLiveServer<T: Sendable>(_ configuration: [ConfigurationChange], settings: ServerSettings = ServerSettings(),
                                 _ body: @Sendable (any TestClientProtocol, Int, DataDirectory) async throws -> T) async throws -> T {
    try await withServer(configuration, settings: settings, testing: .live) { client, data in
        try await body(client, try #require(client.port), data)
    }
}

/// A raw HTTP/1.1 connection that reads a streamed (chunked) reply as it arrives, for
/// Server-Sent Events. Blocking socket calls run on a Dispatch thread; each read waits at most
/// `readTimeout`.
final class StreamConnection: @unchecked Sendable {
    // Safe by use: one test task drives a connection, awaiting each call before the next.
    private let fd: Int32
    private var raw: [UInt8] = []
    private var headEnd: Int?
    private var chunkPosition = 0
    /// The body received so far, de-chunked.
    private(set) var body: [UInt8] = []
    /// True once the terminating chunk arrived.
    private(set) var ended = false
    /// True once the server closed the connection.
    private(set) var closed = false

    static let readTimeoutSeconds = 30

    init(port: Int) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw StreamError("socket: \(errno)") }
        var timeout = timeval(tv_sec: Self.readTimeoutSeconds, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { close(fd); throw StreamError("connect: \(errno)") }
    }

    deinit { close(fd) }

    /// Sends `GET uri` with `headers`.
    func get(_ uri: String, headers: [String: String]) throws {
        var text = "GET \(uri) HTTP/1.1\r\nHost: localhost\r\n"
        for (name, value) in headers.sorted(by: { $0.key < $1.key }) { text += "\(name): \(value)\r\n" }
        text += "\r\n"
        let bytes = Array(text.utf8)
        guard bytes.withUnsafeBytes({ send(fd, $0.baseAddress, $0.count, 0) }) == bytes.count else { throw StreamError("send: \(errno)") }
    }

    /// The reply's status line and headers, once received.
    var head: String? { headEnd.map { String(decoding: raw[..<$0], as: UTF8.self) } }

    /// Reads until `done` holds for the body text, the stream ends, or a read times out (an error).
    func read(until done: @escaping @Sendable (String) -> Bool) async throws -> String {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<String, any Error>) in
            DispatchQueue.global().async {
                continuation.resume(with: Result {
                    while !done(self.text) && !self.ended && !self.closed { try self.receive() }
                    return self.text
                })
            }
        }
    }

    var text: String { String(decoding: body, as: UTF8.self) }

    /// The reply's `Content-Length`, when it has one rather than chunks.
    private var contentLength: Int? {
        head?.lowercased().split(separator: "\r\n").first { $0.hasPrefix("content-length:") }
            .flatMap { Int($0.dropFirst("content-length:".count).trimmingCharacters(in: .whitespaces)) }
    }

    private func receive() throws {
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        guard count >= 0 else { throw StreamError("no data for \(Self.readTimeoutSeconds) s (errno \(errno)); received: \(text)") }
        if count == 0 { closed = true; return }
        raw += buffer[0..<count]
        if headEnd == nil, let end = raw.firstRange(of: Array("\r\n\r\n".utf8))?.upperBound {
            headEnd = end
            chunkPosition = end
        }
        guard let headEnd else { return }
        if let length = contentLength {
            // A reply with a length (an error reply): the body is what follows the head.
            body = Array(raw[headEnd...])
            ended = body.count >= length
            return
        }
        // De-chunk what is complete: `<hex size>\r\n<data>\r\n`, ended by a chunk of size 0.
        while !ended, let lineEnd = raw[chunkPosition...].firstRange(of: Array("\r\n".utf8)) {
            let sizeText = String(decoding: raw[chunkPosition..<lineEnd.lowerBound], as: UTF8.self).split(separator: ";").first.map(String.init) ?? ""
            guard let size = Int(sizeText, radix: 16) else { throw StreamError("bad chunk size '\(sizeText)'") }
            guard raw.count >= lineEnd.upperBound + size + 2 else { break }
            body += raw[lineEnd.upperBound..<(lineEnd.upperBound + size)]
            chunkPosition = lineEnd.upperBound + size + 2
            if size == 0 { ended = true }
        }
    }
}

struct StreamError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// The changes of the change log from 0, once it stops growing: a `/track` reply can come
/// before its changes are durable in the change log (the projector appends them after its commit).
func settledChanges(_ client: some TestClientProtocol, token: String) async throws -> [(offset: UInt64, change: JSONValue)] {
    var previous: JSONValue?
    while true {
        let page = try await client.admin(.get, "/changes?limit=1000", token: token)
        #expect(page.status == .ok, "\(page)")
        if let previous, previous == page.json {
            return try #require(page.json["changes"]?.arrayValue).map { (UInt64(try #require($0["offset"]?.integerValue)), try #require($0["change"])) }
        }
        previous = page.json
        try await Task.sleep(for: .milliseconds(100))
    }
}

/// The events of a Server-Sent Events text: each event's `id` and `data`, in order.
func serverSentEvents(_ text: String) -> [(id: UInt64, data: JSONValue)] {
    text.components(separatedBy: "\n\n").compactMap { block in
        var id: UInt64?
        var data: String?
        for line in block.split(separator: "\n") {
            if line.hasPrefix("id: ") { id = UInt64(line.dropFirst(4)) }
            if line.hasPrefix("data: ") { data = String(line.dropFirst(6)) }
        }
        guard let id, let data, let json = try? JSONParser.parse(Array(data.utf8)) else { return nil }
        return (id, json)
    }
}
