import Dispatch
import Logging

/// The log's single writer. It alone appends to, truncates, syncs and rolls segment files; it runs
/// on its own OS thread (`DurableLog` starts it) so that compression, `pwrite` and `fdatasync`
/// never block the cooperative pool.
///
/// Group commit: each turn takes every queued append up to `groupBytesMax`, packs the records into
/// batches of at most `batchBytesMax` and writes them with one `pwrite`. Under `.always` the group
/// then goes to the `SyncStage`, which calls `fdatasync` once for every group written since its
/// last sync and only then acknowledges them, while this thread compresses and writes the next
/// group. Under `.interval` and `.none` this thread acknowledges after the write and syncs itself.
///
/// On a write or sync error the group's appends fail (none is acknowledged) and the writer
/// re-establishes the on-disk state from its last durable checkpoint: it truncates the active
/// segment to the visible length and syncs. It never retries a failed fsync and carries on. If that
/// repair fails too, every later group first retries the repair and fails until it succeeds (for
/// example once disk space returns).
final class LogWriter {
    /// The log's state at a batch boundary.
    struct Position: Equatable {
        var length: UInt64
        var nextOffset: UInt64
        var link: ChainLink
        var lastTimestamp: Int64?
    }

    private let configuration: LogConfiguration
    private let opener: LogOpener
    private let storage: any Storage
    private let clock: any LogClock
    private let logger: Logger
    private let queue: AppendQueue
    private let table: SegmentTable
    private let onPublish: @Sendable (UInt64) -> Void
    private let encoder: BatchEncoder

    private var activeFile: any StorageFile
    private var activeBase: UInt64
    private var activeFirstTimestamp: Int64?
    /// What has been written to the active segment.
    private var written: Position
    /// What readers may see (per the fsync policy); a failed write or sync returns to it. Kept by
    /// the sync stage, which advances it under `.always`; read it here only with the stage drained.
    private var visible: Position {
        get { syncStage.visible }
        set { syncStage.visible = newValue }
    }
    private let syncStage: SyncStage
    /// Batches written but not yet visible, to be indexed once they are.
    private var unpublished: [(BatchHeader, UInt64)] = []
    private var lastSyncNanos: UInt64
    /// The error that left the disk in an unknown state, until a repair succeeds.
    private var failure: LogError?

    init(opened: OpenedLog, configuration: LogConfiguration, opener: LogOpener, clock: any LogClock,
         logger: Logger, queue: AppendQueue, table: SegmentTable, onPublish: @escaping @Sendable (UInt64) -> Void) {
        self.configuration = configuration
        self.opener = opener
        self.storage = opener.storage
        self.clock = clock
        self.logger = logger
        self.queue = queue
        self.table = table
        self.onPublish = onPublish
        self.encoder = BatchEncoder(compressionLevel: configuration.compressionLevel)
        self.activeFile = opened.activeFile
        self.activeBase = opened.segments[opened.segments.count - 1].baseOffset
        self.activeFirstTimestamp = opened.activeFirstTimestamp
        let position = Position(length: opened.activeLength, nextOffset: opened.nextOffset, link: opened.lastLink, lastTimestamp: opened.lastTimestamp)
        self.written = position
        self.syncStage = SyncStage(visible: position, table: table, onPublish: onPublish)
        self.lastSyncNanos = Monotonic.nanos()
        if configuration.fsync == .always { syncStage.start() }
    }

    // MARK: The loop

    /// Runs until the queue is closed and drained; then syncs, writes the active segment's indexes
    /// and the clean-shutdown marker. Returns the error that prevented a clean close, if any.
    func run() -> LogError? {
        while true {
            var group = queue.take(bytesMax: configuration.groupBytesMax)
            if group.isEmpty {
                if queue.isClosed && queue.isEmpty { break }
                do {
                    try syncIfDue()
                } catch {
                    failure = error as? LogError ?? LogError(.io, "\(error)")
                    try? repair()
                }
                _ = queue.wake.wait(timeout: idleTimeout())
                continue
            }
            if configuration.lingerMicros > 0 {
                // Gather more appends until the group is full or the linger time is over.
                let deadline = DispatchTime.now() + .microseconds(configuration.lingerMicros)
                var bytes = group.reduce(0) { $0 + $1.bytes }
                while bytes < configuration.groupBytesMax && queue.wake.wait(timeout: deadline) == .success {
                    let more = queue.take(bytesMax: configuration.groupBytesMax - bytes)
                    bytes += more.reduce(0) { $0 + $1.bytes }
                    group += more
                }
            }
            commit(group)
        }
        return shutDown()
    }

