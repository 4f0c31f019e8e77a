import CairnEngine
import Foundation
import Hummingbird

/// Who is asking, from `Authorization: Bearer <token>` (RFC 6750), checked against the data
/// directory's access tokens on every request: a token revoked from the command line stops
/// working at its next request (see docs/access.md).
struct BearerAuthentication: Sendable {
    let tokens: AccessTokens

    /// The token behind `request`, if it grants `permission`.
    ///
    /// - Throws: ``APIError`` 401 with `WWW-Authenticate: Bearer` when the header is missing,
    ///   malformed, or names no current token; 403 naming the token's role and the permission
    ///   it lacks.
    func authorize(_ request: Request, for permission: Permission) throws -> AccessToken {
        let token = try authenticate(request)
        guard token.role.allows(permission) else {
            throw APIError(.forbidden, "the token '\(token.name)' has the role \(token.role.rawValue), which lacks the permission \(permission.rawValue)")
        }
        return token
    }

    /// The token behind `request`, whatever it may do.
    func authenticate(_ request: Request) throws -> AccessToken {
        guard let header = request.headers[.authorization] else {
            throw APIError(.unauthorized, "this endpoint needs an access token: send the header 'Authorization: Bearer <token>' (tokens are made with `cairn token create`)",
                           headers: [.wwwAuthenticate: "Bearer realm=\"cairn\""])
        }
        // The scheme is case-insensitive; the token follows one space.
        let parts = header.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: true)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else {
            throw APIError(.unauthorized, "the Authorization header must be 'Bearer <token>'",
                           headers: [.wwwAuthenticate: "Bearer realm=\"cairn\", error=\"invalid_request\""])
        }
        guard let token = tokens.verify(String(parts[1]).trimmingCharacters(in: .whitespaces)) else {
            throw APIError(.unauthorized, "the access token is not valid: it is unknown or was revoked",
                           headers: [.wwwAuthenticate: "Bearer realm=\"cairn\", error=\"invalid_token\""])
        }
        return token
    }
}
