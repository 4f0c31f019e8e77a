import CCRC32C
import Testing
@testable import CairnLog

private func batch(_ offset: UInt64, count: UInt32 = 1, time: Int64) -> BatchHeader {
    BatchHeader(codec: .none, baseOffset: offset, recordCount: count, storedLength: 0, uncompressedLength: 0,
                firstTimestamp: time, lastTimestamp: time, link: .genesis, crc: 0)
}

/// An index of segment 1000 with batches at positions 64, 200, 400 (interval 100).
private func sampleIndex() -> SegmentIndex {
    var index = SegmentIndex(baseOffset: 1000, intervalBytes: 100)
    index.note(batch(1000, count: 5, time: 50), at: 64)
    index.note(batch(1005, count: 2, time: 60), at: 200)
    index.note(batch(1007, count: 9, time: 60), at: 400)
    return index
}

/// Recomputes an index file's CRC after an edit, so that only the edited field is wrong.
private func resealed(_ bytes: [UInt8]) -> [UInt8] {
    var out = bytes
    let crc = CRC32C.checksum(Array(out[40...]), continuing: CRC32C.checksum(Array(out[0..<36])))
    out.withUnsafeMutableBytes { $0.storeLE(crc, at: 36) }
    return out
}

private func store<T: FixedWidthInteger>(_ value: T, at offset: Int, in bytes: inout [UInt8]) {
    bytes.withUnsafeMutableBytes { $0.storeLE(value, at: offset) }
}

private func decodeIndex(_ offsets: [UInt8], _ times: [UInt8], base: UInt64 = 1000, length: UInt64 = 600) -> Result<SegmentIndex, FormatProblem> {
    SegmentIndex.decode(offsetIndex: offsets, timeIndex: times, baseOffset: base, segmentLength: length)
}