    private func idleTimeout() -> DispatchTime {
        if case .interval(let ms) = configuration.fsync, written != visible {
            let due = lastSyncNanos + UInt64(ms) * 1_000_000
            let now = Monotonic.nanos()
            return .now() + .nanoseconds(Int(due > now ? due - now : 0))
        }
        return .distantFuture
    }

    /// Writes one group and acknowledges it, or fails all of it.
    private func commit(_ group: [AppendQueue.Pending]) {
        do {
            if let syncFailure = syncStage.failure {
                syncStage.drain()
                failure = syncFailure
                logger.error("log sync failed; unacknowledged groups failed", metadata: ["error": "\(syncFailure)"])
            }
            if let failure {
                do { try repair() } catch {
                    throw LogError(.failed, "the log could not recover from an earlier disk error (\(failure.message)); repair failed: \(error)")
                }
            }
            let now = max(clock.nowMicros(), written.lastTimestamp ?? Int64.min)
            try rollIfNeeded(now: now)
            let firstOffsets = try write(group, timestamp: now)
            switch configuration.fsync {
            case .always:
                syncStage.handOff(SyncStage.Group(pending: group, firstOffsets: firstOffsets, position: written, notes: unpublished, file: activeFile))
                unpublished.removeAll(keepingCapacity: true)
                return
            case .interval:
                try syncIfDue()
            case .none:
                publish()
            }
            for (pending, offset) in zip(group, firstOffsets) { pending.complete(.success(offset)) }
        } catch {
            let logError = error as? LogError ?? LogError(.io, "\(error)")
            logger.error("log append failed", metadata: ["error": "\(logError)", "records": "\(group.reduce(0) { $0 + $1.records.count })"])
            for pending in group { pending.complete(.failure(logError)) }
            if logError.code != .failed {
                syncStage.drain()
                failure = logError
                try? repair()
            }
        }
    }

    /// Encodes the group into batches and writes them behind the active segment's end. Returns the
    /// first offset of each pending append.
    private func write(_ group: [AppendQueue.Pending], timestamp: Int64) throws -> [UInt64] {
        var firstOffsets: [UInt64] = []
        firstOffsets.reserveCapacity(group.count)
        var batchStart = written.nextOffset
        var offset = batchStart
        // Cut the group into batches of at most batchBytesMax (encoded) bytes; a batch may take
        // records from several appends.
        var parts: [ArraySlice<AppendRecord>] = []
        var batchBytes = 0
        for pending in group {
            firstOffsets.append(offset)
            let records = pending.records
            var partStart = records.startIndex
            for index in records.indices {
                let size = records[index].encodedLength
                if offset > batchStart && batchBytes + size > configuration.batchBytesMax {
                    if partStart < index { parts.append(records[partStart..<index]) }
                    encoder.cut(parts, baseOffset: batchStart)
                    parts.removeAll(keepingCapacity: true)
                    batchStart = offset
                    batchBytes = 0
                    partStart = index
                }
                batchBytes += size
                offset += 1
            }
            if partStart < records.endIndex { parts.append(records[partStart...]) }
        }
        encoder.cut(parts, baseOffset: batchStart)
        let batches = try encoder.finish(timestamp: timestamp, previous: written.link)
        let frames = encoder.frames
        try activeFile.write(at: written.length, frames.bytes(0..<frames.count))
        for (header, position) in batches { unpublished.append((header, written.length + UInt64(position))) }
        written = Position(length: written.length + UInt64(frames.count), nextOffset: offset,
                           link: batches[batches.count - 1].header.link, lastTimestamp: timestamp)
        if activeFirstTimestamp == nil { activeFirstTimestamp = timestamp }
        return firstOffsets
    }

    /// Makes what is written visible to readers and wakes tailers.
    private func publish() {
        guard written != visible || !unpublished.isEmpty else { return }
        visible = written
        table.publish(length: visible.length, endOffset: visible.nextOffset, notes: unpublished)
        unpublished.removeAll(keepingCapacity: true)
        onPublish(visible.nextOffset)
    }

    /// Under `.interval`, syncs when the interval has passed since the last sync. Throws when the
    /// sync fails; the caller fails what it has not acknowledged and repairs.
    private func syncIfDue() throws {
        guard case .interval(let ms) = configuration.fsync, written != visible, failure == nil else { return }
        guard Monotonic.nanos() >= lastSyncNanos + UInt64(ms) * 1_000_000 else { return }
        do {
            try activeFile.sync()
        } catch {
            logger.error("log sync failed; records acknowledged since the last sync are lost", metadata: ["error": "\(error)"])
            throw error
        }
        lastSyncNanos = Monotonic.nanos()
        publish()
    }

