import CairnEngine
import CairnLog
import CairnModel
import Hummingbird
import ServiceLifecycle

/// `GET /changes` (a page, waiting for changes when asked) and `GET /changes/stream` (Server-Sent
/// Events): the change log from an offset, optionally only some kinds of change.
extension AdminEndpoints {
    /// The longest `wait` of a long poll, in seconds.
    static let changeWaitSecondsMax = 30
    /// Change-log records one page looks at most, taken or skipped.
    static let changeScanRecordsMax = 100_000
    /// Records read from the change log at once.
    static let changeChunkRecordsMax = 1_000

    /// `?from=OFFSET&kinds=…&limit=N&wait=SECONDS`: up to `limit` changes from `from`. When there
    /// are none yet, waits up to `wait` seconds for the first one. `next` is where the next page
    /// starts: past every record looked at, the skipped ones included.
    func changes(_ request: Request) async throws -> Response {
        let filter = try ChangeFilter(kinds: AdminParameters.text("kinds", request))
        let limit = try AdminParameters.limit(request)
        let wait = try Self.waitSeconds(request)
        let log = data.changeLog
        var selection = ChangeSelection(from: try startOffset(request))
        let reader = BackgroundLogReader(log)
        let deadline = ContinuousClock.now + .seconds(wait)
        var looked = 0
        while looked < Self.changeScanRecordsMax {
            let records = try await reader.read(from: selection.next, recordsMax: min(Self.changeChunkRecordsMax, Self.changeScanRecordsMax - looked))
            if records.isEmpty {
                // At the end: reply with what there is, or wait for more while none is taken.
                guard selection.changes.isEmpty, await Self.waitForRecord(in: log, at: selection.next, until: deadline) else { break }
                continue
            }
            looked += records.count
            if try selection.take(records, filter: filter, limit: limit) { break }
        }
        return Reply.json(selection.jsonValue)
    }

    /// `?from=OFFSET&kinds=…`, or the `Last-Event-ID` header to resume after a change: every
    /// change as one event, `id: <change-log offset>` and `data: <change JSON>`, as they come;
    /// a comment line as a heartbeat after each `changeStreamHeartbeat` without one. Ends when
    /// the server shuts down (or the client goes).
    func stream(_ request: Request) throws -> Response {
        let filter = try ChangeFilter(kinds: AdminParameters.text("kinds", request))
        let start: UInt64
        if let lastID = request.headers[Self.lastEventID] {
            guard let offset = UInt64(lastID.filter { $0 != " " }) else {
                throw APIError(.unprocessableContent, "Last-Event-ID must be the id of an event of this stream, a change-log offset (got '\(lastID)')")
            }
            start = offset + 1
        } else {
            start = try startOffset(request)
        }
        let log = data.changeLog, heartbeat = settings.changeStreamHeartbeat
        let body = ResponseBody { writer in
            let ended = EndWaiters(end: 0)
            try await withGracefulShutdownHandler {
                try await Self.writeChanges(log, from: start, filter: filter, heartbeat: heartbeat, ended: ended, to: &writer)
            } onGracefulShutdown: {
                ended.advance(to: 1)
            }
            try await writer.finish(nil)
        }
        return Response(status: .ok, headers: [.contentType: "text/event-stream", .cacheControl: "no-cache"], body: body)
    }

    static let lastEventID = HTTPFields.Element.Name("Last-Event-ID")!

    /// Writes the changes from `start` until `ended` advances, the task is cancelled or the log
    /// closes.
    private static func writeChanges(_ log: DurableLog, from start: UInt64, filter: ChangeFilter, heartbeat: Duration, ended: EndWaiters,
                               to writer: inout any ResponseBodyWriter) async throws {
        let reader = BackgroundLogReader(log)
        var position = start
        try await writer.write(ByteBuffer(string: ": changes from offset \(start)\n\n"))
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            let records = try await reader.read(from: position, recordsMax: changeChunkRecordsMax)
            if !records.isEmpty {
                var selection = ChangeSelection(from: position)
                _ = try selection.take(records, filter: filter, limit: .max)
                position = selection.next
                if !selection.changes.isEmpty { try await writer.write(ServerSentEvents.frames(selection.changes)) }
                continue
            }
            switch await nextWake(log, position: position, heartbeat: heartbeat, ended: ended) {
            case .records: continue
            case .heartbeat: try await writer.write(ByteBuffer(string: ServerSentEvents.heartbeat))
            case .ended: return
            }
        }
    }

    private enum Wake: Sendable {
        case records, heartbeat, ended
    }

    /// Waits for a record at `position`, the heartbeat interval, or the end of the stream.
    private static func nextWake(_ log: DurableLog, position: UInt64, heartbeat: Duration, ended: EndWaiters) async -> Wake {
        do {
            return try await withThrowingTaskGroup(of: Wake.self) { group in
                group.addTask { _ = try await log.waitForEnd(beyond: position); return .records }
                group.addTask { try await Task.sleep(for: heartbeat); return .heartbeat }
                group.addTask { _ = try await ended.wait(beyond: 0); return .ended }
                defer { group.cancelAll() }
                return try await group.next() ?? .ended
            }
        } catch {
            // Cancelled (the client went), or the log closed.
            return .ended
        }
    }

    /// Waits until the log holds a record at `offset` (true), or `deadline` passes (false).
    private static func waitForRecord(in log: DurableLog, at offset: UInt64, until deadline: ContinuousClock.Instant) async -> Bool {
        guard ContinuousClock.now < deadline else { return false }
        do {
            return try await withThrowingTaskGroup(of: Bool.self) { group in
                group.addTask { _ = try await log.waitForEnd(beyond: offset); return true }
                group.addTask { try await Task.sleep(until: deadline); return false }
                defer { group.cancelAll() }
                return try await group.next() ?? false
            }
        } catch {
            return false
        }
    }

    /// `?from=`: an offset, or `end` for the changes appended from now on; 0 when absent.
    private func startOffset(_ request: Request) throws -> UInt64 {
        if AdminParameters.text("from", request) == "end" { return data.changeLog.endOffset }
        return try AdminParameters.offset("from", request) ?? 0
    }

    /// `?wait=`: whole seconds, 0 to ``changeWaitSecondsMax``; 0 when absent.
    private static func waitSeconds(_ request: Request) throws -> Int {
        guard let text = AdminParameters.text("wait", request) else { return 0 }
        guard let seconds = Int(text), (0...changeWaitSecondsMax).contains(seconds) else {
            throw APIError(.unprocessableContent, "wait must be whole seconds from 0 to \(changeWaitSecondsMax) (got '\(text)')")
        }
        return seconds
    }
}

/// The text of Server-Sent Events (the WHATWG HTML standard, "server-sent events").
enum ServerSentEvents {
    /// A comment line: ignored by clients, it keeps proxies from closing an idle connection.
    static let heartbeat = ": heartbeat\n\n"

    /// One event per change: `id: <offset>`, `data: <change JSON on one line>`, a blank line.
    static func frames(_ changes: [(offset: UInt64, change: JSONValue)]) -> ByteBuffer {
        var buffer = ByteBuffer()
        for (offset, change) in changes {
            let json = change.serialized()
            // Compact JSON escapes line breaks inside strings, so the data fits one `data:` line.
            assert(!json.contains(UInt8(ascii: "\n")), "serialized JSON holds no raw line break")
            buffer.writeString("id: \(offset)\ndata: ")
            buffer.writeBytes(json)
            buffer.writeString("\n\n")
        }
        return buffer
    }
}
