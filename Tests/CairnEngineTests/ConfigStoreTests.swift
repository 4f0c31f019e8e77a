import CairnLog
import CairnModel
import CairnTestSupport
import Foundation
import Testing
@testable import CairnEngine

@Suite("Configuration store: the log records every change; files apply and export")
struct ConfigStoreTests {
    let checks = StandardChecks()

    @Test("every change is a kind-3 record; loading the log again gives the same state")
    func logRecordsEveryChange() async throws {
        let key = testKey()
        try await withEventLog { log, _ in
            let store = try await ConfigurationStore.open(log: log)
            let objects = try sampleObjects(key: key)
            let created = try await store.commit(objects.map { .put($0) }, author: "ada", checks: checks, key: { key })
            #expect(created.count == objects.count && created.allSatisfy { $0.version == 1 && $0.action == .create })
            _ = try await store.commit([.setEnabled(ConfigurationKey(.eventSource, "web"), false)], checks: checks)
            _ = try await store.commit([.delete(ConfigurationKey(.destination, "d1"))], checks: checks)
            // An event between configuration records is skipped by the fold.
            _ = try await log.append(AppendRecord(kind: RecordKind.event, payload: [1, 2, 3]))

            let history = try await ConfigurationStore.history(of: log)
            #expect(history.count == objects.count + 2)
            #expect(history.map(\.record.action).suffix(2) == [.disable, .delete])
            #expect(history.first?.record.author == "ada")
            var kinds: [UInt16] = []
            try log.makeReader().scan(from: 0) { view in kinds.append(view.kind); return true }
            #expect(kinds == Array(repeating: RecordKind.configuration, count: objects.count + 2) + [RecordKind.event])

            let reloaded = try await ConfigurationStore.load(from: log)
            #expect(reloaded.objects == (try await store.state()).objects)
            #expect(reloaded.entry(ConfigurationKey(.eventSource, "web"))?.version == 2)
            #expect(reloaded.entry(ConfigurationKey(.eventSource, "web"))?.object.enabled == false)
            #expect(reloaded.entry(ConfigurationKey(.destination, "d1")) == nil)
            #expect(reloaded.count == objects.count - 1)
        }
    }

    @Test("the projector skips configuration records")
    func projectorSkipsConfiguration() async throws {
        let fixture = try await Fixture.make("cairn-config-projector")
        defer { fixture.dir.remove() }
        let store = try await ConfigurationStore.open(log: fixture.eventLog)
        try await store.commit([.put(.eventSource(EventSourceDefinition(id: "web", name: "Web", bridge: .rest)))], checks: checks)
        let projector = try await fixture.projector()
        #expect(try await projector.catchUp() == 1)
        try await fixture.close()
    }

    @Test("applying the same files twice records nothing the second time")
    func applyIsIdempotent() async throws {
        let key = testKey()
        try await withEventLog { log, dir in
            let files = dir.path + "/config"
            try FileManager.default.createDirectory(atPath: files + "/nested", withIntermediateDirectories: true)
            try """
                kind: event-source
                id: web
                name: Web site
                bridge: rest
                """.write(toFile: files + "/source.yaml", atomically: true, encoding: .utf8)
            try """
                - kind: workflow
                  id: welcome
                  name: Welcome
                  graph:
                    nodes: [{id: start, action: start}, {id: end, action: end}]
                    edges: [{from: start, to: end}]
                - kind: routing-rule
                  id: r1
                  name: Page views
                  event_type: Page View
                  source_id: web
                  workflow_id: welcome
                """.write(toFile: files + "/nested/flow.yml", atomically: true, encoding: .utf8)
            try #"{"kind": "resource", "id": "mail", "name": "Mail", "type": "smtp", "credentials": {"production": {"password": "pw-123"}}}"#
                .write(toFile: files + "/mail.json", atomically: true, encoding: .utf8)
            try "ignored".write(toFile: files + "/README.md", atomically: true, encoding: .utf8)
            try "kind: nonsense".write(toFile: files + "/.hidden.yaml", atomically: true, encoding: .utf8)

            let store = try await ConfigurationStore.open(log: log)
            let loaded = try ConfigurationFiles.load(directory: files, key: { key })
            #expect(loaded.map(\.file) == ["mail.json", "nested/flow.yml", "nested/flow.yml", "source.yaml"])
            let first = try await store.commit(loaded.map { .put($0.object) }, checks: checks, key: { key })
            #expect(first.count == 4)
            // Loading seals the clear credentials again with a fresh nonce; they still compare equal.
            let again = try ConfigurationFiles.load(directory: files, key: { key })
            #expect(try await store.commit(again.map { .put($0.object) }, checks: checks, key: { key }).isEmpty)
            #expect(try await ConfigurationStore.history(of: log).count == 4)

            try #"{"kind": "resource", "id": "mail", "name": "Mail", "type": "smtp", "credentials": {"production": {"password": "pw-456"}}}"#
                .write(toFile: files + "/mail.json", atomically: true, encoding: .utf8)
            let changed = try ConfigurationFiles.load(directory: files, key: { key })
            let update = try await store.commit(changed.map { .put($0.object) }, checks: checks, key: { key })
            #expect(update.map(\.action) == [.update] && update.map(\.version) == [2])
            guard case .resource(let mail)? = try await store.state().object(ConfigurationKey(.resource, "mail")) else {
                Issue.record("no resource"); return
            }
            #expect(try mail.openCredentials(.production, key: key) == ["password": "pw-456"])
        }
    }

