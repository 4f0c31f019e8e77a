import Synchronization

/// One segment as the log tracks it in memory.
struct SegmentEntry: Sendable {
    let baseOffset: UInt64
    let path: String
    /// Bytes of the file that readers may read: the whole file for a sealed segment, the visible
    /// (acknowledged, per the fsync policy) prefix for the active one.
    var length: UInt64
    /// Offset after the last record readers may see in this segment.
    var endOffset: UInt64
    var index: SegmentIndex
}

/// Where a read should start: the file, the byte position of a batch at or before the wanted
/// record, and the limits of what may be read.
struct ReadPlan: Sendable {
    let path: String
    let segmentBaseOffset: UInt64
    let position: UInt64
    let length: UInt64
    let endOffset: UInt64
}

/// The segments of an open log, shared between the writer (which appends and rolls) and readers
/// (which look up where to read). All access is under one mutex and short: lookups are binary
/// searches, never I/O.
final class SegmentTable: Sendable {
    private struct State {
        var segments: [SegmentEntry]
        var closed = false
    }
    private let state: Mutex<State>

    init(_ segments: [SegmentEntry]) {
        precondition(!segments.isEmpty, "a log has at least one segment")
        state = Mutex(State(segments: segments))
    }

    /// Offset after the last visible record.
    var visibleEnd: UInt64 { state.withLock { $0.segments[$0.segments.count - 1].endOffset } }

    var segmentCount: Int { state.withLock { $0.segments.count } }

    var isClosed: Bool { state.withLock { $0.closed } }

    func markClosed() { state.withLock { $0.closed = true } }

    /// A copy of every segment's entry (for stats and verify).
    func snapshot() -> [SegmentEntry] { state.withLock { $0.segments } }

    /// Plans a read of the record at `offset`; nil when it is not visible yet.
    func plan(offset: UInt64) throws -> ReadPlan? {
        try state.withLock { state in
            if state.closed { throw LogError(.closed, "the log is closed") }
            let segments = state.segments
            guard offset < segments[segments.count - 1].endOffset else { return nil }
            guard offset >= segments[0].baseOffset else {
                throw LogError(.invalidArgument, "offset \(offset) is before the first retained offset \(segments[0].baseOffset)")
            }
            var low = 0, high = segments.count
            while low < high {
                let mid = (low + high) / 2
                if segments[mid].baseOffset <= offset { low = mid + 1 } else { high = mid }
            }
            let segment = segments[low - 1]
            let position = segment.index.floor(offset: offset)?.position ?? UInt64(SegmentHeader.size)
            return ReadPlan(path: segment.path, segmentBaseOffset: segment.baseOffset, position: position,
                            length: segment.length, endOffset: segment.endOffset)
        }
    }

    /// The first offset whose timestamp may be >= `timestamp`: a lower bound to start scanning from.
    func offsetLowerBound(timestamp: Int64) -> UInt64 {
        state.withLock { state in
            for segment in state.segments.reversed() {
                if let entry = segment.index.floor(before: timestamp) { return entry.offset }
            }
            return state.segments[0].baseOffset
        }
    }

    // MARK: Writer side

    /// Publishes batches written to the active segment: `length` bytes and records up to `endOffset`
    /// become visible; `notes` are the batches to index.
    func publish(length: UInt64, endOffset: UInt64, notes: [(BatchHeader, UInt64)]) {
        state.withLock { state in
            let last = state.segments.count - 1
            for (header, position) in notes { state.segments[last].index.note(header, at: position) }
            state.segments[last].length = length
            state.segments[last].endOffset = endOffset
        }
    }

    /// Adds a new, empty active segment.
    func append(_ segment: SegmentEntry) {
        state.withLock { $0.segments.append(segment) }
    }

    /// The active segment's entry.
    var active: SegmentEntry { state.withLock { $0.segments[$0.segments.count - 1] } }
}
