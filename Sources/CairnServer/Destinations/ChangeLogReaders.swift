import CairnEngine
import CairnLog
import CairnModel
import Dispatch

/// A reader of the change log and one of the event log, for one task of the dispatcher (a
/// destination's worker or the discovery loop). Every read blocks on file I/O, so each runs on a
/// Dispatch thread, never on the cooperative pool.
final class ChangeLogReaders: @unchecked Sendable {
    // Safe by use: one task owns the readers and awaits each read before it starts the next, so
    // no `LogReader` is ever used by two threads at once (it is not thread-safe, only movable).
    private let changes: LogReader
    private let events: LogReader

    init(data: DataDirectory) {
        changes = data.changeLog.makeReader()
        events = data.eventLog.makeReader()
    }

    deinit {
        changes.close()
        events.close()
    }

    /// Changes from `offset` on: about `recordsMax` of them, but never ending inside the run of
    /// changes one event made, unless the visible end of the log cuts it (the projector appends
    /// an event's changes together, so that happens only to a batch of more than the log's
    /// `appendRecordsMax` changes). Returns them and the offset after the last record read
    /// (records of other kinds are passed over).
    ///
    /// - Throws: ``ServerError`` for a change record that does not decode; the log's errors.
    func entries(from offset: UInt64, recordsMax: Int) async throws -> (entries: [ChangeEntry], end: UInt64) {
        try await onDispatch { [self] in
            var entries: [ChangeEntry] = []
            var end = offset
            try self.changes.scan(from: offset) { view in
                guard view.kind == RecordKind.change else {
                    end = view.offset + 1
                    return true
                }
                let change = try Self.decode(view)
                if entries.count >= recordsMax, let last = entries.last?.change,
                   last.offset != change.offset || last.kind == .configurationChanged || change.kind == .configurationChanged {
                    return false
                }
                entries.append(ChangeEntry(changeOffset: view.offset, timestampMicros: view.timestamp, change: change))
                end = view.offset + 1
                return true
            }
            return (entries, end)
        }
    }

    /// The `configuration.changed` changes of destinations and resources from `offset` on, among
    /// at most `recordsMax` records, with the configuration record each names; and the offset
    /// after the last record read.
    func configurationChanges(from offset: UInt64, recordsMax: Int) async throws -> (found: [(entry: ChangeEntry, record: ConfigurationRecord)], end: UInt64) {
        try await onDispatch { [self] in
            var found: [ChangeEntry] = []
            var end = offset
            var count = 0
            let prefixes = [Array("destination/".utf8), Array("resource/".utf8)]
            try self.changes.scan(from: offset) { view in
                end = view.offset + 1
                count += 1
                // The key of a change record is its entity's id: for a configuration change the
                // object's key. Only candidates are decoded.
                if view.kind == RecordKind.change, let key = view.key, prefixes.contains(where: { key.starts(with: $0) }) {
                    let change = try Self.decode(view)
                    if change.kind == .configurationChanged {
                        found.append(ChangeEntry(changeOffset: view.offset, timestampMicros: view.timestamp, change: change))
                    }
                }
                return count < recordsMax
            }
            return (try found.map { ($0, try self.configurationRecordBlocking(at: $0.change.offset)) }, end)
        }
    }

    /// The configuration record at event-log offset `offset`.
    ///
    /// - Throws: ``ServerError`` when there is none there or it does not decode.
    func configurationRecord(at offset: UInt64) async throws -> ConfigurationRecord {
        try await onDispatch { try self.configurationRecordBlocking(at: offset) }
    }

    /// The event at event-log offset `offset` as `event@` shows it: its JSON rendering with
    /// personal data, or `{"id", "ephemeral": true}` for a sealed event; nil when the record there
    /// is no event.
    func event(at offset: UInt64) async throws -> JSONValue? {
        try await onDispatch { [self] in
            guard let record = try self.events.record(at: offset) else { return nil }
            switch record.kind {
            case RecordKind.event:
                return try EventRecord.decode(record.payload).jsonValue(includingPersonal: true)
            case RecordKind.sealedEvent:
                return ["id": .string(String(decoding: record.key ?? [], as: UTF8.self)), "ephemeral": true]
            default:
                return nil
            }
        }
    }

    private func configurationRecordBlocking(at offset: UInt64) throws -> ConfigurationRecord {
        guard let record = try events.record(at: offset), record.kind == RecordKind.configuration else {
            throw ServerError("the event log has no configuration record at offset \(offset), which the change log names")
        }
        return try ConfigurationRecord(payload: record.payload)
    }

    private static func decode(_ view: RecordView) throws -> Change {
        do {
            return try Change(jsonValue: JSONValue(binary: view.payload))
        } catch {
            throw ServerError("change log record \(view.offset) does not decode: \(error)")
        }
    }
}

/// Runs `body` on a Dispatch thread (it blocks on file I/O or a lock) and returns its result.
func onDispatch<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        DispatchQueue.global().async { continuation.resume(with: Result { try body() }) }
    }
}
