import Logging

/// What `LogOpener` found and did; the writer continues from here.
struct OpenedLog {
    var segments: [SegmentEntry]
    /// The active (last) segment's file, open for appending.
    var activeFile: any StorageFile
    var activeLength: UInt64
    var nextOffset: UInt64
    var lastLink: ChainLink
    var lastTimestamp: Int64?
    /// First timestamp in the active segment, for the age-based roll.
    var activeFirstTimestamp: Int64?
    /// One line per recovery action taken (truncations, rebuilt indexes, removed leftovers).
    var actions: [String]
    var wasClean: Bool
}

/// Opens a log directory: applies the recovery rules (docs/recovery.md) and returns the state the
/// writer continues from. Runs before the writer thread exists; all I/O is synchronous.
struct LogOpener {
    let directory: String
    let storage: any Storage
    let configuration: LogConfiguration
    let logger: Logger

    func path(_ name: String) -> String { directory + "/" + name }

    func open() throws -> OpenedLog {
        var actions: [String] = []
        var names = try storage.listDirectory(directory)

        // Leftover temporary files: written before an atomic rename that never happened, so
        // nothing in them was ever acknowledged.
        let leftovers = names.filter { $0.hasSuffix(SegmentFileName.temporarySuffix) }.sorted()
        for name in leftovers {
            try storage.removeFile(path(name))
            actions.append("removed leftover temporary file \(name)")
        }
        if !leftovers.isEmpty { try storage.syncDirectory(directory) }
        names.removeAll { $0.hasSuffix(SegmentFileName.temporarySuffix) }

        let wasClean = names.contains(SegmentFileName.cleanShutdownMarker)
        var bases = names.compactMap(SegmentFileName.baseOffset(ofSegment:)).sorted()
        if bases.isEmpty {
            try createSegment(baseOffset: 0, previousLink: .genesis)
            actions.append("created the first segment")
            bases = [0]
        }

        // The last segment may be one whose header never became valid (a roll cut short on a file
        // system that does not honour rename ordering); such a file holds no batch and is removed.
        var lastHeader: SegmentHeader?
        while lastHeader == nil {
            let base = bases[bases.count - 1]
            let file = try storage.openFile(path(SegmentFileName.segment(base)), create: false)
            defer { file.close() }
            let bytes = try file.read(at: 0, count: SegmentHeader.size)
            switch SegmentHeader.decode(bytes) {
            case .success(let header):
                guard header.baseOffset == base else {
                    throw LogError(.corrupted, "segment \(SegmentFileName.segment(base)) says its base offset is \(header.baseOffset)", path: file.path)
                }
                lastHeader = header
            case .failure(let reason):
                let size = try file.size()
                let scanner = SegmentScanner(file: file, length: size, header: SegmentHeader(baseOffset: base, previousLink: .genesis), indexIntervalBytes: 1)
                if let valid = try scanner.findValidBatch(after: 0) {
                    throw LogError(.corrupted, "segment \(SegmentFileName.segment(base)): \(reason), but it holds a valid batch at byte \(valid); refusing to open", path: file.path)
                }
                try removeSegmentFiles(base)
                actions.append("removed segment \(SegmentFileName.segment(base)) with an invalid header and no batch (\(reason))")
                bases.removeLast()
                if bases.isEmpty {
                    // The first segment is at 0, with the genesis link; recreate it empty.
                    try createSegment(baseOffset: base, previousLink: .genesis)
                    bases = [base]
                }
            }
        }

        var segments: [SegmentEntry] = []
        var expectedLink = ChainLink.genesis
        var expectedBase: UInt64? = nil
        for (i, base) in bases.dropLast().enumerated() {
            let sealed = try openSealed(base: base, nextBase: bases[i + 1], actions: &actions)
            if let expectedBase, expectedBase != base {
                throw LogError(.corrupted, "segment \(SegmentFileName.segment(base)) starts at offset \(base) but the previous one ends at \(expectedBase)", path: path(SegmentFileName.segment(base)))
            }
            if sealed.header.previousLink != expectedLink && i > 0 {
                throw LogError(.corrupted, "segment \(SegmentFileName.segment(base)) does not chain from the previous segment's last batch", path: path(SegmentFileName.segment(base)))
            }
            segments.append(sealed.entry)
            expectedLink = sealed.lastLink
            expectedBase = bases[i + 1]
        }

        let lastBase = bases[bases.count - 1]
        let header = lastHeader!
        if !segments.isEmpty && header.previousLink != expectedLink {
            throw LogError(.corrupted, "segment \(SegmentFileName.segment(lastBase)) does not chain from the previous segment's last batch", path: path(SegmentFileName.segment(lastBase)))
        }
        let file = try storage.openFile(path(SegmentFileName.segment(lastBase)), create: false)
        do {
            var opened = try openActive(file: file, header: header, clean: wasClean, actions: &actions)
            opened.segments = segments + opened.segments
            if wasClean {
                try storage.removeFile(path(SegmentFileName.cleanShutdownMarker))
                try storage.syncDirectory(directory)
            }
            opened.wasClean = wasClean
            for action in actions { logger.notice("log recovery", metadata: ["action": "\(action)", "directory": "\(directory)"]) }
            opened.actions = actions
            return opened
        } catch {
            file.close()
            throw error
        }
    }

