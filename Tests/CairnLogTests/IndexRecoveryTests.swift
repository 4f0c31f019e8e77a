import Testing
@testable import CairnLog

/// Indexes are a cache: missing, damaged, ahead of or behind their segment, they are rebuilt.
@Suite("Index and directory recovery")
struct IndexRecoveryTests {
    /// A closed log with several sealed segments.
    static func makeLog(_ dir: TemporaryDirectory) async throws -> [LogRecord] {
        let log = try openLog(dir.log)
        try await appendSequentially(log, 0..<200)
        let records = try readAll(log)
        try await log.close()
        return records
    }

    static let index0 = "/00000000000000000000.index"
    static let timeIndex0 = "/00000000000000000000.timeindex"

    enum Damage: String, CaseIterable {
        case deleteOffsetIndex, deleteTimeIndex, flipByte, truncate, ahead, behind, swapped
    }

    @Test("a damaged sealed-segment index is rebuilt byte-identical and reads stay correct", arguments: Damage.allCases)
    func rebuild(damage: Damage) async throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let records = try await Self.makeLog(dir)
        #expect(segmentNames(dir.log).count > 2)
        let originalIndex = readFile(dir.log + Self.index0)
        let originalTimes = readFile(dir.log + Self.timeIndex0)
        #expect(originalIndex.count > SegmentIndex.headerSize)
        switch damage {
        case .deleteOffsetIndex: removeFile(dir.log + Self.index0)
        case .deleteTimeIndex: removeFile(dir.log + Self.timeIndex0)
        case .flipByte: flipBit(dir.log + Self.index0, byte: originalIndex.count - 5)
        case .truncate: writeFile(dir.log + Self.index0, Array(originalIndex.prefix(originalIndex.count - 16)))
        case .ahead, .behind:
            // An index that describes a longer or shorter segment than the one on disk.
            let segment = readFile(dir.log + "/00000000000000000000.log")
            let layout = try batchLayout(dir.log + "/00000000000000000000.log")
            var index = SegmentIndex(baseOffset: 0, intervalBytes: 256)
            for batch in layout.dropLast(damage == .behind ? 2 : 0) {
                let header = segment.withUnsafeBytes { try! BatchHeader.decode(UnsafeRawBufferPointer(rebasing: $0[batch.position...])).get() }
                index.note(header, at: UInt64(batch.position))
            }
            let claimed = UInt64(damage == .behind ? layout[layout.count - 3].end : segment.count + 4096)
            var files = index.encoded(segmentLength: claimed)
            if damage == .ahead {
                // Also point an entry past the end, as an index from a longer segment would.
                files = index.encoded(segmentLength: UInt64(segment.count))
                var bytes = files.offsetIndex
                let last = bytes.count - 8
                bytes.withUnsafeMutableBytes { $0.storeLE(UInt64(segment.count + 100), at: last) }
                var crc = CRC32C.checksum(Array(bytes[0..<36]))
                crc = CRC32C.checksum(Array(bytes[SegmentIndex.headerSize...]), continuing: crc)
                bytes.withUnsafeMutableBytes { $0.storeLE(crc, at: 36) }
                files.offsetIndex = bytes
            }
            writeFile(dir.log + Self.index0, files.offsetIndex)
            writeFile(dir.log + Self.timeIndex0, files.timeIndex)
        case .swapped:
            writeFile(dir.log + Self.index0, originalTimes)
            writeFile(dir.log + Self.timeIndex0, originalIndex)
        }
        #expect(!(try LogVerifier.verify(directory: dir.log).isIntact), "verify should report the damaged index")

