import CairnTestSupport
import Foundation
import Testing

/// The configuration commands of the `cairn` binary, end to end.
@Suite("cairn config and the configuration objects from the command line", .serialized)
struct ConfigCLITests {
    static func run(_ arguments: [String]) throws -> (status: Int32, output: String) {
        let process = try ChildProcess(ChildProcess.builtProduct("cairn"), arguments)
        let output = process.readToEnd()
        return (process.wait(), output)
    }

    /// The output's lines that are not the log's notices.
    static func lines(_ output: String) -> [String] {
        output.split(separator: "\n").map(String.init).filter { !$0.contains(" notice ") }
    }

    static let secret = "hunter2-do-not-print"

    @Test("create, list, show, disable and enable an event source; versions count the changes")
    func eventSourceLifecycle() throws {
        let dir = TemporaryDirectory("cairn-config-cli")
        defer { dir.remove() }
        let created = try Self.run(["source", "create", "Web site", "--bridge", "rest", "--requires-consent", "--data", dir.path])
        #expect(created.status == 0, "\(created.output)")
        let id = try #require(Self.lines(created.output).last)
        #expect(id.count == 32 && id.allSatisfy(\.isHexDigit), "\(created.output)")

        let list = try Self.run(["source", "list", "--data", dir.path])
        #expect(Self.lines(list.output) == ["\(id)\tenabled\tv1\tWeb site"])
        #expect(try Self.run(["source", "disable", id, "--data", dir.path]).output.contains("disabled event-source \"\(id)\" (version 2)"))
        #expect(try Self.run(["source", "disable", id, "--data", dir.path]).output.contains("is disabled already"))
        #expect(try Self.run(["source", "enable", id, "--data", dir.path]).output.contains("(version 3)"))
        let show = try Self.run(["source", "show", id, "--data", dir.path])
        #expect(show.status == 0 && show.output.contains("# version 3: enable") && show.output.contains("requires_consent: true"), "\(show.output)")

        let bad = try Self.run(["source", "create", "X", "--bridge", "ftp", "--data", dir.path])
        #expect(bad.status != 0 && bad.output.contains("--bridge"))
        let missing = try Self.run(["rule", "create", "R", "--event-type", "Page View", "--source", id, "--workflow", "nope", "--data", dir.path])
        #expect(missing.status != 0 && missing.output.contains("workflow_id") && missing.output.contains("nope"), "\(missing.output)")
        let condition = try Self.run(["segment", "create", "Buyers", "--condition", "profile@stats.orders >>> 3", "--data", dir.path])
        #expect(condition.status != 0 && condition.output.contains(#"segment "buyers": condition:"#), "\(condition.output)")
        let segment = try Self.run(["segment", "create", "Frequent Buyers", "--condition", "profile@stats.orders > 3", "--data", dir.path])
        #expect(segment.status == 0 && Self.lines(segment.output).last == "frequent-buyers", "\(segment.output)")
        let noSuch = try Self.run(["segment", "show", "nothing", "--data", dir.path])
        #expect(noSuch.status != 0 && noSuch.output.contains("no segment with id 'nothing'"))
        let history = try Self.run(["config", "history", "--data", dir.path])
        #expect(Self.lines(history.output).count == 4 && history.output.contains("v2 disable"), "\(history.output)")
    }

