import CairnModel
import Testing
@testable import CairnEngine

/// Runs `Scripts/<name>.yaml` and records each failed expectation as an issue naming the script
/// and the step (a replay whose digest differs from the incremental projection is one of them).
func runScenario(_ name: String, sourceLocation: SourceLocation = #_sourceLocation) async throws {
    let failures = try await ScenarioRunner.run(try ScenarioScript.named(name))
    for failure in failures { Issue.record(Comment(rawValue: failure), sourceLocation: sourceLocation) }
}

@Suite("Scenario scripts", .serialized)
struct ScenarioTests {
    @Test("anonymous browsing, then identification on a second device and a third channel: the profiles merge into the first seen, which keeps every event and session")
    func mergeAcrossDevices() async throws {
        try await runScenario("merge-across-devices")
    }

    @Test("without consent, compliance rules remove and hash fields before storage; with the consent granted they are kept")
    func consentCompliance() async throws {
        try await runScenario("consent-compliance")
    }

    @Test("profiles enter and leave segments, with segment.entered and segment.exited in the change log")
    func segments() async throws {
        try await runScenario("segments")
    }

    @Test("a session closed by the idle sweep opens again as a new visit, whether the sweep ran on another event or on the returning one")
    func reopenedSession() async throws {
        try await runScenario("reopened-session")
    }

    @Test("a segment on the session sees the event's session also when the event does not update it, whatever the batch")
    func sessionSegments() async throws {
        try await runScenario("session-segments")
    }

    @Test("an unknown or disabled source, a bridge the source lacks and a mismatched source end in the dead-letter log with their reason")
    func deadLetters() async throws {
        try await runScenario("dead-letters")
    }
}

@Suite("Scenario script format")
struct ScenarioScriptFormatTests {
    func parseError(_ yaml: String) -> String? {
        do {
            _ = try ScenarioScript(name: "bad.yaml", yaml: yaml)
            return nil
        } catch {
            return "\(error)"
        }
    }

    @Test("a script that cannot be read names the script, the step and what is wrong")
    func parseErrors() {
        let cases: [(String, String)] = [
            ("steps: [project, {projct: 1}]", #"bad.yaml: step 2 (projct): unknown step "projct"; steps are apply, "#),
            ("steps: [{send: {source: web, events: [{id: e1, typ: page-view}]}}]", "bad.yaml: step 1 (send): events[1].type: expected a string, got nothing"),
            ("steps: [{send: {source: web, events: [{id: e1, type: a, tme: +1s}]}}]", "bad.yaml: step 1 (send): events[1].tme: unknown key; known here: "),
            ("steps: [{send: {source: web, events: [{id: e1, type: a, time: soon}]}}]", "bad.yaml: step 1 (send): events[1].time: expected an ISO 8601 time"),
            ("steps: [project, {apply: [{kind: event-source, id: web, name: Web}]}]", "bad.yaml: step 2 (apply): object 1: event-source \"web\": bridge"),
            ("steps: [{disable: web}]", "bad.yaml: step 1 (disable): expected KIND/ID"),
            ("steps: [{expect-profile: {id: p1, segment: [a]}}]", "bad.yaml: step 1 (expect-profile): segment: unknown key"),
            ("steps: [{project: now}]", "bad.yaml: step 1 (project): takes no argument"),
            ("step: [project]", "bad.yaml: steps: expected a non-empty list"),
            ("steps: [project\n", "bad.yaml: not valid YAML"),
        ]
        for (yaml, expected) in cases {
            let message = parseError(yaml)
            #expect(message?.hasPrefix(expected) == true, "\(yaml) gave \(message ?? "no error")")
        }
    }

    @Test("a failed expectation names the script, the step and what differs; a step that cannot be done stops the script")
    func runFailures() async throws {
        let script = try ScenarioScript(name: "wrong.yaml", yaml: """
            steps:
              - apply: [{kind: event-source, id: web, name: Web, bridge: rest}]
              - send: {source: web, events: [{id: v1, type: page-view, profile: p1, session: s1}]}
              - project
              - expect-profile: {id: p1, fields: {stats.views: 2}, trail: [v1, v2]}
              - expect-changes: {event: v1, includes: [segment.entered]}
              - expect-dead-letter: {event: v1, reason: unknown-source}
            """)
        let failures = try await ScenarioRunner.run(script)
        #expect(failures == [
            "wrong.yaml: step 4 (expect-profile p1): profile p1: stats.views is 1, expected 2",
            #"wrong.yaml: step 4 (expect-profile p1): trail of p1: ["v1"], expected ["v1", "v2"]"#,
            #"wrong.yaml: step 5 (expect-changes v1): changes of v1: ["identity.linked id:p1 p1", "session.opened s1", "profile.created p1"], expected one matching "segment.entered""#,
            "wrong.yaml: step 6 (expect-dead-letter v1): event v1 is not in the dead-letter log",
        ])

        let refused = try ScenarioScript(name: "refused.yaml", yaml: """
            steps:
              - project
              - apply: [{kind: routing-rule, id: r1, name: R, event_type: a, source_id: web, workflow_id: w}]
            """)
        let error = await #expect(throws: ScenarioError.self) { try await ScenarioRunner.run(refused) }
        #expect(error?.description.hasPrefix(#"refused.yaml: step 2 (apply): routing-rule "r1": source_id: names event-source "web""#) == true,
                "\(String(describing: error))")
    }
}
