import ArgumentParser
import CairnEngine
import CairnModel
import Foundation

struct ConfigCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "config",
        abstract: "Apply configuration files, export the configuration to files, create the secret key.",
        discussion: "The objects, the file format and the key are described in docs/configuration.md.",
        subcommands: [ConfigApplyCommand.self, ConfigExportCommand.self, ConfigHistoryCommand.self, ConfigInitKeyCommand.self]
    )
}

struct ConfigApplyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "apply",
        abstract: "Validate every configuration file in a folder, then record the objects that differ from the current ones.",
        discussion: """
            Reads the .yaml, .yml and .json files under the folder (one object or a list each, with \
            a kind: field). Nothing is recorded unless every object is valid and every reference \
            resolves; applying the same files twice records nothing. Objects absent from the files \
            are left as they are, unless --prune is given: then they are deleted, so that the \
            configuration becomes exactly the files' (a deletion that another remaining object \
            still refers to is refused, and nothing is recorded).
            """
    )

    @OptionGroup var dataOptions: DataOptions

    @Argument(help: "The folder of configuration files.")
    var directory: String

    @Flag(help: "Print what would change without recording it.")
    var dryRun = false

    @Flag(help: "Delete the objects that no file defines.")
    var prune = false

    @Option(help: "Who makes the change, recorded with it.")
    var author: String = ""

    func run() async throws {
        let key = secretKeyLoader(dataOptions)
        let loaded = try ConfigurationFiles.load(directory: directory, key: key)
        try await withConfiguration(dataOptions) { store in
            var changes = loaded.map { ConfigurationChange.put($0.object) }
            if prune {
                let defined = Set(loaded.map(\.object.key))
                changes += try await store.state().entries().map(\.object.key).filter { !defined.contains($0) }.map(ConfigurationChange.delete)
            }
            let records = dryRun
                ? try await store.state().plan(changes, author: author, checks: StandardChecks(), key: key)
                : try await store.commit(changes, author: author, checks: StandardChecks(), key: key)
            for record in records { print(recordLine(record, planned: dryRun)) }
            let deleted = records.filter { $0.action == .delete }.count
            print("\(loaded.count) objects in \(directory): \(records.count - deleted) \(dryRun ? "would change" : "changed"), \(loaded.count - records.count + deleted) unchanged"
                  + (prune ? ", \(deleted) absent \(dryRun ? "would be deleted" : "deleted")" : ""))
        }
    }
}

struct ConfigExportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Write every configuration object to FOLDER/<kind>/<id>.yaml (or .json).",
        discussion: """
            Keys are written in a fixed order, so that exporting the same configuration gives the \
            same files. Credentials stay sealed; applying the files with the same secret key gives \
            them back. Configuration files in the kinds' folders that no current object has are removed.
            """
    )

    @OptionGroup var dataOptions: DataOptions

    @Argument(help: "The folder to write.")
    var directory: String

    @Option(help: "yaml or json.")
    var format: String = "yaml"

    func validate() throws {
        guard ConfigurationFiles.Format(rawValue: format) != nil else { throw ValidationError("--format must be yaml or json, got '\(format)'") }
    }

    func run() async throws {
        try await withConfiguration(dataOptions) { store in
            let summary = try ConfigurationFiles.export(try await store.state(), to: directory, format: ConfigurationFiles.Format(rawValue: format)!)
            for path in summary.written { print("wrote \(path)") }
            for path in summary.removed { print("removed \(path)") }
            print("\(summary.written.count) written, \(summary.unchanged.count) unchanged, \(summary.removed.count) removed in \(directory)")
        }
    }
}

struct ConfigHistoryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "history",
        abstract: "Print every configuration change recorded in the event log, oldest first.",
        discussion: "One line per change: offset, time, kind, id, version, action and author. Credentials are not shown."
    )

    @OptionGroup var dataOptions: DataOptions

    @Argument(help: "Only this object's changes: KIND/ID, such as event-source/web.")
    var object: String?

    func run() async throws {
        try await withData(dataOptions) { data in
            for change in try await ConfigurationStore.history(of: data.eventLog) where object == nil || change.record.key.description == object {
                let author = change.record.author.isEmpty ? "" : " by \(change.record.author)"
                print("\(change.offset) \(Timestamp.iso8601(change.timestampMicros)) \(change.record.key.kind.rawValue) \(change.record.key.id) v\(change.record.version) \(change.record.action.rawValue)\(author)")
            }
        }
    }
}

struct ConfigInitKeyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init-key",
        abstract: "Create the secret key that seals resource credentials, as DATA/secret.key (mode 0600).",
        discussion: """
            Refuses to replace an existing key file: credentials sealed with a key open only with it. \
            Back the file up. CAIRN_SECRET_KEY, when set, is used instead of the file.
            """
    )

    @OptionGroup var dataOptions: DataOptions

    func run() throws {
        if let variable = ProcessInfo.processInfo.environment[SecretKey.environmentVariable], !variable.isEmpty {
            throw CLIError("\(SecretKey.environmentVariable) is set and takes precedence over a key file; unset it to create one")
        }
        var generator = SystemRandomNumberGenerator()
        let key = try SecretKey.createFile(dataDirectory: dataOptions.data, using: &generator)
        print("created \(key.origin); back it up: credentials sealed with it open only with it")
    }
}

/// Loads the secret key when credentials must be opened or sealed (environment first, then the
/// data directory's key file).
func secretKeyLoader(_ options: DataOptions) -> @Sendable () throws(ConfigurationError) -> SecretKey {
    let environment = ProcessInfo.processInfo.environment
    return { @Sendable () throws(ConfigurationError) -> SecretKey in try SecretKey.load(dataDirectory: options.data, environment: environment) }
}

/// Opens the data directory and its configuration, runs `body`, and closes the data.
func withConfiguration(_ options: DataOptions, _ body: (ConfigurationStore) async throws -> Void) async throws {
    try await withData(options) { data in
        try await body(try await ConfigurationStore.open(log: data.eventLog))
    }
}

/// `created event-source "web" (version 1)`.
func recordLine(_ record: ConfigurationRecord, planned: Bool = false) -> String {
    let verb = switch record.action {
    case .create: planned ? "would create" : "created"
    case .update: planned ? "would update" : "updated"
    case .delete: planned ? "would delete" : "deleted"
    case .enable: planned ? "would enable" : "enabled"
    case .disable: planned ? "would disable" : "disabled"
    }
    return "\(verb) \(record.key.kind.rawValue) \(JSONValue.string(record.key.id).description) (version \(record.version))"
}
