import ArgumentParser
import CairnEngine
import CairnModel

/// One kind of configuration object on the command line: `cairn <name> list|show|enable|disable|delete`,
/// plus the kind's create command where it has one.
protocol ConfigurationKindCommand {
    static var kind: ConfigurationKind { get }
    static var name: String { get }
    /// The kind in words, plural: "event sources".
    static var plural: String { get }
    static var createCommand: (any ParsableCommand.Type)? { get }
    /// Commands of the kind beyond create and the common ones.
    static var moreCommands: [any ParsableCommand.Type] { get }
}

extension ConfigurationKindCommand {
    static var moreCommands: [any ParsableCommand.Type] { [] }
}

struct ObjectCommand<Kind: ConfigurationKindCommand>: AsyncParsableCommand {
    static var configuration: CommandConfiguration {
        CommandConfiguration(
            commandName: Kind.name,
            abstract: "Work with \(Kind.plural) (kind \(Kind.kind.rawValue)).",
            subcommands: (Kind.createCommand.map { [$0] } ?? []) + [
                ObjectListCommand<Kind>.self, ObjectShowCommand<Kind>.self, ObjectEnableCommand<Kind>.self,
                ObjectDisableCommand<Kind>.self, ObjectDeleteCommand<Kind>.self,
            ] + Kind.moreCommands
        )
    }
}

struct ObjectListCommand<Kind: ConfigurationKindCommand>: AsyncParsableCommand {
    static var configuration: CommandConfiguration {
        CommandConfiguration(commandName: "list", abstract: "List the \(Kind.plural): id, state, version and name, one a line.")
    }

    @OptionGroup var dataOptions: DataOptions

    func run() async throws {
        try await withConfiguration(dataOptions) { store in
            for entry in try await store.state().entries(of: Kind.kind) {
                print("\(entry.object.id)\t\(entry.object.enabled ? "enabled" : "disabled")\tv\(entry.version)\t\(entry.object.name)")
            }
        }
    }
}

struct ObjectShowCommand<Kind: ConfigurationKindCommand>: AsyncParsableCommand {
    static var configuration: CommandConfiguration {
        CommandConfiguration(commandName: "show", abstract: "Print one of the \(Kind.plural) as YAML, credentials masked, after a comment line with its version.")
    }

    @OptionGroup var dataOptions: DataOptions

    @Argument(help: "The object's id.")
    var id: String

    @Flag(help: "Print JSON: {\"version\", \"action\", \"offset\", \"time\", \"object\"}.")
    var json = false

    func run() async throws {
        try await withConfiguration(dataOptions) { store in
            guard let entry = try await store.state().entry(ConfigurationKey(Kind.kind, id)) else {
                throw CLIError("no \(Kind.kind.rawValue) with id '\(id)'")
            }
            let time = Timestamp.iso8601(entry.timestampMicros)
            if json {
                let value: JSONValue = ["version": .integer(Int64(entry.version)), "action": .string(entry.action.rawValue),
                                        "offset": .integer(Int64(entry.offset)), "time": .string(time), "object": .object(entry.object.maskedJSON)]
                print(value.description)
            } else {
                print("# version \(entry.version): \(entry.action.rawValue) at offset \(entry.offset), \(time)\(entry.author.isEmpty ? "" : " by \(entry.author)")")
                print(ConfigurationFiles.text(entry.object.maskedJSON, format: .yaml), terminator: "")
            }
        }
    }
}

struct ObjectEnableCommand<Kind: ConfigurationKindCommand>: AsyncParsableCommand {
    static var configuration: CommandConfiguration {
        CommandConfiguration(commandName: "enable", abstract: "Enable one of the \(Kind.plural).")
    }

    @OptionGroup var dataOptions: DataOptions

    @Argument(help: "The object's id.")
    var id: String

    func run() async throws {
        try await change(dataOptions, .setEnabled(ConfigurationKey(Kind.kind, id), true), unchanged: "is enabled already")
    }
}