    @Test("a bad file names itself and records nothing")
    func badFileAppliesNothing() async throws {
        try await withEventLog { log, dir in
            let files = dir.path + "/config"
            try FileManager.default.createDirectory(atPath: files, withIntermediateDirectories: true)
            try "kind: event-source\nid: a\nname: A\nbridge: rest\n".write(toFile: files + "/a.yaml", atomically: true, encoding: .utf8)
            try "kind: event-source\nid: b\nname: B\nbridge: carrier-pigeon\n".write(toFile: files + "/b.yaml", atomically: true, encoding: .utf8)
            let error = try #require(configurationError { _ = try ConfigurationFiles.load(directory: files, key: noKey) })
            #expect(error.file == "b.yaml" && error.field == "bridge")
            #expect(error.description.hasPrefix(#"b.yaml: event-source "b": bridge:"#))
            try "kind: event-source\nid: a\nname: A2\nbridge: rest\n".write(toFile: files + "/b.yaml", atomically: true, encoding: .utf8)
            let duplicate = try #require(configurationError { _ = try ConfigurationFiles.load(directory: files, key: noKey) })
            #expect(duplicate.code == .conflict && duplicate.message.contains("a.yaml"))
            try "kind: event-source\nid: [unclosed\n".write(toFile: files + "/b.yaml", atomically: true, encoding: .utf8)
            let syntax = try #require(configurationError { _ = try ConfigurationFiles.load(directory: files, key: noKey) })
            #expect(syntax.code == .invalidFile && syntax.file == "b.yaml")
            #expect(try await ConfigurationStore.history(of: log).isEmpty)
        }
    }

    @Test("export, then apply into a fresh log with the same key: the same state, and the same files", arguments: ConfigurationFiles.Format.allCases)
    func exportApplyRoundTrip(format: ConfigurationFiles.Format) async throws {
        let key = testKey()
        try await withEventLog { log, dir in
            let store = try await ConfigurationStore.open(log: log)
            try await store.commit(try sampleObjects(key: key).map { .put($0) }, checks: checks, key: { key })
            try await store.commit([.setEnabled(ConfigurationKey(.segment, "frequent-buyers"), false)], checks: checks)
            let state = try await store.state()
            let exported = dir.path + "/exported"
            let summary = try ConfigurationFiles.export(state, to: exported, format: format)
            #expect(summary.written.count == state.count && summary.removed.isEmpty)
            #expect(summary.written.contains("resource/mail.\(format.rawValue)"))
            let again = try ConfigurationFiles.export(state, to: exported, format: format)
            #expect(again.written.isEmpty && again.unchanged.count == state.count)

            let fresh = try await DurableLog.open(directory: dir.path + "/fresh", logger: quiet)
            let freshStore = try await ConfigurationStore.open(log: fresh)
            let loaded = try ConfigurationFiles.load(directory: exported, key: { key })
            try await freshStore.commit(loaded.map { .put($0.object) }, checks: checks, key: { key })
            #expect(try await freshStore.state().objects == state.objects)
            #expect(try await freshStore.commit(loaded.map { .put($0.object) }, checks: checks, key: { key }).isEmpty)
            let second = try ConfigurationFiles.export(try await freshStore.state(), to: exported, format: format)
            #expect(second.written.isEmpty && second.removed.isEmpty)

            // The wrong key cannot take the exported credentials in.
            let other = testKey(seed: 2)
            let refused = try #require(configurationError { _ = try ConfigurationState().plan(loaded.map { .put($0.object) }, checks: checks, key: { other }) })
            #expect(refused.code == .decryptionFailed && refused.id == "mail")
            try await fresh.close()

            // A deleted object's file goes at the next export.
            try await store.commit([.delete(ConfigurationKey(.destination, "d1"))], checks: checks)
            let pruned = try ConfigurationFiles.export(try await store.state(), to: exported, format: format)
            #expect(pruned.removed == ["destination/d1.\(format.rawValue)"])
        }
    }

    @Test("YAML export reads back strings that look like other values")
    func yamlTrickyStrings() throws {
        let tricky = ["no", "yes", "on", "123", "1.5", "null", "~", "", " padded ", "a: b", "- dash", "#hash", "line\nbreak\n", "zażółć 🪨", "\"quoted\"", "0x1F", "2026-01-01", "<<"]
        for text in tricky {
            let source: JSONObject = ["kind": "event-source", "id": "web", "name": "N", "description": .string(text), "bridge": "rest", "tags": [.string(text)]]
            let yaml = ConfigurationFiles.text(source, format: .yaml)
            let back = try ConfigurationFiles.objects(in: Array(yaml.utf8), json: false)
            #expect(back == [source], "\(quoted(text)) → \(yaml)")
        }
        let mapping: JSONObject = ["kind": "destination", "mapping": ["yes": 1, "n": 1.5, "deep": ["list": [true, .null, -3]]]]
        #expect(try ConfigurationFiles.objects(in: Array(ConfigurationFiles.text(mapping, format: .yaml).utf8), json: false) == [mapping])
        #expect(try ConfigurationFiles.objects(in: Array(ConfigurationFiles.text(mapping, format: .json).utf8), json: true) == [mapping])
        #expect(ConfigurationFiles.text(mapping, format: .yaml).hasPrefix("kind: destination\n"))
    }
}
