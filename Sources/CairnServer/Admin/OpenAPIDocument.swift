import Foundation
import Hummingbird

/// The OpenAPI 3.1 description of every route of the server, served at `GET /openapi.json`: the
/// package resource `Resources/openapi.json` (docs/openapi.json links to it), read once. A test
/// checks that the document's paths and methods are the router's.
enum OpenAPIDocument {
    static let text: String = {
        guard let url = Bundle.module.url(forResource: "openapi", withExtension: "json"), let data = try? Data(contentsOf: url) else {
            preconditionFailure("the package resource openapi.json is missing from the build")
        }
        return String(decoding: data, as: UTF8.self)
    }()

    static func response() -> Response {
        Response(status: .ok, headers: [.contentType: "application/json"], body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
    }
}
