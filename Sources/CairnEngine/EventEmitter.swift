import CairnLog
import CairnModel
import Logging
import Synchronization

/// Performs the `emit-event` requests of workflows: appends each requested event to the event
/// log as a record of its own, exactly once, after the change that requested it is in the change
/// log. The projector then applies it like any other event.
///
/// The reducer never appends: a workflow run only records the request (a `workflow.effect`
/// change whose request has `"type": "emit-event"`), and this shell performs it. A replay
/// therefore finds the emitted events already in the log, after their cause, and the same
/// projections result. The event's id is derived from its cause, workflow and node, and its
/// `context.cause` links it to the cause (see `EmitEventAction`).
///
/// **Exactly once.** The cursor file (`DataDirectory.emitterCursorPath`) holds the change-log
/// offset up to which requests were performed and the event log's end at that moment. It is
/// replaced atomically after the appended events are durable (and, without requests, every
/// `changesPerRoundMax` changes). After a crash between the append
/// and the cursor write, the requests after the cursor are performed again, but each event whose
/// id already has a record in the event log after the recorded end is skipped.
public final class EventEmitter: Sendable {
    private let eventLog: DurableLog
    private let changeLog: DurableLog
    private let cursorPath: String
    private let logger: Logger
    /// Changes read per round, at most (bounds the requests held in memory).
    let changesPerRoundMax: Int
    /// Where this emitter is, and what its cursor file says (nil until the first run reads it).
    private let positions = Mutex<(current: Cursor, persisted: Cursor)?>(nil)

    struct Cursor: Equatable {
        /// The change-log offset of the first change not yet looked at.
        var changes: UInt64
        /// The event log's end when the cursor was written: emitted events appended after the
        /// cursor are at or after it.
        var events: UInt64
    }

    public init(eventLog: DurableLog, changeLog: DurableLog, cursorPath: String, changesPerRoundMax: Int = 10_000,
                logger: Logger = Logger(label: "cairn.emitter")) {
        precondition(changesPerRoundMax >= 1)
        self.eventLog = eventLog
        self.changeLog = changeLog
        self.cursorPath = cursorPath
        self.changesPerRoundMax = changesPerRoundMax
        self.logger = logger
    }

    /// Performs every request in the change log not yet performed; returns the number of events
    /// appended.
    public func run() async throws -> Int {
        var (cursor, persisted) = try positions.withLock { $0 } ?? {
            let read = try readCursor()
            return (read, read)
        }()
        var appended = 0
        while cursor.changes < changeLog.endOffset {
            let (requests, next) = try readRequests(from: cursor.changes)
            if !requests.isEmpty {
                let present = try idsPresent(among: Set(requests.map(\.id)), from: cursor.events)
                let missing = requests.filter { !present.contains($0.id) }
                if !missing.isEmpty {
                    var appender = PipelinedAppender(log: eventLog)
                    for event in missing {
                        try await appender.add(AppendRecord(kind: RecordKind.event, key: Array(event.id.utf8), payload: EventRecord.encode(event)))
                    }
                    try await appender.finish()
                    appended += missing.count
                }
            }
            cursor = Cursor(changes: next, events: requests.isEmpty ? cursor.events : eventLog.endOffset)
            // The file must move past every performed request; past changes without any it only
            // saves rescanning them after a restart, so it is written now and then.
            if !requests.isEmpty || cursor.changes - persisted.changes >= UInt64(changesPerRoundMax) {
                cursor.events = eventLog.endOffset
                try writeCursor(cursor)
                persisted = cursor
            }
            positions.withLock { $0 = (cursor, persisted) }
        }
        if appended > 0 { logger.debug("emitted events appended", metadata: ["count": "\(appended)"]) }
        return appended
    }

    /// Projects, performs the emit requests, and again, until no more events are emitted; returns
    /// the projector's applied offset. Chains of emitted events are bounded in depth (see
    /// `EmitEventAction.depthMax`), so this ends.
    public func catchUp(_ projector: Projector) async throws -> UInt64 {
        while true {
            let applied = try await projector.catchUp()
            if try await run() == 0 { return applied }
        }
    }

    // MARK: Reading

    /// The events requested by the changes from `offset` on (at most `changesPerRoundMax`
    /// changes), in change order, and the offset after the last change read.
    private func readRequests(from offset: UInt64) throws -> (events: [Event], next: UInt64) {
        let reader = changeLog.makeReader()
        defer { reader.close() }
        var events: [Event] = []
        var next = offset
        var count = 0
        _ = try reader.scan(from: offset) { record in
            let change: Change
            do {
                change = try Change(jsonValue: JSONValue(binary: Array(record.payload)))
            } catch {
                throw EngineError(.corruptedChangeLog, "change log record \(record.offset) does not decode: \(error)")
            }
            if change.kind == .workflowEffect, let request = change.fields.first?.after, request["type"] == "emit-event" {
                guard let json = request["event"] else {
                    throw EngineError(.corruptedChangeLog, "change log record \(record.offset): an emit-event request without its event")
                }
                do {
                    // Read like an ingested event: personal data moves to its block under the default policy.
                    events.append(try CorpusLine.parse(json))
                } catch {
                    throw EngineError(.corruptedChangeLog, "change log record \(record.offset): the requested event does not read back: \(error)")
                }
            }
            next = record.offset + 1
            count += 1
            return count < changesPerRoundMax
        }
        return (events, next)
    }

    /// The ids in `wanted` that have an event record in the event log at or after `offset`.
    private func idsPresent(among wanted: Set<String>, from offset: UInt64) throws -> Set<String> {
        let reader = eventLog.makeReader()
        defer { reader.close() }
        var present: Set<String> = []
        _ = try reader.scan(from: offset) { record in
            if record.kind == RecordKind.event, let key = record.key {
                let id = String(decoding: key, as: UTF8.self)
                if wanted.contains(id) { present.insert(id) }
            }
            return true
        }
        return present
    }

    // MARK: The cursor file

    /// The cursor, `changes 0 events 0` when there is no file yet.
    func readCursor() throws -> Cursor {
        let storage = PosixStorage()
        guard storage.exists(cursorPath) else { return Cursor(changes: 0, events: 0) }
        let file = try storage.openFile(cursorPath, create: false)
        defer { file.close() }
        let text = String(decoding: try file.read(at: 0, count: 256), as: UTF8.self)
        let words = text.split(whereSeparator: { $0 == " " || $0 == "\n" })
        guard words.count == 4, words[0] == "changes", words[2] == "events", let changes = UInt64(words[1]), let events = UInt64(words[3]) else {
            throw EngineError(.corruptedChangeLog, "\(cursorPath) is not an emitter cursor ('changes N events M'): '\(text.prefix(80))'")
        }
        return Cursor(changes: changes, events: events)
    }

    private func writeCursor(_ cursor: Cursor) throws {
        let slash = cursorPath.lastIndex(of: "/")
        let directory = slash.map { String(cursorPath[..<$0]) } ?? "."
        let name = slash.map { String(cursorPath[cursorPath.index(after: $0)...]) } ?? cursorPath
        try PosixStorage().replaceFile(directory: directory, name: name, with: Array("changes \(cursor.changes) events \(cursor.events)\n".utf8))
    }
}
