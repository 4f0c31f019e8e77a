import ArgumentParser
import CairnEngine
import CairnLogic
import CairnModel
import Foundation

struct WorkflowTestCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "test",
        abstract: "Run a workflow on an event against the current profile and session, changing nothing.",
        discussion: """
            Prints one block per node in run order (status, the values that arrived and left, the port \
            taken, the fields changed), then the effects the run requested, with the test credentials \
            of the resources they would use, then the changes to the profile, session, event and \
            gate state. \
            Nothing is appended to the logs and the projections are only read; effects are listed, \
            never performed, and no credentials are opened. Exits 1 when the run fails. \
            See docs/workflows.md, "Testing a workflow".
            """
    )

    @OptionGroup var dataOptions: DataOptions

    @Argument(help: "The workflow's id.")
    var workflow: String

    @Option(help: "A file holding the event: a corpus line, a Tracardi /track payload (its first event is tested) or an event object.")
    var event: String

    @Option(help: "Run with this profile (an id, or an identifier such as email:ada@example.com) instead of the event's.")
    var profile: String?

    @Flag(help: "Print the result as one JSON object.")
    var json = false

    func run() async throws {
        let file = try WorkflowTestEvent.parse(try Self.read(event), file: event)
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: dataOptions.eventLogDirectory, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw CLIError("no data directory at \(dataOptions.data): it has no events folder")
        }
        // The command's clock: the time of an event that has none.
        let nowMicros = Int64(Date().timeIntervalSince1970 * 1_000_000)
        var tested: WorkflowTestResult?
        try await withData(dataOptions) { data in
            let tester = WorkflowTester(configuration: try await ConfigurationStore.load(from: data.eventLog),
                                        queries: try await ProfileQueries.open(data.store))
            tested = try tester.test(workflowID: workflow, event: file, profileID: profile, nowMicros: nowMicros)
        }
        guard let result = tested else { return }
        print(json ? result.jsonValue.description : WorkflowTestReport.text(result), terminator: json ? "\n" : "")
        if result.run.error != nil { throw ExitCode(1) }
    }

    /// The bytes of the event file, at most `WorkflowTestEvent.fileBytesMax`.
    static func read(_ path: String) throws -> [UInt8] {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw CLIError("cannot read the event file \(path): \(String(cString: strerror(errno)))")
        }
        defer { try? handle.close() }
        do {
            return Array(try handle.read(upToCount: WorkflowTestEvent.fileBytesMax + 1) ?? Data())
        } catch {
            throw CLIError("cannot read the event file \(path): \(error.localizedDescription)")
        }
    }
}

/// The human form of a test: a header, one block per node in run order, the effects, the changes.
enum WorkflowTestReport {
    /// Values longer than this are cut short (`--json` prints them whole).
    static let valueCharactersMax = 200

    static func text(_ result: WorkflowTestResult) -> String {
        var lines: [String] = []
        let input = result.input
        let name = result.workflowName.isEmpty ? "" : " (\(result.workflowName))"
        lines.append("workflow \(result.workflowID)\(name) on event \(input.event.id) (\(input.event.type.rawValue)) at \(Timestamp.iso8601(input.nowMicros))")
        let profile = input.profile.map { "profile \($0.id)\(input.isNewProfile ? " (new)" : "")" } ?? "no profile"
        let session = input.session.map { "session \($0.id)\(input.isNewSession ? " (new)" : "")" } ?? "no session"
        lines.append("\(profile), \(session), credentials: \(WorkflowTester.credentialSlot.rawValue)")
        if !input.state.isEmpty { lines.append("gate state: \(shown(.object(input.state)))") }
        lines += result.notes.map { "note: " + $0 }

        for (index, entry) in result.run.trace.enumerated() {
            lines.append("")
            lines += block(entry, number: index + 1)
        }

        lines.append("")
        lines.append(result.run.effects.isEmpty ? "effects: none" : "effects:")
        for effect in result.run.effects {
            var fields = effect.jsonValue.objectValue ?? [:]
            fields["node"] = nil
            let type = fields["type"]?.stringValue ?? ""
            fields["type"] = nil
            lines.append("  \(effect.nodeID): \(type) \(shown(.object(fields)))")
        }
        for use in result.resources { lines.append("  \(use.nodeID): \(use.summary)") }

        lines.append("")
        lines.append("changes:")
        for (entity, changes) in [("profile", result.profileChanges), ("session", result.sessionChanges), ("event", result.eventChanges),
                                  ("gate state", result.stateChanges)] {
            lines.append("  \(entity):" + (changes.isEmpty ? " none" : ""))
            for change in changes {
                lines.append("    \(change.path): \(change.before.map(shown) ?? "(absent)") → \(change.after.map(shown) ?? "(absent)")")
            }
        }

        lines.append("")
        let ran = result.run.trace.count(where: { if case .ran = $0.status { true } else { false } })
        let skipped = result.run.trace.count(where: { $0.status == .skipped })
        if let error = result.run.error {
            lines.append("the run failed (\(error.code.name)): \(error.message); it changes nothing and requests nothing")
        } else {
            lines.append("ran \(ran) nodes, skipped \(skipped), in \(result.run.stepsUsed) steps; nothing was stored or sent")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    private static func block(_ entry: WorkflowTraceEntry, number: Int) -> [String] {
        var lines: [String] = []
        switch entry.status {
        case .ran: lines.append("[\(number)] \(entry.nodeID) (\(entry.action)): ran")
        case .skipped:
            lines.append("[\(number)] \(entry.nodeID) (\(entry.action)): skipped, no value arrived")
            return lines
        case .failed(let error): lines.append("[\(number)] \(entry.nodeID) (\(entry.action)): failed: \(error.message)")
        }
        for arrival in entry.inputs {
            lines.append("    in \(arrival.fromNode).\(arrival.fromPort) → \(arrival.toPort): \(shown(arrival.value))")
        }
        for output in entry.outputs {
            lines.append("    out \(output.port): \(shown(output.value))")
        }
        if case .ran = entry.status {
            let ports = entry.portsTaken
            lines.append(ports.isEmpty ? "    no port taken" : "    port taken: " + ports.joined(separator: ", "))
        }
        for change in entry.changes {
            lines.append("    changed \(change.field)" + (change.value.map { " = " + shown($0) } ?? " (deleted)"))
        }
        for effect in entry.effects {
            lines.append("    requested \(effect.jsonValue["type"]?.stringValue ?? "")")
        }
        return lines
    }

    /// A value as compact JSON, cut short past ``valueCharactersMax``.
    private static func shown(_ value: JSONValue) -> String {
        let text = value.description
        guard text.count > valueCharactersMax else { return text }
        return String(text.prefix(valueCharactersMax)) + "…"
    }
}