struct ObjectDisableCommand<Kind: ConfigurationKindCommand>: AsyncParsableCommand {
    static var configuration: CommandConfiguration {
        CommandConfiguration(commandName: "disable", abstract: "Disable one of the \(Kind.plural).")
    }

    @OptionGroup var dataOptions: DataOptions

    @Argument(help: "The object's id.")
    var id: String

    func run() async throws {
        try await change(dataOptions, .setEnabled(ConfigurationKey(Kind.kind, id), false), unchanged: "is disabled already")
    }
}

struct ObjectDeleteCommand<Kind: ConfigurationKindCommand>: AsyncParsableCommand {
    static var configuration: CommandConfiguration {
        CommandConfiguration(commandName: "delete", abstract: "Delete one of the \(Kind.plural) (refused while another object names it).")
    }

    @OptionGroup var dataOptions: DataOptions

    @Argument(help: "The object's id.")
    var id: String

    func run() async throws {
        try await change(dataOptions, .delete(ConfigurationKey(Kind.kind, id)), unchanged: "")
    }
}

/// Commits one change and prints its record, or `unchanged` when it records nothing.
func change(_ options: DataOptions, _ change: ConfigurationChange, unchanged: String) async throws {
    try await withConfiguration(options) { store in
        let records = try await store.commit([change], checks: StandardChecks(), key: secretKeyLoader(options))
        if records.isEmpty { print("\(change.key.kind.rawValue) \(JSONValue.string(change.key.id)) \(unchanged)") }
        for record in records { print(recordLine(record)) }
    }
}

enum SourceKind: ConfigurationKindCommand {
    static let kind = ConfigurationKind.eventSource
    static let name = "source"
    static let plural = "event sources"
    static var createCommand: (any ParsableCommand.Type)? { SourceCreateCommand.self }
}

enum RuleKind: ConfigurationKindCommand {
    static let kind = ConfigurationKind.routingRule
    static let name = "rule"
    static let plural = "routing rules"
    static var createCommand: (any ParsableCommand.Type)? { RuleCreateCommand.self }
}

enum WorkflowKind: ConfigurationKindCommand {
    static let kind = ConfigurationKind.workflow
    static let name = "workflow"
    static let plural = "workflows"
    static var createCommand: (any ParsableCommand.Type)? { nil }
    static var moreCommands: [any ParsableCommand.Type] { [WorkflowTestCommand.self] }
}

enum SegmentKind: ConfigurationKindCommand {
    static let kind = ConfigurationKind.segment
    static let name = "segment"
    static let plural = "segments"
    static var createCommand: (any ParsableCommand.Type)? { SegmentCreateCommand.self }
}

enum ConsentKind: ConfigurationKindCommand {
    static let kind = ConfigurationKind.consentType
    static let name = "consent"
    static let plural = "consent types"
    static var createCommand: (any ParsableCommand.Type)? { ConsentCreateCommand.self }
}

enum ComplianceKind: ConfigurationKindCommand {
    static let kind = ConfigurationKind.complianceRule
    static let name = "compliance"
    static let plural = "compliance rules"
    static var createCommand: (any ParsableCommand.Type)? { nil }
}

enum IdentificationKind: ConfigurationKindCommand {
    static let kind = ConfigurationKind.identificationPoint
    static let name = "identification"
    static let plural = "identification points"
    static var createCommand: (any ParsableCommand.Type)? { nil }
}

enum ResourceKind: ConfigurationKindCommand {
    static let kind = ConfigurationKind.resource
    static let name = "resource"
    static let plural = "resources"
    static var createCommand: (any ParsableCommand.Type)? { ResourceCreateCommand.self }
}

enum DestinationKind: ConfigurationKindCommand {
    static let kind = ConfigurationKind.destination
    static let name = "destination"
    static let plural = "destinations"
    static var createCommand: (any ParsableCommand.Type)? { nil }
    static var moreCommands: [any ParsableCommand.Type] { [DestinationDeadLettersCommand.self] }
}
