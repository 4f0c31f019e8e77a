import CairnEngine
import CairnModel
import CairnServer
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

@Suite("Change log over HTTP: long poll and Server-Sent Events", .serialized, .timeLimit(.minutes(5)))
struct ChangeStreamTests {
    static let base = AdminAPITests.base
    static let source = AdminAPITests.source

    @Test("long poll: pages from an offset whose next moves past skipped changes; kind filters; parameter errors name the parameter")
    func longPoll() async throws {
        try await withServer(Self.base) { client, data in
            let token = try RoleTokens(data).reader
            for profile in ["p1", "p2", "p3"] { try await client.track(Self.source, profile: profile, "page-view") }
            let all = try await settledChanges(client, token: token)
            let end = data.changeLog.endOffset
            #expect(all.map(\.offset) == Array(0..<end) && end > 6)

            // Pages of three, each from the last one's next, give every change once.
            var paged: [UInt64] = []
            var from: UInt64 = 0
            while true {
                let page = try await client.admin(.get, "/changes?from=\(from)&limit=3", token: token)
                let offsets = try #require(page.json["changes"]?.arrayValue).compactMap { $0["offset"]?.integerValue.map(UInt64.init) }
                if offsets.isEmpty { #expect(page.json["next"]?.integerValue == Int64(end)); break }
                #expect(offsets.count <= 3 && page.json["next"]?.integerValue == Int64(offsets.last! + 1), "\(page)")
                paged += offsets
                from = offsets.last! + 1
            }
            #expect(paged == all.map(\.offset))

            // A filter skips the other kinds, and next moves past them.
            let kinds: Set<String> = ["profile.created", "segment.entered"]
            let filtered = try await client.admin(.get, "/changes?kinds=profile.created,segment.entered", token: token)
            let expected = all.filter { kinds.contains($0.change["kind"]?.stringValue ?? "") }
            #expect(try #require(filtered.json["changes"]?.arrayValue).map { $0["offset"]?.integerValue } == expected.map { Int64($0.offset) }, "\(filtered)")
            #expect(expected.count == 6 && filtered.json["next"]?.integerValue == Int64(end), "\(filtered)")
            let one = try await client.admin(.get, "/changes?kinds=segment.entered&limit=1", token: token)
            let firstEntered = try #require(all.first { $0.change["kind"] == "segment.entered" })
            #expect(one.json["changes"]?.arrayValue?.first?["change"] == firstEntered.change, "\(one)")
            #expect(one.json["next"]?.integerValue == Int64(firstEntered.offset + 1), "\(one)")
            let atEnd = try await client.admin(.get, "/changes?from=end", token: token)
            #expect(atEnd.json == ["changes": [], "next": .integer(Int64(end))], "\(atEnd)")

            for (query, named) in [("kinds=profile.deleted", "'profile.deleted'"), ("wait=31", "wait"), ("wait=soon", "wait"), ("from=-1", "from"),
                                   ("limit=0", "limit"), ("limit=1001", "limit")] {
                let reply = try await client.admin(.get, "/changes?\(query)", token: token)
                #expect(reply.status == .unprocessableContent && reply.detail.contains(named), "\(query): \(reply)")
            }
        }
    }

    @Test("long poll with wait: returns as soon as a /track makes a change, or empty when the wait runs out")
    func longPollWaits() async throws {
        try await withServer(Self.base) { client, data in
            let token = try RoleTokens(data).reader
            try await client.track(Self.source, profile: "p1", "page-view")
            let end = try await settledChanges(client, token: token).count

            let clock = ContinuousClock()
            let idleStart = clock.now
            let idle = try await client.admin(.get, "/changes?from=\(end)&wait=1", token: token)
            #expect(clock.now - idleStart >= .milliseconds(900), "returned before the wait ran out")
            #expect(idle.json == ["changes": [], "next": .integer(Int64(end))], "\(idle)")

            let started = clock.now
            async let polled = client.admin(.get, "/changes?from=\(end)&wait=20&kinds=profile.created", token: token)
            try await Task.sleep(for: .milliseconds(300))
            try await client.track(Self.source, profile: "p2", "page-view")
            let reply = try await polled
            #expect(clock.now - started < .seconds(10), "the poll did not return when the change came")
            let changes = try #require(reply.json["changes"]?.arrayValue)
            #expect(changes.count == 1 && changes[0]["change"]?["kind"] == "profile.created" && changes[0]["change"]?["id"] == "p2", "\(reply)")
        }
    }

    @Test("stream: each change one event with its offset as id; Last-Event-ID resumes exactly after it; kind filters; heartbeats when idle; live changes")
    func stream() async throws {
        var settings = ServerSettings()
        settings.changeStreamHeartbeat = .milliseconds(200)
        try await withLiveServer(Self.base, settings: settings) { client, port, data in
            let token = try RoleTokens(data).reader
            for profile in ["p1", "p2", "p3"] { try await client.track(Self.source, profile: profile, "page-view") }
            let all = try await settledChanges(client, token: token)

            let whole = try StreamConnection(port: port)
            try whole.get("/changes/stream?from=0", headers: ["Authorization": "Bearer \(token)"])
            let wholeEvents = serverSentEvents(try await whole.read { serverSentEvents($0).count >= all.count })
            #expect(whole.head?.hasPrefix("HTTP/1.1 200") == true && whole.head?.lowercased().contains("content-type: text/event-stream") == true, "\(whole.head ?? "")")
            #expect(wholeEvents.map(\.id) == all.map(\.offset))
            #expect(wholeEvents.map(\.data) == all.map(\.change))

            // Resumed after the third event: exactly the rest, then only heartbeats.
            let resumed = try StreamConnection(port: port)
            try resumed.get("/changes/stream?from=0", headers: ["Authorization": "Bearer \(token)", "Last-Event-ID": "\(all[2].offset)"])
            let text = try await resumed.read { $0.components(separatedBy: ": heartbeat").count > 2 }
            #expect(serverSentEvents(text).map(\.id) == all.dropFirst(3).map(\.offset), "\(text)")
            #expect(text.hasPrefix(": changes from offset \(all[2].offset + 1)\n\n"), "\(text)")

            // Filtered, then a change made while the stream is open.
            let created = try StreamConnection(port: port)
            try created.get("/changes/stream?kinds=profile.created", headers: ["Authorization": "Bearer \(token)"])
            let before = serverSentEvents(try await created.read { serverSentEvents($0).count >= 3 })
            #expect(before.map { $0.data["id"] } == ["p1", "p2", "p3"] && before.allSatisfy { $0.data["kind"] == "profile.created" })
            try await client.track(Self.source, profile: "p4", "page-view")
            let after = serverSentEvents(try await created.read { serverSentEvents($0).count >= 4 })
            #expect(after.count == 4 && after[3].data["id"] == "p4" && after[3].data["kind"] == "profile.created", "\(after.map(\.data))")

            let refused = try StreamConnection(port: port)
            try refused.get("/changes/stream", headers: [:])
            _ = try await refused.read { _ in false }
            #expect(refused.head?.hasPrefix("HTTP/1.1 401") == true, "\(refused.head ?? "")")
            let badID = try await client.admin(.get, "/changes/stream", token: token, headers: [HTTPFields.Element.Name("Last-Event-ID")!: "seven"])
            #expect(badID.status == .unprocessableContent && badID.detail.contains("Last-Event-ID"), "\(badID)")
            let badKind = try await client.admin(.get, "/changes/stream?kinds=profile.deleted", token: token)
            #expect(badKind.status == .unprocessableContent && badKind.detail.contains("profile.deleted"), "\(badKind)")
        }
    }

    @Test("a stream ends cleanly (its last chunk sent) when the server shuts down, and the shutdown completes")
    func streamEndsAtShutdown() async throws {
        let (ready, readyContinuation) = AsyncStream.makeStream(of: (port: Int, token: String).self)
        let (release, releaseContinuation) = AsyncStream.makeStream(of: Void.self)
        let outcome = try await withThrowingTaskGroup(of: (ended: Bool, text: String)?.self) { group in
            group.addTask {
                try await withLiveServer(Self.base) { client, port, data in
                    try await client.track(Self.source, profile: "p1", "page-view")
                    readyContinuation.yield((port, try RoleTokens(data).reader))
                    readyContinuation.finish()
                    for await _ in release { break }
                }
                return nil
            }
            group.addTask {
                var iterator = ready.makeAsyncIterator()
                let (port, token) = try #require(await iterator.next())
                let connection = try StreamConnection(port: port)
                try connection.get("/changes/stream", headers: ["Authorization": "Bearer \(token)"])
                _ = try await connection.read { !serverSentEvents($0).isEmpty }
                releaseContinuation.yield()
                releaseContinuation.finish()
                let text = try await connection.read { _ in false }
                return (connection.ended, text)
            }
            var outcome: (ended: Bool, text: String)?
            for try await result in group { if let result { outcome = result } }
            return outcome
        }
        let streamed = try #require(outcome)
        #expect(streamed.ended, "the stream was cut rather than ended: \(streamed.text)")
        #expect(serverSentEvents(streamed.text).first?.data["kind"] != nil)
    }
}