    // MARK: Rolling

    private func rollIfNeeded(now: Int64) throws {
        guard written.length > UInt64(SegmentHeader.size) else { return }
        var reason: String?
        if written.length >= configuration.segmentBytesMax {
            reason = "size \(written.length) >= \(configuration.segmentBytesMax)"
        } else if let age = configuration.segmentAgeMaxMs, let first = activeFirstTimestamp, now - first >= age * 1000 {
            reason = "age \((now - first) / 1000) ms >= \(age) ms"
        }
        guard let reason else { return }
        try roll(reason: reason)
    }

    /// Seals the active segment and starts the next: sync it, write its indexes, create the new
    /// segment through a temporary file and a rename, fsync the directory, switch.
    private func roll(reason: String) throws {
        syncStage.drain()
        if let syncFailure = syncStage.failure { throw syncFailure }
        if written != visible || configuration.fsync == .none {
            try activeFile.sync()
            lastSyncNanos = Monotonic.nanos()
            publish()
        }
        try opener.writeIndex(table.active.index, segmentLength: visible.length)
        let base = visible.nextOffset
        try opener.createSegment(baseOffset: base, previousLink: visible.link)
        let path = opener.path(SegmentFileName.segment(base))
        let file = try storage.openFile(path, create: false)
        activeFile.close()
        activeFile = file
        activeBase = base
        activeFirstTimestamp = nil
        table.append(SegmentEntry(baseOffset: base, path: path, length: UInt64(SegmentHeader.size), endOffset: base,
                                  index: SegmentIndex(baseOffset: base, intervalBytes: configuration.indexIntervalBytes)))
        written = Position(length: UInt64(SegmentHeader.size), nextOffset: base, link: visible.link, lastTimestamp: visible.lastTimestamp)
        visible = written
        logger.info("log segment rolled", metadata: ["segment": "\(SegmentFileName.segment(base))", "reason": "\(reason)"])
    }

    // MARK: Repair and shutdown

    /// Returns the disk to the last visible state: removes a segment left by a half-done roll,
    /// truncates the active segment to the visible length and syncs. Clears `failure` on success.
    private func repair() throws {
        let stray = try storage.listDirectory(opener.directory).compactMap(SegmentFileName.baseOffset(ofSegment:)).filter { $0 > activeBase }
        for base in stray {
            try storage.removeFile(opener.path(SegmentFileName.segment(base)))
        }
        if !stray.isEmpty { try storage.syncDirectory(opener.directory) }
        // After a failed fdatasync the kernel may have marked the page holding the visible tail
        // clean without writing it; write it again so that the next sync covers it.
        let pageStart = visible.length & ~UInt64(4095)
        if pageStart < visible.length {
            let page = try activeFile.read(at: pageStart, count: Int(visible.length - pageStart))
            try activeFile.write(at: pageStart, page)
        }
        try activeFile.truncate(to: visible.length)
        try activeFile.sync()
        if written != visible {
            logger.warning("log returned to its last durable position", metadata: [
                "droppedFromOffset": "\(visible.nextOffset)", "droppedToOffset": "\(written.nextOffset)",
            ])
        }
        written = visible
        unpublished.removeAll()
        if visible.length == UInt64(SegmentHeader.size) { activeFirstTimestamp = nil }
        failure = nil
        syncStage.clearFailure()
        lastSyncNanos = Monotonic.nanos()
    }

    private func shutDown() -> LogError? {
        if configuration.fsync == .always { syncStage.stop() }
        defer { activeFile.close() }
        do {
            if failure == nil, let syncFailure = syncStage.failure { failure = syncFailure }
            if let failure {
                do { try repair() } catch { throw LogError(.failed, "close after a disk error (\(failure.message)): \(error)") }
            }
            try activeFile.sync()
            publish()
            try opener.writeIndex(table.active.index, segmentLength: visible.length)
            try opener.writeAtomically(SegmentFileName.cleanShutdownMarker, [], syncDirectory: true)
            return nil
        } catch {
            let logError = error as? LogError ?? LogError(.io, "\(error)")
            logger.error("log did not close cleanly; the next open will scan the active segment", metadata: ["error": "\(logError)"])
            return logError
        }
    }
}
