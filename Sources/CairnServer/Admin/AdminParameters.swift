import Dispatch
import Foundation
import Hummingbird

/// The parameters of admin requests, read and checked: each mistake is a 422 naming the
/// parameter and what it must be.
enum AdminParameters {
    /// Every list returns at most this many items per page.
    static let limitMax = 1_000
    static let limitDefault = 100

    /// A path parameter, percent-decoded (`email%3Aada%40example.com` → `email:ada@example.com`).
    static func path(_ name: String, _ context: some RequestContext) throws -> String {
        let raw = try context.parameters.require(name)
        guard let decoded = raw.removingPercentEncoding else {
            throw APIError(.badRequest, "the path parameter \(name) '\(raw)' is not valid percent-encoding")
        }
        return decoded
    }

    /// `?limit=`: 1 to ``limitMax``, ``limitDefault`` when absent.
    static func limit(_ request: Request) throws -> Int {
        guard let text = request.uri.queryParameters["limit"] else { return limitDefault }
        guard let limit = Int(text), (1...limitMax).contains(limit) else {
            throw APIError(.unprocessableContent, "limit must be an integer from 1 to \(limitMax) (got '\(text)')")
        }
        return limit
    }

    /// A query parameter as text, nil when absent or empty.
    static func text(_ name: String, _ request: Request) -> String? {
        guard let value = request.uri.queryParameters[Substring(name)], !value.isEmpty else { return nil }
        return String(value)
    }

    /// A log offset in `name`, or nil when absent.
    static func offset(_ name: String, _ request: Request) throws -> UInt64? {
        guard let text = text(name, request) else { return nil }
        guard let offset = UInt64(text) else { throw APIError(.unprocessableContent, "\(name) must be a log offset, an integer from 0 (got '\(text)')") }
        return offset
    }
}

/// Runs `body`, which blocks on file I/O or a long LMDB read, on a Dispatch thread rather than
/// the cooperative pool.
func offPool<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        DispatchQueue.global().async { continuation.resume(with: Result { try body() }) }
    }
}
