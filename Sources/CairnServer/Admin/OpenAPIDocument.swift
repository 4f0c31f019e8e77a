import Hummingbird

/// The OpenAPI 3.1 description of every route of the server: docs/openapi.json, served at
/// `GET /openapi.json`. The file is the source; `make openapi` copies it into ``text``, and a
/// test checks that the copy is current and that the document's paths and methods are the
/// router's.
enum OpenAPIDocument {
    static func response() -> Response {
        Response(status: .ok, headers: [.contentType: "application/json"], body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
    }
}
