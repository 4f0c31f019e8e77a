import CairnEngine
import CairnLog
import CairnModel

/// Which changes a reader of the change log wants: every one, or those of some kinds
/// (`?kinds=profile.updated,segment.entered`).
struct ChangeFilter: Sendable, Equatable {
    /// Nil: every kind.
    let kinds: Set<String>?

    /// The filter of a `kinds` parameter (nil or empty: every kind).
    ///
    /// - Throws: ``APIError`` 422 naming an unknown kind and listing the known ones.
    init(kinds parameter: String?) throws {
        guard let parameter, !parameter.isEmpty else { kinds = nil; return }
        var kinds: Set<String> = []
        for name in parameter.split(separator: ",", omittingEmptySubsequences: true) {
            guard Change.Kind(rawValue: String(name)) != nil else {
                throw APIError(.unprocessableContent, "kinds: unknown change kind '\(name)'; one of \(Change.Kind.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            kinds.insert(String(name))
        }
        self.kinds = kinds
    }

    func accepts(_ change: JSONValue) -> Bool {
        guard let kinds else { return true }
        return change["kind"]?.stringValue.map(kinds.contains) ?? false
    }
}

/// The changes taken from a run of change-log records, and the position after the last record
/// looked at. A pure value: the record reading is elsewhere.
///
/// Skipped records (other kinds, or filtered out) move the position too, so that a reader who
/// resumes at ``next`` never sees them again and never misses one that was not yet looked at.
struct ChangeSelection: Sendable {
    /// Each change with its offset in the change log.
    private(set) var changes: [(offset: UInt64, change: JSONValue)] = []
    /// The offset of the first record not looked at.
    private(set) var next: UInt64

    init(from offset: UInt64) {
        next = offset
    }

    /// Looks at `records` (consecutive, from ``next``) in order, taking the changes `filter`
    /// accepts, until `limit` are taken; returns whether `limit` was reached. A record after the
    /// limit is not looked at.
    ///
    /// - Throws: ``APIError`` 500 naming the offset of a change record that does not decode.
    mutating func take(_ records: [LogRecord], filter: ChangeFilter, limit: Int) throws -> Bool {
        for record in records {
            guard changes.count < limit else { return true }
            assert(record.offset >= next, "change-log records are read in order")
            next = record.offset + 1
            guard record.kind == RecordKind.change else { continue }
            let change: JSONValue
            do { change = try JSONValue(binary: record.payload) } catch {
                throw APIError(.internalServerError, "the change-log record at offset \(record.offset) does not decode: \(error)")
            }
            if filter.accepts(change) { changes.append((record.offset, change)) }
        }
        return changes.count >= limit
    }

    /// `{"changes": [{"offset": N, "change": {…}}, …], "next": M}`.
    var jsonValue: JSONValue {
        ["changes": .array(changes.map { ["offset": .integer(Int64($0.offset)), "change": $0.change] }), "next": .integer(Int64(next))]
    }
}

/// A reader of one log for one request, reading on a Dispatch thread.
final class BackgroundLogReader: @unchecked Sendable {
    // Safe by use: one request's task owns it and awaits each read before starting the next, so
    // the reader (not thread-safe) is used by one thread at a time, with the continuation's
    // happens-before edges between them.
    private let reader: LogReader

    init(_ log: DurableLog) {
        reader = log.makeReader()
    }

    deinit { reader.close() }

    /// Up to `recordsMax` records from `offset`; empty when none is visible there yet.
    func read(from offset: UInt64, recordsMax: Int) async throws -> [LogRecord] {
        try await offPool { try self.reader.read(from: offset, maxRecords: recordsMax) }
    }
}
