import ArgumentParser

@main
struct Cairn: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cairn",
        abstract: "Cairn: an event-sourced customer data platform.",
        subcommands: [LogCommand.self, ServeCommand.self, ImportCommand.self, ProfileCommand.self, ProjectionsCommand.self, ReplayCommand.self, TailCommand.self,
                      ConfigCommand.self, ObjectCommand<SourceKind>.self, ObjectCommand<RuleKind>.self, ObjectCommand<WorkflowKind>.self,
                      ObjectCommand<SegmentKind>.self, ObjectCommand<ConsentKind>.self, ObjectCommand<ComplianceKind>.self,
                      ObjectCommand<IdentificationKind>.self, ObjectCommand<ResourceKind>.self, ObjectCommand<DestinationKind>.self, TokenCommand.self]
    )
}

/// Options every command that touches data takes.
struct DataOptions: ParsableArguments {
    @Option(name: .long, help: "The data directory. The event log lives in its `events` folder.")
    var data: String = "./data"

    var eventLogDirectory: String { data + "/events" }
}

struct LogCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "log",
        abstract: "Work with the event log: append, dump, verify, stats, and a demo on a generated corpus.",
        subcommands: [AppendCommand.self, DumpCommand.self, VerifyCommand.self, StatsCommand.self, DemoCommand.self]
    )
}