@Suite struct SegmentIndexTests {
    @Test func noteSamplesByIntervalAndAlwaysTakesTheFirstBatch() {
        var index = SegmentIndex(baseOffset: 0, intervalBytes: 100)
        for (i, position) in [70, 100, 169, 170, 300, 399, 400, 401].enumerated() {
            index.note(batch(UInt64(i), time: Int64(i) * 10), at: UInt64(position))
        }
        #expect(index.entries == [
            .init(offset: 0, position: 70, timestamp: 0), .init(offset: 3, position: 170, timestamp: 30),
            .init(offset: 4, position: 300, timestamp: 40), .init(offset: 6, position: 400, timestamp: 60),
        ])
        var every = SegmentIndex(baseOffset: 0, intervalBytes: 1)
        for position in [64, 65, 66] as [UInt64] { every.note(batch(position, time: 0), at: position) }
        #expect(every.entries.map(\.position) == [64, 65, 66])
    }

    @Test func floorByOffset() {
        let index = sampleIndex()
        let cases: [(UInt64, UInt64?)] = [(0, nil), (999, nil), (1000, 64), (1004, 64), (1005, 200), (1006, 200),
                                           (1007, 400), (1015, 400), (1016, 400), (.max, 400)]
        for (offset, position) in cases { #expect(index.floor(offset: offset)?.position == position, "offset \(offset)") }
        #expect(SegmentIndex(baseOffset: 0, intervalBytes: 1).floor(offset: 0) == nil)
    }

    @Test func floorBeforeTimestamp() {
        let index = sampleIndex()  // timestamps 50, 60, 60
        let cases: [(Int64, UInt64?)] = [(.min, nil), (49, nil), (50, nil), (51, 64), (60, 64), (61, 400), (.max, 400)]
        for (time, position) in cases { #expect(index.floor(before: time)?.position == position, "time \(time)") }
        #expect(SegmentIndex(baseOffset: 0, intervalBytes: 1).floor(before: .max) == nil)
    }

    @Test func filesRoundTripAndFollowTheLayout() throws {
        let index = sampleIndex()
        let files = index.encoded(segmentLength: 600)
        #expect(Array(files.offsetIndex[0..<4]) == Array("CNRX".utf8) && Array(files.timeIndex[0..<4]) == Array("CNRT".utf8))
        #expect(files.offsetIndex.count == 40 + 3 * 16 && files.timeIndex.count == 40 + 3 * 16)
        #expect(files.offsetIndex.le(UInt64.self, at: 16) == 600 && files.offsetIndex.le(UInt32.self, at: 24) == 3)
        #expect(files.offsetIndex.le(UInt32.self, at: 28) == 100)
        #expect(files.offsetIndex.le(UInt64.self, at: 56) == 1005 && files.offsetIndex.le(UInt64.self, at: 64) == 200)
        #expect(files.timeIndex.le(Int64.self, at: 56) == 60 && files.timeIndex.le(UInt64.self, at: 64) == 1005)
        for file in [files.offsetIndex, files.timeIndex] {
            let expected = file.withUnsafeBytes { raw in
                cairn_crc32c_portable(cairn_crc32c_portable(0, raw.baseAddress, 36), raw.baseAddress! + 40, file.count - 40)
            }
            #expect(file.le(UInt32.self, at: 36) == expected)
        }
        var decoded = try decodeIndex(files.offsetIndex, files.timeIndex).get()
        #expect(decoded == index)
        decoded.note(batch(1016, time: 70), at: 499)  // sampling resumes from the last decoded entry
        #expect(decoded.entries.count == 3)
        let empty = SegmentIndex(baseOffset: 7, intervalBytes: 10).encoded(segmentLength: 64)
        #expect(try decodeIndex(empty.offsetIndex, empty.timeIndex, base: 7, length: 64).get().entries.isEmpty)
        #expect(throws: FormatProblem.self) {
            try decodeIndex(empty.offsetIndex, empty.timeIndex, base: 7, length: 65).get()  // covers 64, not 65
        }
    }

    @Test func everyByteFlipOfEitherFileIsRejected() {
        let files = sampleIndex().encoded(segmentLength: 600)
        for i in files.offsetIndex.indices {
            for mask: UInt8 in [0x01, 0x80, 0xFF] {
                var offsets = files.offsetIndex, times = files.timeIndex
                offsets[i] ^= mask
                times[i] ^= mask
                #expect(throws: FormatProblem.self, "offset index byte \(i) ^ \(mask)") { try decodeIndex(offsets, files.timeIndex).get() }
                #expect(throws: FormatProblem.self, "time index byte \(i) ^ \(mask)") { try decodeIndex(files.offsetIndex, times).get() }
            }
        }
    }

    @Test func decodeRejectsIndexesThatDisagreeWithTheirSegment() {
        let files = sampleIndex().encoded(segmentLength: 600)
        let (o, t) = (files.offsetIndex, files.timeIndex)
        func rejection(_ offsets: [UInt8], _ times: [UInt8], base: UInt64 = 1000, length: UInt64 = 600) -> String? {
            guard case .failure(let problem) = decodeIndex(offsets, times, base: base, length: length) else { return nil }
            return problem.description
        }
        func edited(_ bytes: [UInt8], _ edit: (inout [UInt8]) -> Void) -> [UInt8] {
            var copy = bytes
            edit(&copy)
            return resealed(copy)
        }
        #expect(rejection(o, t) == nil)
        #expect(rejection(t, o)?.contains("magic") == true, "files swapped")
        #expect(rejection(edited(o) { store(UInt16(2), at: 4, in: &$0) }, t)?.contains("version") == true)
        var badCRC = o
        badCRC[36] ^= 1
        #expect(rejection(badCRC, t)?.contains("CRC") == true)
        #expect(rejection(Array(o[..<39]), t)?.contains("truncated") == true)
        #expect(rejection(o, t, base: 1001)?.contains("another segment") == true)
        #expect(rejection(o, t, length: 601)?.contains("601") == true)
        #expect(rejection(o, t, length: 599) != nil)
        #expect(rejection(edited(o) { $0 += [UInt8](repeating: 0, count: 16) }, t)?.contains("entry count") == true)
        #expect(rejection(edited(o) { store(UInt32(0), at: 28, in: &$0) }, edited(t) { store(UInt32(0), at: 28, in: &$0) })?.contains("zero interval") == true)
        #expect(rejection(o, edited(t) { store(UInt32(99), at: 28, in: &$0) })?.contains("disagree") == true)
        let two = SegmentIndex(baseOffset: 1000, intervalBytes: 100)
        var shorter = two
        shorter.note(batch(1000, time: 50), at: 64)
        #expect(rejection(o, shorter.encoded(segmentLength: 600).timeIndex)?.contains("disagree") == true, "entry counts differ")
        #expect(rejection(o, edited(t) { store(UInt64(1006), at: 64, in: &$0) })?.contains("disagree at entry 1") == true)
        // Order: entry 1's offset, position and timestamp each not after entry 0's.
        let unordered = rejection(edited(o) { store(UInt64(1000), at: 56, in: &$0) }, edited(t) { store(UInt64(1000), at: 64, in: &$0) })
        #expect(unordered?.contains("out of order") == true)
        #expect(rejection(edited(o) { store(UInt64(64), at: 64, in: &$0) }, t)?.contains("out of order") == true)
        #expect(rejection(o, edited(t) { store(Int64(49), at: 56, in: &$0) })?.contains("out of order") == true)
        // The first entry must be the segment's first batch: offset = base, position = 64.
        #expect(rejection(edited(o) { store(UInt64(65), at: 48, in: &$0) }, t)?.contains("first index entry") == true)
        #expect(rejection(edited(o) { store(UInt64(1001), at: 40, in: &$0) }, edited(t) { store(UInt64(1001), at: 48, in: &$0) })?
            .contains("first index entry") == true)
        // The last entry's header must lie inside the segment: 400 + 88 = 488.
        let atEnd = sampleIndex().encoded(segmentLength: 488), pastEnd = sampleIndex().encoded(segmentLength: 487)
        #expect(rejection(atEnd.offsetIndex, atEnd.timeIndex, length: 488) == nil)
        #expect(rejection(pastEnd.offsetIndex, pastEnd.timeIndex, length: 487)?.contains("past the end") == true)
        #expect(rejection(two.encoded(segmentLength: 600).offsetIndex, two.encoded(segmentLength: 600).timeIndex)?.contains("empty") == true)
    }

    /// An index is never trusted: a position near the top of the range must be rejected, not trap.
    @Test func decodeRejectsAnEntryPositionThatWouldOverflow() async {
        await #expect(processExitsWith: .success) {
            var index = SegmentIndex(baseOffset: 0, intervalBytes: 1)
            index.note(BatchHeader(codec: .none, baseOffset: 0, recordCount: 1, storedLength: 0, uncompressedLength: 0,
                                   firstTimestamp: 0, lastTimestamp: 0, link: .genesis, crc: 0), at: 64)
            index.note(BatchHeader(codec: .none, baseOffset: 1, recordCount: 1, storedLength: 0, uncompressedLength: 0,
                                   firstTimestamp: 0, lastTimestamp: 0, link: .genesis, crc: 0), at: .max - 10)
            let files = index.encoded(segmentLength: 1 << 20)
            let result = SegmentIndex.decode(offsetIndex: files.offsetIndex, timeIndex: files.timeIndex, baseOffset: 0, segmentLength: 1 << 20)
            if case .success = result { fatalError("accepted an entry past the segment's end") }
        }
    }

    // MARK: Segment file names and headers

    @Test func segmentFileNames() {
        #expect(SegmentFileName.baseOffset(ofSegment: "00000000000000000000.log") == 0)
        #expect(SegmentFileName.baseOffset(ofSegment: "00000000000000001234.log") == 1234)
        #expect(SegmentFileName.baseOffset(ofSegment: "18446744073709551615.log") == .max)
        for base: UInt64 in [0, 1, 42, 1 << 40, .max] {
            #expect(SegmentFileName.segment(base).count == 24)
            #expect(SegmentFileName.baseOffset(ofSegment: SegmentFileName.segment(base)) == base)
        }
        #expect(SegmentFileName.offsetIndex(7) == "00000000000000000007.index" && SegmentFileName.timeIndex(7) == "00000000000000000007.timeindex")
        let invalid = ["0000000000000000000.log", "000000000000000000000.log", "0000000000000000000a.log", "-0000000000000000001.log",
                       "+0000000000000000001.log", " 0000000000000000001.log", "0000000000000000000 .log", "00000000000000000000.index",
                       "00000000000000000000.timeindex", "00000000000000000000.log.tmp", "00000000000000000000.LOG", "00000000000000000000",
                       ".log", "", "18446744073709551616.log", "99999999999999999999.log", "0000000000000000000٣.log",
                       "0000000000000000000３.log", "00000000000000000000.log.log", "clean-shutdown", "lock"]
        for name in invalid { #expect(SegmentFileName.baseOffset(ofSegment: name) == nil, "\(name)") }
    }

    @Test func segmentHeaderRoundTripsAndFollowsTheLayout() {
        let link = ChainLink(bytes: (0..<32).map { UInt8(255 - $0) })
        let header = SegmentHeader(baseOffset: 0x0102_0304_0506_0708, previousLink: link)
        let bytes = header.encoded()
        #expect(bytes.count == 64 && SegmentHeader.size == 64)
        #expect(Array(bytes[0..<4]) == Array("CRNS".utf8) && bytes[4] == 1 && bytes[5] == 0 && bytes[6] == 0 && bytes[7] == 0)
        #expect(Array(bytes[8..<16]) == [8, 7, 6, 5, 4, 3, 2, 1] && Array(bytes[16..<48]) == link.bytes)
        #expect(bytes[48..<60].allSatisfy { $0 == 0 })
        let crc = bytes.withUnsafeBytes { cairn_crc32c_portable(0, $0.baseAddress, 60) }
        #expect(Array(bytes[60..<64]) == [UInt8(crc & 0xFF), UInt8(crc >> 8 & 0xFF), UInt8(crc >> 16 & 0xFF), UInt8(crc >> 24)])
        #expect(SegmentHeader.decode(bytes) == .success(header))
        #expect(SegmentHeader.decode(bytes + [1, 2]) == .success(header))
        #expect(throws: FormatProblem.self) { try SegmentHeader.decode(Array(bytes[..<63])).get() }
    }

    @Test func everySingleBitFlipOfASegmentHeaderIsRejected() {
        let bytes = SegmentHeader(baseOffset: 977, previousLink: ChainLink(bytes: [UInt8](repeating: 0x5A, count: 32))).encoded()
        for bit in 0..<(SegmentHeader.size * 8) {
            var flipped = bytes
            flipped[bit / 8] ^= 1 << (bit % 8)
            #expect(throws: FormatProblem.self, "bit \(bit)") { try SegmentHeader.decode(flipped).get() }
        }
    }
}