    // MARK: Sealed segments

    private struct Sealed {
        var entry: SegmentEntry
        var header: SegmentHeader
        var lastLink: ChainLink
    }

    /// Opens a sealed segment without reading its batches: checks its header and indexes, then
    /// walks the batch headers after the last index entry to confirm the segment ends where the
    /// next begins. Rebuilds the indexes (with a full CRC scan) when they are missing or disagree.
    private func openSealed(base: UInt64, nextBase: UInt64, actions: inout [String]) throws -> Sealed {
        let name = SegmentFileName.segment(base)
        let file = try storage.openFile(path(name), create: false)
        defer { file.close() }
        let header: SegmentHeader
        switch SegmentHeader.decode(try file.read(at: 0, count: SegmentHeader.size)) {
        case .failure(let reason): throw LogError(.corrupted, "sealed segment \(name): \(reason)", path: file.path)
        case .success(let decoded): header = decoded
        }
        guard header.baseOffset == base else {
            throw LogError(.corrupted, "segment \(name) says its base offset is \(header.baseOffset)", path: file.path)
        }
        let size = try file.size()
        let scanner = SegmentScanner(file: file, length: size, header: header, indexIntervalBytes: configuration.indexIntervalBytes)

        var reason: String
        switch loadIndex(base: base, segmentLength: size) {
        case .success(let index):
            // Confirm the tail: headers from the last indexed batch to the end of the file.
            let last = index.entries.last
            let start = last.map { ScanStart(position: $0.position, offset: $0.offset, link: nil, timestamp: $0.timestamp) }
            var lastLink = header.previousLink
            let tail = try scanner.scan(checkCRC: false, from: start) { batch, _, _ in lastLink = batch.link }
            if tail.stop == .endOfData && tail.nextOffset == nextBase {
                let entry = SegmentEntry(baseOffset: base, path: file.path, length: size, endOffset: nextBase, index: index)
                return Sealed(entry: entry, header: header, lastLink: lastLink)
            }
            reason = "indexes disagree with the segment (\(tail.stop), ends at offset \(tail.nextOffset), next segment starts at \(nextBase))"
        case .failure(let why):
            reason = why.description
        }

        let scan = try scanner.scan()
        guard scan.stop == .endOfData else {
            throw LogError(.corrupted, "sealed segment \(name): \(scan.stop), offsets \(scan.nextOffset)..<\(nextBase) affected; refusing to open (run `cairn log verify`)", path: file.path)
        }
        guard scan.nextOffset == nextBase else {
            throw LogError(.corrupted, "sealed segment \(name) ends at offset \(scan.nextOffset) but the next segment starts at \(nextBase)", path: file.path)
        }
        try writeIndex(scan.index, segmentLength: size)
        actions.append("rebuilt the indexes of \(name): \(reason)")
        let entry = SegmentEntry(baseOffset: base, path: file.path, length: size, endOffset: nextBase, index: scan.index)
        return Sealed(entry: entry, header: header, lastLink: scan.lastLink)
    }

    // MARK: The active segment

