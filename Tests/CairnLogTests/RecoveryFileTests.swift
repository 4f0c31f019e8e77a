import Glibc
import Testing
@testable import CairnLog

/// Damages real log files and checks each recovery rule (docs/recovery.md).
@Suite("Recovery from damaged files")
struct RecoveryFileTests {
    /// A closed log in one segment with many small batches; returns the directory and the records.
    static func makeLog(_ dir: TemporaryDirectory, records: Int = 40, configuration: LogConfiguration = smallConfiguration()) async throws -> [LogRecord] {
        var configuration = configuration
        configuration.segmentBytesMax = 1 << 30
        let log = try openLog(dir.log, configuration)
        try await appendSequentially(log, 0..<records)
        let all = try readAll(log)
        try await log.close()
        return all
    }

    static let segment0 = "/00000000000000000000.log"

    @Test("truncating the active segment at every byte of its last 3 batches recovers exactly the valid prefix")
    func truncateEveryByte() async throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let records = try await Self.makeLog(dir)
        let layout = try batchLayout(dir.log + Self.segment0)
        #expect(layout.count >= 10)
        let original = readFile(dir.log + Self.segment0)
        let work = dir.path + "/work"
        let cutStart = layout[layout.count - 3].position
        for cut in cutStart..<original.count {
            copyDirectory(dir.log, work)
            removeFile(work + "/" + SegmentFileName.cleanShutdownMarker)  // a crash leaves no marker
            writeFile(work + Self.segment0, Array(original[0..<cut]))
            let complete = layout.filter { $0.end <= cut }
            let expectedEnd = complete.last?.offsets.upperBound ?? 0
            let log = try openLog(work)
            #expect(log.endOffset == expectedEnd, "cut at byte \(cut)")
            if cut != complete.last?.end {
                #expect(log.recoveryActions.contains { $0.contains("truncated") && $0.contains("offsets from \(expectedEnd)") }, "cut at \(cut): \(log.recoveryActions)")
            }
            #expect(fileSize(work + Self.segment0) == (complete.last?.end ?? SegmentHeader.size), "cut at byte \(cut)")
            // Every 5th cut: check every payload, append and reopen.
            if cut % 5 == 0 {
                #expect(try readAll(log) == Array(records.prefix(Int(expectedEnd))))
                #expect(try await log.append(AppendRecord(payload: [7])) == expectedEnd)
            }
            try await log.close()
            if cut % 5 == 0 {
                #expect(try LogVerifier.verify(directory: work).isIntact)
            }
        }
    }

    @Test("garbage or zeros after the last batch are cut off", arguments: [1, 20, 87, 88, 89, 500, 70_000])
    func trailingGarbage(length: Int) async throws {
        for zeros in [false, true] {
            let dir = TemporaryDirectory()
            defer { dir.remove() }
            let records = try await Self.makeLog(dir)
            let path = dir.log + Self.segment0
            let size = fileSize(path)
            var rng = SplitMix64(seed: UInt64(length))
            let tail = zeros ? [UInt8](repeating: 0, count: length) : (0..<length).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
            writeFile(path, readFile(path) + tail)
            removeFile(dir.log + "/" + SegmentFileName.cleanShutdownMarker)
            let log = try openLog(dir.log)
            #expect(log.endOffset == UInt64(records.count))
            #expect(fileSize(path) == size)
            #expect(try readAll(log) == records)
            #expect(try await log.append(AppendRecord(payload: [1])) == UInt64(records.count))
            try await log.close()
        }
    }

    @Test("after a clean shutdown a damaged tail is refused, never truncated")
    func cleanShutdownNeverTruncates() async throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        _ = try await Self.makeLog(dir)
        let path = dir.log + Self.segment0
        let size = fileSize(path)
        flipBit(path, byte: size - 2)  // inside the last batch, which a clean close synced
        do {
            _ = try openLog(dir.log)
            Issue.record("opened a cleanly closed log whose last batch is damaged")
        } catch let error as LogError {
            #expect(error.code == .corrupted)
            #expect(error.message.contains("closed cleanly"))
        }
        #expect(fileSize(path) == size)
    }

    @Test("a damaged length field with valid batches after it is refused, not taken for a torn write")
    func damagedLengthBeforeValidData() async throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        _ = try await Self.makeLog(dir)
        let path = dir.log + Self.segment0
        let layout = try batchLayout(path)
        let victim = layout[layout.count - 3]
        flipBit(path, byte: victim.position + 22, bit: 4)  // storedLength grows past the end of the file
        removeFile(dir.log + "/" + SegmentFileName.cleanShutdownMarker)
        let size = fileSize(path)
        #expect(throws: LogError.self) { try openLog(dir.log) }
        #expect(fileSize(path) == size)
    }

    @Test("a bad CRC with valid batches after it is committed data: refuse to open, truncate nothing")
    func corruptionBeforeValidData() async throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        _ = try await Self.makeLog(dir)
        let path = dir.log + Self.segment0
        let layout = try batchLayout(path)
        let victim = layout[layout.count - 3]
        flipBit(path, byte: (victim.position + victim.end) / 2, bit: 3)
        removeFile(dir.log + "/" + SegmentFileName.cleanShutdownMarker)
        let size = fileSize(path)
        do {
            _ = try openLog(dir.log)
            Issue.record("opened a log with damaged committed data")
        } catch let error as LogError {
            #expect(error.code == .corrupted)
            #expect(error.message.contains("00000000000000000000.log"))
            #expect(error.message.contains("byte \(victim.position)"))
            #expect(error.message.contains("offsets from \(victim.offsets.lowerBound)"))
        }
        #expect(fileSize(path) == size)
        let report = try LogVerifier.verify(directory: dir.log)
        #expect(!report.isIntact)
        #expect(report.problems.contains { $0.position == UInt64(victim.position) && $0.message.contains("CRC") })
    }

    @Test("a flipped bit anywhere in a sealed segment is found by verify and refused by readers, and nothing is truncated")
    func bitFlipEverywhereInSealedSegment() async throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        var configuration = smallConfiguration()
        configuration.segmentBytesMax = 2048
        let log = try openLog(dir.log, configuration)
        try await appendSequentially(log, 0..<60)
        try await log.close()
        let sealed = dir.log + Self.segment0
        let original = readFile(sealed)
        #expect(segmentNames(dir.log).count >= 3)
        #expect(try LogVerifier.verify(directory: dir.log).isIntact)
        for byte in 0..<original.count {
            flipBit(sealed, byte: byte, bit: byte % 8)
            let report = try LogVerifier.verify(directory: dir.log)
            #expect(!report.isIntact, "flip at byte \(byte) went unnoticed")
            writeFile(sealed, original)
        }
        // One flip in the middle of a batch's payload: the log opens (sealed segments are not read
        // at open), readers refuse that batch, other batches read fine, sizes are unchanged.
        let layout = try batchLayout(sealed)
        let victim = layout[layout.count / 2]
        flipBit(sealed, byte: victim.end - 3)
        let reopened = try openLog(dir.log, configuration)
        let reader = reopened.makeReader()
        do {
            _ = try reader.read(from: victim.offsets.lowerBound)
            Issue.record("a damaged batch was returned")
        } catch let error as LogError {
            #expect(error.code == .corrupted)
            #expect(error.message.contains("byte \(victim.position)"))
        }
        #expect(try reader.record(at: victim.offsets.upperBound)?.payload == payload(Int(victim.offsets.upperBound)))
        try await reopened.close()
        #expect(readFile(sealed).count == original.count)
    }

    @Test("an edit that keeps every CRC valid breaks the hash chain: verify reports it, open refuses it in the active segment")
    func editWithValidCRC() async throws {
        var configuration = smallConfiguration()
        configuration.compressionLevel = nil  // payloads stored as is, so the edit is a plain byte change
        for rechainVictim in [false, true] {
            let dir = TemporaryDirectory()
            defer { dir.remove() }
            _ = try await Self.makeLog(dir, configuration: configuration)
            let path = dir.log + Self.segment0
            let layout = try batchLayout(path)
            let victim = layout[layout.count / 2]
            var bytes = readFile(path)
            let payloadStart = victim.position + BatchHeader.size
            bytes[payloadStart + RecordCodec.overhead] ^= 0x20  // change a payload byte
            // Recompute the CRC (and, if asked, the victim's own link) as a forger would.
            let previous = layout[layout.count / 2 - 1]
            bytes.withUnsafeMutableBytes { raw in
                let header = UnsafeMutableRawBufferPointer(rebasing: raw[victim.position..<payloadStart])
                let body = UnsafeRawBufferPointer(rebasing: raw[payloadStart..<victim.end])
                if rechainVictim {
                    let previousLink = ChainLink(bytes: Array(raw[(previous.position + 48)..<(previous.position + 80)]))
                    let link = previousLink.next(header: UnsafeRawBufferPointer(rebasing: header[0..<BatchHeader.linkedPrefix]), payload: body)
                    link.bytes.withUnsafeBytes { header.baseAddress!.advanced(by: 48).copyMemory(from: $0.baseAddress!, byteCount: 32) }
                }
                header.storeLE(BatchHeader.computeCRC(header: UnsafeRawBufferPointer(header), payload: body), at: 84)
            }
            // A forger who re-links the victim breaks the link of the batch after it instead.
            let broken = rechainVictim ? layout[layout.count / 2 + 1] : victim
            writeFile(path, bytes)
            let report = try LogVerifier.verify(directory: dir.log)
            #expect(report.problems.contains { $0.position == UInt64(broken.position) && $0.message.contains("hash chain") }, "\(report.problems)")
            removeFile(dir.log + "/" + SegmentFileName.cleanShutdownMarker)
            do {
                _ = try openLog(dir.log, configuration)
                Issue.record("opened a log with a forged batch")
            } catch let error as LogError {
                #expect(error.code == .corrupted)
                #expect(error.message.contains("hash chain"))
            }
        }
    }
}
