import ArgumentParser
import CairnEngine
import CairnServer
import Foundation
import Logging

struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve Cairn over HTTP: ingestion (/track, /collect, Segment, PostHog), the admin API, the change stream, destinations.",
        discussion: """
            With --config DIR the configuration files in DIR are applied first, as `cairn config apply` \
            does (nothing is deleted). Stops on SIGTERM or SIGINT: no new requests, the ones in progress \
            finish, then the projector and the destinations, then the logs are synced and closed. See \
            docs/server.md and docs/api.md.
            """
    )

    @OptionGroup var dataOptions: DataOptions

    @Option(help: "A folder of configuration files to apply before serving.")
    var config: String?

    @Flag(help: "Set up the demo configuration (once), a fresh admin token 'demo', and print curl examples.")
    var demo = false

    @Option(help: "The address to listen on.")
    var host = ServerSettings().host

    @Option(help: "The port to listen on (1...65535).")
    var port = ServerSettings().port

    @Option(help: "When /track replies: after the projection (projected) or at durability (durable).")
    var ack = ServerSettings().acknowledgement.rawValue

    @Flag(help: "Deliver to destinations with their resources' test credentials instead of the production ones (docs/destinations.md).")
    var testMode = false

    func validate() throws {
        guard ServerSettings.Acknowledgement(rawValue: ack) != nil else { throw ValidationError("--ack must be projected or durable, got '\(ack)'") }
        guard (1...65_535).contains(port) else { throw ValidationError("--port must be 1...65535, got \(port)") }
    }

    func run() async throws {
        var logger = Logger(label: "cairn")
        logger.logLevel = .info
        if let config {
            let key = secretKeyLoader(dataOptions)
            let loaded = try ConfigurationFiles.load(directory: config, key: key)
            try await withConfiguration(dataOptions) { store in
                let records = try await store.commit(loaded.map { ConfigurationChange.put($0.object) }, author: "cairn serve", checks: StandardChecks(), key: key)
                print("configuration from \(config): \(records.count) changed, \(loaded.count - records.count) unchanged")
            }
        }
        var demoLines = ""
        if demo {
            try await withConfiguration(dataOptions) { store in
                let sourceID = try await ServeDemo.prepare(dataDirectory: dataOptions.data, store: store)
                let token = try ServeDemo.token(dataDirectory: dataOptions.data)
                demoLines = ServeDemo.examples(host: self.host, port: port, sourceID: sourceID, token: token)
            }
        }
        var settings = ServerSettings()
        settings.host = host
        settings.port = port
        settings.acknowledgement = ServerSettings.Acknowledgement(rawValue: ack)!
        settings.testMode = testMode
        let data = try await DataDirectory.open(dataOptions.data, logger: logger)
        let server: CairnServer
        do {
            server = try await CairnServer.open(data: data, settings: settings, logger: logger)
        } catch {
            try? await data.close()
            throw error
        }
        let host = self.host
        let mode = testMode ? "; destinations use test credentials" : ""
        try await server.run { [demoLines] port in
            // Written straight to the file descriptor: a pipe would hold a buffered print back.
            FileHandle.standardOutput.write(Data(("serving on http://\(host):\(port) (data in \(data.path)\(mode)); stop with Ctrl-C\n" + demoLines).utf8))
        }
    }
}