    @Test("credentials need a key, are sealed, and never printed: show, list, export, history, dump")
    func credentialsNeverPrinted() throws {
        let dir = TemporaryDirectory("cairn-config-cli")
        defer { dir.remove() }
        let data = dir.path + "/data"
        let credentials = dir.path + "/credentials.json"
        try #"{"user": "mailer", "password": "\#(Self.secret)"}"#.write(toFile: credentials, atomically: true, encoding: .utf8)

        let noKey = try Self.run(["resource", "create", "Mail", "--type", "smtp", "--credentials", credentials, "--data", data])
        #expect(noKey.status != 0 && noKey.output.contains("CAIRN_SECRET_KEY") && noKey.output.contains("init-key"), "\(noKey.output)")
        let initKey = try Self.run(["config", "init-key", "--data", data])
        #expect(initKey.status == 0 && initKey.output.contains("secret.key"), "\(initKey.output)")
        #expect(try Self.run(["config", "init-key", "--data", data]).status != 0)

        let created = try Self.run(["resource", "create", "Mail", "--type", "smtp", "--credentials", credentials,
                                    "--test-credentials", credentials, "--data", data])
        #expect(created.status == 0, "\(created.output)")
        let id = try #require(Self.lines(created.output).last)
        let exported = dir.path + "/exported"
        var outputs = [created.output]
        for arguments in [["resource", "show", id], ["resource", "show", id, "--json"], ["resource", "list"], ["config", "export", exported],
                          ["config", "history"], ["log", "dump"], ["tail", "--events"]] {
            let result = try Self.run(arguments + ["--data", data])
            #expect(result.status == 0, "\(arguments): \(result.output)")
            outputs.append(result.output)
        }
        #expect(outputs[1].contains("<sealed: "), "\(outputs[1])")
        for output in outputs { #expect(!output.contains(Self.secret), "\(output)") }
        let file = try String(contentsOfFile: exported + "/resource/\(id).yaml", encoding: .utf8)
        #expect(file.contains("production: aes-256-gcm:") && !file.contains(Self.secret), "\(file)")
    }

    @Test("export, apply into a fresh data directory with the same key: the same files; applying twice changes nothing")
    func exportApplyRoundTrip() throws {
        let dir = TemporaryDirectory("cairn-config-cli")
        defer { dir.remove() }
        let data = dir.path + "/data", fresh = dir.path + "/fresh"
        let files = dir.path + "/files"
        try FileManager.default.createDirectory(atPath: files, withIntermediateDirectories: true)
        try """
            - kind: event-source
              id: web
              name: Web site
              bridge: rest
            - kind: workflow
              id: welcome
              name: Welcome
              graph:
                nodes: [{id: start, action: start}, {id: end, action: end}]
                edges: [{from: start, to: end}]
            - kind: routing-rule
              id: page-views
              name: Page views
              event_type: Page View
              source_id: web
              workflow_id: welcome
            - kind: consent-type
              name: Marketing
              auto_revoke: 90d
            - kind: resource
              id: mail
              name: Mail
              type: smtp
              credentials:
                production: {password: \(Self.secret)}
            """.write(toFile: files + "/all.yaml", atomically: true, encoding: .utf8)
        #expect(try Self.run(["config", "init-key", "--data", data]).status == 0)

        let dry = try Self.run(["config", "apply", files, "--dry-run", "--data", data])
        #expect(dry.status == 0 && dry.output.contains("would create routing-rule \"page-views\""), "\(dry.output)")
        let applied = try Self.run(["config", "apply", files, "--author", "ada", "--data", data])
        #expect(applied.status == 0 && applied.output.contains("5 changed, 0 unchanged"), "\(applied.output)")
        #expect(try Self.run(["config", "apply", files, "--data", data]).output.contains("0 changed, 5 unchanged"))
        #expect(try Self.run(["rule", "list", "--data", data]).output.contains("page-views\tenabled\tv1\tPage views"))
        #expect(try Self.run(["config", "history", "--data", data]).output.contains("by ada"))

        let first = dir.path + "/first", second = dir.path + "/second"
        #expect(try Self.run(["config", "export", first, "--data", data]).output.contains("5 written"))
        try FileManager.default.createDirectory(atPath: fresh, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: data + "/secret.key", toPath: fresh + "/secret.key")
        let reapplied = try Self.run(["config", "apply", first, "--data", fresh])
        #expect(reapplied.status == 0 && reapplied.output.contains("5 changed"), "\(reapplied.output)")
        #expect(try Self.run(["config", "export", second, "--data", fresh]).status == 0)
        for path in try FileManager.default.subpathsOfDirectory(atPath: first).sorted() where path.hasSuffix(".yaml") {
            #expect(FileManager.default.contents(atPath: first + "/" + path) == FileManager.default.contents(atPath: second + "/" + path), "\(path)")
        }

        // Another key cannot take the exported credentials in, and nothing is recorded.
        let other = dir.path + "/other"
        #expect(try Self.run(["config", "init-key", "--data", other]).status == 0)
        let refused = try Self.run(["config", "apply", first, "--data", other])
        #expect(refused.status != 0 && refused.output.contains("credentials.production") && refused.output.contains("do not open"), "\(refused.output)")
        #expect(Self.lines(try Self.run(["config", "history", "--data", other]).output).isEmpty)

        // A bad file names itself and the field.
        try "kind: segment\nname: Buyers\n".write(toFile: files + "/bad.yaml", atomically: true, encoding: .utf8)
        let bad = try Self.run(["config", "apply", files, "--data", data])
        #expect(bad.status != 0 && bad.output.contains(#"bad.yaml: segment "buyers": condition: is required"#), "\(bad.output)")
    }

    @Test("apply --prune deletes the objects no file defines, and refuses a deletion another object still needs")
    func prune() throws {
        let dir = TemporaryDirectory("cairn-config-cli")
        defer { dir.remove() }
        let data = dir.path + "/data", files = dir.path + "/files"
        try FileManager.default.createDirectory(atPath: files, withIntermediateDirectories: true)
        let source = "- kind: event-source\n  id: web\n  name: Web\n  bridge: rest\n"
        let workflow = "- kind: workflow\n  id: welcome\n  name: Welcome\n  graph: {nodes: [{id: start, action: start}], edges: []}\n"
        let rule = "- kind: routing-rule\n  id: views\n  name: Views\n  event_type: page-view\n  source_id: web\n  workflow_id: welcome\n"
        let segment = "- kind: segment\n  name: Buyers\n  condition: profile@stats.views > 1\n"
        try (source + workflow + rule + segment).write(toFile: files + "/all.yaml", atomically: true, encoding: .utf8)
        #expect(try Self.run(["config", "apply", files, "--data", data]).output.contains("4 changed, 0 unchanged"))

        // Without --prune the segment stays; with it, it goes.
        try (source + workflow + rule).write(toFile: files + "/all.yaml", atomically: true, encoding: .utf8)
        #expect(try Self.run(["config", "apply", files, "--data", data]).output.contains("0 changed, 3 unchanged"))
        #expect(try Self.run(["segment", "list", "--data", data]).output.contains("buyers"))
        let dry = try Self.run(["config", "apply", files, "--prune", "--dry-run", "--data", data])
        #expect(dry.output.contains("would delete segment \"buyers\"") && dry.output.contains("1 absent would be deleted"), "\(dry.output)")
        let pruned = try Self.run(["config", "apply", files, "--prune", "--data", data])
        #expect(pruned.status == 0 && pruned.output.contains("0 changed, 3 unchanged, 1 absent deleted"), "\(pruned.output)")
        #expect(!(try Self.run(["segment", "list", "--data", data]).output.contains("buyers")))

        // The workflow cannot go while the rule that stays names it; nothing is recorded.
        try (source + rule).write(toFile: files + "/all.yaml", atomically: true, encoding: .utf8)
        let refused = try Self.run(["config", "apply", files, "--prune", "--data", data])
        #expect(refused.status != 0 && refused.output.contains(#"workflow "welcome""#) && refused.output.contains("routing-rule"), "\(refused.output)")
        #expect(try Self.run(["workflow", "list", "--data", data]).output.contains("welcome"))
    }
}
