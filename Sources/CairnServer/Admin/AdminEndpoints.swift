import CairnEngine
import CairnModel
import Foundation
import Hummingbird

/// The admin API (docs/api.md): profiles, segment members, configuration, status and the
/// change log, each route behind a bearer token whose role grants the route's ``Permission``;
/// and `GET /openapi.json`, which describes every route of the server, unauthenticated.
///
/// The routes are one table (``routes``): registration reads it, and a test checks it (paths,
/// methods and permissions) against docs/openapi.json.
struct AdminEndpoints: Sendable {
    let data: DataDirectory
    /// The store ingest reads, so that a change made here applies to the next event ingested.
    let configuration: ConfigurationStore
    let projection: ProjectionService
    let queries: ProfileQueries
    let authentication: BearerAuthentication
    let settings: ServerSettings
    /// Loads the secret key that seals resource credentials, when a change needs it.
    let secretKey: @Sendable () throws(ConfigurationError) -> SecretKey

    /// The endpoints on `data`; the secret key comes from the process's environment or the data
    /// directory (``SecretKey/load(dataDirectory:environment:)``), read when a change needs it.
    init(data: DataDirectory, configuration: ConfigurationStore, projection: ProjectionService, queries: ProfileQueries,
         tokens: AccessTokens, settings: ServerSettings) {
        self.data = data
        self.configuration = configuration
        self.projection = projection
        self.queries = queries
        self.authentication = BearerAuthentication(tokens: tokens)
        self.settings = settings
        let environment = ProcessInfo.processInfo.environment, path = data.path
        self.secretKey = { () throws(ConfigurationError) -> SecretKey in try SecretKey.load(dataDirectory: path, environment: environment) }
    }

    /// One route: what it answers, the permission it needs (nil: none, no token asked for), and
    /// its handler, given the endpoints and the verified token.
    struct Route: Sendable {
        let method: HTTPRequest.Method
        /// In OpenAPI's form, `{name}` for a parameter (Hummingbird reads the same form).
        let path: String
        let permission: Permission?
        let handle: @Sendable (AdminEndpoints, Request, BasicRequestContext, AccessToken?) async throws -> Response
    }

    static let routes: [Route] = [
        Route(method: .get, path: "/profiles/{id}", permission: .readProfiles) { endpoints, request, context, _ in try await endpoints.profile(request, context) },
        Route(method: .get, path: "/profiles/{id}/sessions", permission: .readProfiles) { endpoints, request, context, _ in try await endpoints.sessions(request, context) },
        Route(method: .get, path: "/profiles/{id}/events", permission: .readTrails) { endpoints, request, context, _ in try await endpoints.trail(request, context) },
        Route(method: .get, path: "/segments/{id}/members", permission: .readProfiles) { endpoints, request, context, _ in try await endpoints.members(request, context) },
        Route(method: .get, path: "/config/history", permission: .readConfiguration) { endpoints, request, _, _ in try await endpoints.history(request) },
        Route(method: .get, path: "/config/{kind}", permission: .readConfiguration) { endpoints, request, context, _ in try await endpoints.objects(request, context) },
        Route(method: .get, path: "/config/{kind}/{id}", permission: .readConfiguration) { endpoints, request, context, _ in try await endpoints.object(request, context) },
        Route(method: .put, path: "/config/{kind}/{id}", permission: .writeConfiguration) { endpoints, request, context, token in try await endpoints.put(request, context, token!) },
        Route(method: .delete, path: "/config/{kind}/{id}", permission: .writeConfiguration) { endpoints, request, context, token in try await endpoints.delete(request, context, token!) },
        Route(method: .post, path: "/config/{kind}/{id}/enable", permission: .writeConfiguration) { endpoints, request, context, token in try await endpoints.setEnabled(true, request, context, token!) },
        Route(method: .post, path: "/config/{kind}/{id}/disable", permission: .writeConfiguration) { endpoints, request, context, token in try await endpoints.setEnabled(false, request, context, token!) },
        Route(method: .get, path: "/status", permission: .readChanges) { endpoints, _, _, _ in try endpoints.status() },
        Route(method: .get, path: "/changes", permission: .readChanges) { endpoints, request, _, _ in try await endpoints.changes(request) },
        Route(method: .get, path: "/changes/stream", permission: .readChanges) { endpoints, request, _, _ in try endpoints.stream(request) },
        Route(method: .get, path: "/openapi.json", permission: nil) { _, _, _, _ in OpenAPIDocument.response() },
    ]

    func add(to router: Router<BasicRequestContext>) {
        for route in Self.routes {
            router.on(RouterPath(route.path), method: route.method) { request, context in
                // A route with a permission is answered only for a token whose role grants it.
                let token = try route.permission.map { try authentication.authorize(request, for: $0) }
                return try await route.handle(self, request, context, token)
            }
        }
    }

    /// `GET /status`: how far the projection is behind the event log, and the logs' ends.
    func status() throws -> Response {
        let applied = try projection.appliedOffset()
        let end = data.eventLog.endOffset
        return Reply.json([
            "applied": .integer(Int64(applied)),
            "event_log_end": .integer(Int64(end)),
            "lag": .integer(Int64(end > applied ? end - applied : 0)),
            "change_log_end": .integer(Int64(data.changeLog.endOffset)),
            "dead_letters": .integer(Int64(data.deadLetterLog.endOffset)),
        ])
    }
}
