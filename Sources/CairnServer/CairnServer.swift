import CairnEngine
import CairnModel
import Hummingbird
import Logging
import ServiceLifecycle

/// The HTTP server: the projection service, the destination dispatcher (docs/destinations.md)
/// and the HTTP application, run together on one data directory (see docs/server.md).
///
/// Start order: the data directory (logs, projections, keys) is opened and the projector opened
/// on it before anything listens; then the projection service, the destination dispatcher and
/// the HTTP server run. On SIGTERM or SIGINT the server stops accepting and finishes the
/// requests in progress, the dispatcher abandons the deliveries in flight (made again at the
/// next start), the projection service stops after its batch, then the ephemeral keys in use are
/// retired and the data directory closed (logs synced).
public struct CairnServer: Sendable {
    public let data: DataDirectory
    public let settings: ServerSettings
    let projection: ProjectionService
    let ingestion: Ingestion
    let metrics: ServerMetrics
    /// The access tokens of the admin API (`DATA/tokens`).
    let tokens: AccessTokens
    let destinations: DestinationDispatcher
    let logger: Logger

    public static func open(data: DataDirectory, settings: ServerSettings, logger: Logger) async throws -> CairnServer {
        try settings.validate()
        let metrics = ServerMetrics()
        let projection = try await ProjectionService(data: data, metrics: metrics, logger: logger)
        let configuration = try await ConfigurationStore.open(log: data.eventLog)
        let ingestion = try await Ingestion(data: data, configuration: configuration, rotation: settings.ephemeralKeyRotation, metrics: metrics)
        let tokens = try AccessTokens.open(dataDirectory: data.path)
        let destinations = DestinationDispatcher(data: data, configuration: configuration, settings: settings.destinations,
                                                 testMode: settings.testMode, logger: logger)
        return CairnServer(data: data, settings: settings, projection: projection, ingestion: ingestion, metrics: metrics, tokens: tokens,
                           destinations: destinations, logger: logger)
    }

    /// The router with every endpoint.
    func router() async throws -> Router<BasicRequestContext> {
        let router = Router()
        // Tracardi's tracker sends `x-timestamp`; a browser refuses the request unless the preflight allows it.
        router.add(middleware: CORSMiddleware(allowOrigin: .originBased,
                                              allowHeaders: [.accept, .authorization, .contentType, .origin, HTTPFields.Element.Name("x-timestamp")!],
                                              allowMethods: [.get, .post, .put, .delete, .options], maxAge: .seconds(3600)))
        let queries = try await ProfileQueries.open(data.store)
        TrackEndpoints(ingestion: ingestion, projection: projection, queries: queries, settings: settings).add(to: router)
        SegmentEndpoints(ingestion: ingestion, projection: projection, settings: settings, recent: RecentMessages()).add(to: router)
        AdminEndpoints(data: data, configuration: ingestion.configuration, projection: projection, queries: queries, tokens: tokens, settings: settings).add(to: router)
        router.get("/healthz") { _, _ in Reply.json(["status": "ok"]) }
        router.get("/readyz") { _, _ in
            let applied = try self.projection.appliedOffset()
            let end = self.data.eventLog.endOffset
            return Reply.json(["status": "ready", "applied": .integer(Int64(applied)), "log_end": .integer(Int64(end))])
        }
        router.get("/metrics") { _, _ in
            let applied = try self.projection.appliedOffset()
            let end = self.data.eventLog.endOffset
            let text = self.metrics.scrape(lag: end > applied ? end - applied : 0, changeLogEnd: self.data.changeLog.endOffset)
            return Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4"], body: ResponseBody(byteBuffer: ByteBuffer(bytes: text)))
        }
        return router
    }

    /// The application: HTTP server plus the projection service. `onReady` gets the port bound.
    public func application(onReady: @escaping @Sendable (Int) async -> Void = { _ in }) async throws -> some ApplicationProtocol {
        Application(
            router: try await router(),
            configuration: .init(address: .hostname(settings.host, port: settings.port), serverName: "cairn"),
            services: [projection, destinations],
            onServerRunning: { channel in await onReady(channel.localAddress?.port ?? 0) },
            logger: logger
        )
    }

    /// Serves until SIGTERM or SIGINT, then shuts down in order and closes the data directory.
    public func run(onReady: @escaping @Sendable (Int) async -> Void = { _ in }) async throws {
        var failure: (any Error)?
        do {
            try await application(onReady: onReady).runService()
        } catch {
            failure = error
        }
        do { try ingestion.close() } catch { failure = failure ?? error }
        do { try await data.close() } catch { failure = failure ?? error }
        if let failure { throw failure }
    }

    /// Retires the keys in use; for tests that run the application themselves.
    public func closeIngestion() throws {
        try ingestion.close()
    }
}