    private func openActive(file: any StorageFile, header: SegmentHeader, clean: Bool, actions: inout [String]) throws -> OpenedLog {
        let base = header.baseOffset
        let name = SegmentFileName.segment(base)
        let size = try file.size()
        let scanner = SegmentScanner(file: file, length: size, header: header, indexIntervalBytes: configuration.indexIntervalBytes)

        if clean, case .success(let index) = loadIndex(base: base, segmentLength: size) {
            // Clean shutdown: trust the indexes as far as the last indexed batch, and check every
            // batch after it (CRC included) before appending behind them.
            let last = index.entries.last
            let start = last.map { ScanStart(position: $0.position, offset: $0.offset, link: nil, timestamp: $0.timestamp) }
            let tail = try scanner.scan(from: start)
            if tail.stop == .endOfData {
                let entry = SegmentEntry(baseOffset: base, path: file.path, length: size, endOffset: tail.nextOffset, index: index)
                return OpenedLog(segments: [entry], activeFile: file, activeLength: size, nextOffset: tail.nextOffset,
                                 lastLink: tail.lastLink, lastTimestamp: tail.lastTimestamp ?? last?.timestamp,
                                 activeFirstTimestamp: index.entries.first?.timestamp, actions: [], wasClean: true)
            }
            actions.append("clean-shutdown marker present but the tail of \(name) failed a check (\(tail.stop)); scanning it in full")
        }

        var scan = try scanner.scan()
        let later = try scan.stop.position.map { try scanner.findValidBatch(after: $0) } ?? nil
        switch RecoveryDecision.decide(stop: scan.stop, validEnd: scan.validEnd, validBatchAfter: later) {
        case .open:
            break
        case .truncate(_, let reason) where clean:
            // Everything was synced before the marker was written: nothing can be torn.
            throw LogError(.corrupted, "segment \(name) (offsets from \(scan.nextOffset)): \(reason), although the log was closed cleanly; refusing to open (run `cairn log verify`)", path: file.path)
        case .truncate(let length, let reason):
            try file.truncate(to: length)
            try file.sync()
            actions.append("truncated \(name) from \(size) to \(length) bytes (\(size - length) bytes cut, offsets from \(scan.nextOffset) not acknowledged): \(reason)")
            scan.stop = .endOfData
        case .refuse(let reason):
            throw LogError(.corrupted, "segment \(name) (offsets from \(scan.nextOffset)): \(reason); refusing to open (run `cairn log verify`)", path: file.path)
        }
        let length = scan.validEnd
        let entry = SegmentEntry(baseOffset: base, path: file.path, length: length, endOffset: scan.nextOffset, index: scan.index)
        return OpenedLog(segments: [entry], activeFile: file, activeLength: length, nextOffset: scan.nextOffset,
                         lastLink: scan.lastLink, lastTimestamp: scan.lastTimestamp,
                         activeFirstTimestamp: scan.firstTimestamp, actions: [], wasClean: false)
    }

    // MARK: Files

    private func loadIndex(base: UInt64, segmentLength: UInt64) -> Result<SegmentIndex, FormatProblem> {
        let offsetPath = path(SegmentFileName.offsetIndex(base))
        let timePath = path(SegmentFileName.timeIndex(base))
        guard storage.exists(offsetPath), storage.exists(timePath) else { return .failure("index files missing") }
        do {
            let offsets = try readWhole(offsetPath)
            let times = try readWhole(timePath)
            return SegmentIndex.decode(offsetIndex: offsets, timeIndex: times, baseOffset: base, segmentLength: segmentLength)
        } catch {
            return .failure("index unreadable: \(error)")
        }
    }

    private func readWhole(_ path: String) throws -> [UInt8] {
        let file = try storage.openFile(path, create: false)
        defer { file.close() }
        let size = try file.size()
        guard size <= 1 << 30 else { throw LogError(.corrupted, "index file \(path) is implausibly large", path: path) }
        return try file.read(at: 0, count: Int(size))
    }

    /// Writes a segment's two index files, each through a temporary file, fsync, rename and a
    /// directory fsync.
    func writeIndex(_ index: SegmentIndex, segmentLength: UInt64) throws {
        let files = index.encoded(segmentLength: segmentLength)
        try writeAtomically(SegmentFileName.offsetIndex(index.baseOffset), files.offsetIndex, syncDirectory: false)
        try writeAtomically(SegmentFileName.timeIndex(index.baseOffset), files.timeIndex, syncDirectory: true)
    }

    /// Writes `bytes` to `name` in the log directory atomically (see `Storage.replaceFile`).
    func writeAtomically(_ name: String, _ bytes: [UInt8], syncDirectory: Bool) throws {
        try storage.replaceFile(directory: directory, name: name, with: bytes, syncDirectory: syncDirectory)
    }

    /// Creates an empty segment (header only) atomically.
    func createSegment(baseOffset: UInt64, previousLink: ChainLink) throws {
        try writeAtomically(SegmentFileName.segment(baseOffset), SegmentHeader(baseOffset: baseOffset, previousLink: previousLink).encoded(), syncDirectory: true)
    }

    private func removeSegmentFiles(_ base: UInt64) throws {
        for name in [SegmentFileName.segment(base), SegmentFileName.offsetIndex(base), SegmentFileName.timeIndex(base)] where storage.exists(path(name)) {
            try storage.removeFile(path(name))
        }
        try storage.syncDirectory(directory)
    }
}
