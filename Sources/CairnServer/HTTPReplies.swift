import CairnModel
import Hummingbird

/// JSON replies: bodies in Cairn's own JSON writer, `application/json`.
enum Reply {
    static func json(_ value: JSONValue, status: HTTPResponse.Status = .ok, headers: HTTPFields = [:]) -> Response {
        var fields = headers
        fields[.contentType] = "application/json"
        return Response(status: status, headers: fields, body: ResponseBody(byteBuffer: ByteBuffer(bytes: value.serialized())))
    }

    /// An error reply: `{"detail": message}`, and for Segment's API also `code` and `message`.
    static func problem(_ status: HTTPResponse.Status, _ detail: String, headers: HTTPFields = [:]) -> Response {
        json(["detail": .string(detail), "code": .string(status.reasonPhrase.lowercased().replacingOccurrences(of: " ", with: "_")),
              "message": .string(detail)], status: status, headers: headers)
    }

}

/// An error that becomes a problem reply (`{"detail", "code", "message"}`) with its status.
struct APIError: HTTPResponseError {
    let status: HTTPResponse.Status
    let detail: String
    var headers: HTTPFields = [:]

    init(_ status: HTTPResponse.Status, _ detail: String, headers: HTTPFields = [:]) {
        self.status = status
        self.detail = detail
        self.headers = headers
    }

    func response(from request: Request, context: some RequestContext) throws -> Response {
        Reply.problem(status, detail, headers: headers)
    }
}

/// Reads a request body, at most `limit` bytes (413 beyond).
func body(_ request: Request, limit: Int) async throws -> ByteBuffer {
    var request = request
    do {
        return try await request.collectBody(upTo: limit)
    } catch let error as HTTPResponseError where error.status == .contentTooLarge {
        throw APIError(.contentTooLarge, "the body is larger than \(limit) bytes")
    }
}

/// Parses `bytes` as JSON (422 naming the position when it is not).
func json(_ bytes: ByteBuffer) throws -> JSONValue {
    guard bytes.readableBytes > 0 else { throw APIError(.unprocessableContent, "the body is empty; expected JSON") }
    do {
        return try bytes.withUnsafeReadableBytes { try JSONParser.parse($0) }
    } catch {
        throw APIError(.unprocessableContent, "the body is not JSON: \(error)")
    }
}