        let log = try openLog(dir.log)
        #expect(log.recoveryActions.contains { $0.contains("rebuilt the indexes of 00000000000000000000.log") }, "\(log.recoveryActions)")
        #expect(readFile(dir.log + Self.index0) == originalIndex)
        #expect(readFile(dir.log + Self.timeIndex0) == originalTimes)
        #expect(try readAll(log) == records)
        let reader = log.makeReader()
        for record in records where record.offset % 13 == 0 {
            #expect(try reader.record(at: record.offset) == record)
        }
        try await log.close()
        #expect(try LogVerifier.verify(directory: dir.log).isIntact)
    }

    @Test("an index entry with a valid CRC that points at the wrong batch makes reads fail, never skip records")
    func misleadingIndexEntry() async throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        _ = try await Self.makeLog(dir)
        let segment = dir.log + "/00000000000000000000.log"
        let layout = try batchLayout(segment)
        let original = try SegmentIndex.decode(offsetIndex: readFile(dir.log + Self.index0), timeIndex: readFile(dir.log + Self.timeIndex0),
                                               baseOffset: 0, segmentLength: UInt64(fileSize(segment))).get()
        #expect(original.entries.count >= 3)
        // Move the second entry's position to the batch after the one it names; still ordered.
        var forged = SegmentIndex(baseOffset: 0, intervalBytes: original.intervalBytes)
        let bytes = readFile(segment)
        for (i, entry) in original.entries.enumerated() {
            var position = Int(entry.position)
            if i == 1, let next = layout.first(where: { $0.position > position }), next.position < Int(original.entries[2].position) {
                position = next.position
            }
            let header = bytes.withUnsafeBytes { try! BatchHeader.decode(UnsafeRawBufferPointer(rebasing: $0[Int(entry.position)...])).get() }
            forged.note(header, at: UInt64(position))
        }
        let files = forged.encoded(segmentLength: UInt64(bytes.count))
        writeFile(dir.log + Self.index0, files.offsetIndex)
        writeFile(dir.log + Self.timeIndex0, files.timeIndex)
        #expect(!(try LogVerifier.verify(directory: dir.log).isIntact))
        let log = try openLog(dir.log)
        do {
            _ = try log.makeReader().read(from: original.entries[1].offset)
            Issue.record("a read through a misleading index entry returned records")
        } catch let error as LogError {
            #expect(error.code == .corrupted)
        }
        try await log.close()
    }

    @Test("after a crash the active segment's stale index files are ignored and the segment is scanned")
    func staleActiveIndex() async throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        var configuration = smallConfiguration()
        configuration.segmentBytesMax = 1 << 30
        var log = try openLog(dir.log, configuration)
        try await appendSequentially(log, 0..<20)
        try await log.close()
        // Reopen, append more, and "crash" (copy the files while the log is open).
        log = try openLog(dir.log, configuration)
        try await appendSequentially(log, 20..<40)
        let crashed = dir.path + "/crashed"
        copyDirectory(dir.log, crashed)
        try await log.close()
        removeFile(crashed + "/lock")
        let reopened = try openLog(crashed, configuration)
        #expect(!reopened.openedCleanly)
        #expect(reopened.endOffset == 40)
        #expect(try readAll(reopened).map(\.payload) == (0..<40).map { payload($0) })
        try await reopened.close()
    }

    @Test("leftover temporary files from an interrupted roll are removed at open")
    func leftoverTemporaryFiles() async throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let records = try await Self.makeLog(dir)
        let next = records.count
        writeFile(dir.log + "/" + SegmentFileName.segment(UInt64(next)) + ".tmp", SegmentHeader(baseOffset: UInt64(next), previousLink: .genesis).encoded())
        writeFile(dir.log + "/00000000000000000000.index.tmp", [1, 2, 3])
        let log = try openLog(dir.log)
        #expect(log.recoveryActions.filter { $0.contains("leftover temporary file") }.count == 2)
        #expect(((try? PosixStorage().listDirectory(dir.log)) ?? []).allSatisfy { !$0.hasSuffix(".tmp") })
        #expect(try await log.append(AppendRecord(payload: [1])) == UInt64(next))
        try await log.close()
    }

    @Test("a last segment whose header never became valid, holding no batch, is removed")
    func emptyBrokenLastSegment() async throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let records = try await Self.makeLog(dir)
        let next = UInt64(records.count)
        writeFile(dir.log + "/" + SegmentFileName.segment(next), Array(SegmentHeader(baseOffset: next, previousLink: .genesis).encoded().prefix(30)))
        removeFile(dir.log + "/" + SegmentFileName.cleanShutdownMarker)
        let log = try openLog(dir.log)
        #expect(log.recoveryActions.contains { $0.contains("invalid header and no batch") })
        #expect(log.endOffset == next)
        #expect(try await log.append(AppendRecord(payload: [1])) == next)
        try await log.close()
        #expect(try LogVerifier.verify(directory: dir.log).isIntact)
    }

    @Test("a sealed segment with a damaged header is refused with its name")
    func damagedSealedHeader() async throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        _ = try await Self.makeLog(dir)
        flipBit(dir.log + "/00000000000000000000.log", byte: 10)
        do {
            _ = try openLog(dir.log)
            Issue.record("opened a log whose sealed segment header is damaged")
        } catch let error as LogError {
            #expect(error.code == .corrupted)
            #expect(error.message.contains("00000000000000000000.log"))
        }
    }
}
