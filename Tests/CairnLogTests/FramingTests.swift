import CCRC32C
import Testing
@testable import CairnLog

/// A little-endian load spelled out byte by byte, independent of the helpers in Bytes.swift.
private func le<T: FixedWidthInteger>(_ bytes: [UInt8], _ at: Int, as _: T.Type = T.self) -> T {
    (0..<MemoryLayout<T>.size).reduce(T(0)) { $0 | T(truncatingIfNeeded: bytes[at + $1]) << (8 * $1) }
}

private func encoded(_ header: BatchHeader) -> [UInt8] {
    var out = [UInt8](repeating: 0xEE, count: BatchHeader.size)  // encode must overwrite every byte
    out.withUnsafeMutableBytes { header.encode(into: $0) }
    return out
}

private func decoded(_ bytes: [UInt8]) -> Result<BatchHeader, BatchHeader.Problem> { bytes.withUnsafeBytes { BatchHeader.decode($0) } }

private func crc(header: [UInt8], payload: [UInt8]) -> UInt32 {
    header.withUnsafeBytes { h in payload.withUnsafeBytes { BatchHeader.computeCRC(header: h, payload: $0) } }
}

private func link(_ previous: ChainLink, header: [UInt8], payload: [UInt8]) -> ChainLink {
    header.withUnsafeBytes { h in
        payload.withUnsafeBytes { previous.next(header: UnsafeRawBufferPointer(rebasing: h[0..<BatchHeader.linkedPrefix]), payload: $0) }
    }
}

private let distinct = BatchHeader(
    codec: .zstd, baseOffset: 0x0102_0304_0506_0708, recordCount: 0x1112_1314, storedLength: 0x0123_4567,
    uncompressedLength: 0x0765_4321, firstTimestamp: -0x1122_3344_5566_7788, lastTimestamp: 0x7766_5544_3322_1100,
    link: ChainLink(bytes: (0..<32).map { UInt8(0xA0 + $0) }), crc: 0xDEAD_BEEF)

private let sampleRecords: [AppendRecord] = [
    AppendRecord(kind: 0, key: nil, payload: []), AppendRecord(kind: 1, key: [], payload: [1, 2, 3]),
    AppendRecord(kind: 0xFFFF, key: Array("customer-42".utf8), payload: [UInt8](repeating: 7, count: 5000)),
    AppendRecord(kind: 9, key: [0], payload: (0..<300).map { UInt8(truncatingIfNeeded: $0 &* 151 &+ 17) }),
    AppendRecord(kind: 2, key: Array("k".utf8), payload: []),
]

/// One batch of `records` as `BatchEncoder` frames it: header bytes, stored payload, header.
private func frame(_ records: [AppendRecord], level: Int32? = nil) throws -> (header: [UInt8], payload: [UInt8], decoded: BatchHeader) {
    var frames: [UInt8] = []
    let header = try BatchEncoder(compressionLevel: level).encode(records[...], baseOffset: 100, timestamp: 1_700_000_000, previous: .genesis, into: &frames)
    return (Array(frames[..<BatchHeader.size]), Array(frames[BatchHeader.size...]), header)
}

/// The records of an uncompressed payload, and the framing problem `RecordCodec.forEach` reports.
private func walk(_ payload: [UInt8], _ header: BatchHeader) throws -> ([LogRecord], String?) {
    var seen: [LogRecord] = []
    let problem = try payload.withUnsafeBytes { try RecordCodec.forEach(in: $0, header: header) { seen.append($0.copy()); return true } }
    return (seen, problem)
}

@Suite struct FramingTests {
    @Test func headerFieldsSitAtTheirDocumentedOffsetsAndRoundTrip() {
        #expect(BatchHeader.size == 88 && BatchHeader.linkedPrefix == 48 && BatchHeader.checkedPrefix == 84)
        #expect(RecordCodec.overhead == 18 && RecordCodec.noKey == 0xFFFF_FFFF && BatchHeader.payloadBytesLimit == 256 << 20)
        let b = encoded(distinct)
        #expect(Array(b[0..<4]) == Array("CRNB".utf8))
        #expect(le(b, 4, as: UInt16.self) == 1 && b[6] == 1 && b[7] == 0)
        #expect(le(b, 8, as: UInt64.self) == 0x0102_0304_0506_0708 && le(b, 16, as: UInt32.self) == 0x1112_1314)
        #expect(le(b, 20, as: UInt32.self) == 0x0123_4567 && le(b, 24, as: UInt32.self) == 0x0765_4321)
        #expect(le(b, 28, as: UInt32.self) == 0 && le(b, 80, as: UInt32.self) == 0)
        #expect(le(b, 32, as: Int64.self) == -0x1122_3344_5566_7788 && le(b, 40, as: Int64.self) == 0x7766_5544_3322_1100)
        #expect(Array(b[48..<80]) == distinct.link.bytes && le(b, 84, as: UInt32.self) == 0xDEAD_BEEF)
        var plain = distinct
        plain.codec = .none
        plain.uncompressedLength = plain.storedLength
        #expect(encoded(plain)[6] == 0)
        #expect(decoded(encoded(distinct)) == .success(distinct) && decoded(encoded(plain)) == .success(plain))
        #expect(distinct.endOffset == 0x0102_0304_0506_0708 + 0x1112_1314 && distinct.frameLength == 88 + 0x0123_4567)
    }

    @Test func decodeRejectsInvalidFields() {
        func rejected(_ edit: (inout [UInt8]) -> Void) -> BatchHeader.Problem? {
            var b = encoded(distinct)
            edit(&b)
            if case .failure(let problem) = decoded(b) { return problem }
            return nil
        }
        #expect(rejected { $0[0] ^= 1 } == .badMagic(0x424E_5242))
        #expect(rejected { $0[4] = 2 } == .unsupportedVersion(2))
        #expect(rejected { $0[6] = 2 } == .unknownCodec(2))
        for reserved in [7, 28, 31, 80, 83] { #expect(rejected { $0[reserved] = 1 } != nil, "reserved byte \(reserved)") }
        #expect(rejected { for i in 16..<20 { $0[i] = 0 } } != nil, "record count 0")
        #expect(rejected { $0[23] = 0x10 } != nil, "stored length over 256 MiB")
        #expect(rejected { $0[27] = 0x10 } != nil, "uncompressed length over 256 MiB")
        #expect(rejected { $0[6] = 0 } != nil, "codec none with differing lengths")
        #expect(rejected { $0[47] = 0x80 } != nil, "last timestamp before first")
        #expect(rejected { for i in 8..<16 { $0[i] = 0xFF } } != nil, "offset range overflows")
    }

    @Test(arguments: [nil, 1, 19] as [Int32?])
    func everySingleBitFlipOfAHeaderIsDetected(level: Int32?) throws {
        let (header, payload, _) = try frame(sampleRecords, level: level)
        guard case .success(let intact) = decoded(header) else { Issue.record("intact header rejected"); return }
        #expect(crc(header: header, payload: payload) == intact.crc)  // so that a mismatch below means detection
        for bit in 0..<(BatchHeader.size * 8) {
            var flipped = header
            flipped[bit / 8] ^= 1 << (bit % 8)
            if case .success(let h) = decoded(flipped) {
                #expect(crc(header: flipped, payload: payload) != h.crc, "bit \(bit) undetected")
            }
        }
    }

    @Test(arguments: [nil, 1, 19] as [Int32?])
    func encodedBatchesDecodeVerifyAndChain(level: Int32?) throws {
        var frames: [UInt8] = []
        let encoder = BatchEncoder(compressionLevel: level)
        let t: Int64 = 1_700_000_000_000_000
        let first = try encoder.encode(sampleRecords[...], baseOffset: 100, timestamp: t, previous: .genesis, into: &frames)
        let second = try encoder.encode(sampleRecords[1...2], baseOffset: first.endOffset, timestamp: t + 5, previous: first.link, into: &frames)
        var position = 0
        var previous = ChainLink.genesis
        for (expected, records, time) in [(first, sampleRecords[...], t), (second, sampleRecords[1...2], t + 5)] {
            let header = Array(frames[position..<(position + 88)])
            let h = try decoded(header).get()
            #expect(h == expected && h.codec == (level == nil ? .none : .zstd))
            let payload = Array(frames[(position + 88)..<(position + h.frameLength)])
            // The CRC covers exactly bytes 0..<84 and the stored payload (computed here independently).
            let independent = (header[..<84] + payload).withUnsafeBytes { cairn_crc32c_portable(0, $0.baseAddress, $0.count) }
            #expect(crc(header: header, payload: payload) == h.crc && h.crc == independent)
            #expect(link(previous, header: header, payload: payload) == h.link)
            #expect(Int(h.uncompressedLength) == records.reduce(0) { $0 + $1.encodedLength })
            var body = payload
            if level != nil {
                body = [UInt8](repeating: 0, count: Int(h.uncompressedLength))
                let ok = payload.withUnsafeBytes { source in body.withUnsafeMutableBytes { ZstdDecompressor().decompress(source, into: $0) } }
                #expect(ok)
            }
            let (seen, problem) = try walk(body, h)
            #expect(problem == nil)
            #expect(seen == records.enumerated().map {
                LogRecord(offset: h.baseOffset + UInt64($0.offset), timestamp: time, kind: $0.element.kind, key: $0.element.key, payload: $0.element.payload)
            })
            position += h.frameLength
            previous = h.link
        }
        #expect(position == frames.count && first.recordCount == 5 && second.baseOffset == 105)
        if level != nil { #expect(first.storedLength < first.uncompressedLength) }
    }

    @Test func changingAnyLinkedByteChangesTheLink() throws {
        let (header, payload, h) = try frame(Array(sampleRecords[1...1]) + [AppendRecord(kind: 3, key: [4, 5], payload: Array(0..<40))])
        #expect(link(.genesis, header: header, payload: payload) == h.link)
        for i in payload.indices {
            var changed = payload
            changed[i] &+= 1
            #expect(link(.genesis, header: header, payload: changed) != h.link, "payload byte \(i)")
        }
        for i in 0..<BatchHeader.linkedPrefix {
            var changed = header
            changed[i] ^= 0x40
            #expect(link(.genesis, header: changed, payload: payload) != h.link, "header byte \(i)")
        }
        #expect(link(h.link, header: header, payload: payload) != h.link)
        // SHA-256 of 32 zero bytes: the genesis link over an empty header and payload.
        #expect(ChainLink.genesis.next(header: UnsafeRawBufferPointer(start: nil, count: 0), payload: UnsafeRawBufferPointer(start: nil, count: 0)).hex
            == "66687aadf862bd776c8fc18b8e9f8e20089714856ee233b3902a591d0d5f2925")
    }

    @Test func chainLinkHex() {
        let link = ChainLink(bytes: (0..<32).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 11) })
        #expect(link.hex.count == 64 && link.hex == link.hex.lowercased() && link.description == link.hex)
        #expect(ChainLink(hex: link.hex) == link)
        #expect(ChainLink(hex: link.hex.uppercased()) == link)
        #expect(ChainLink(hex: String(repeating: "0", count: 64)) == .genesis)
        let bad = ["", String(link.hex.dropLast()), link.hex + "0", "g" + link.hex.dropFirst(), " " + link.hex.dropFirst(),
                   "0x" + link.hex.dropFirst(2), String(link.hex.dropLast()) + "-", String(repeating: "é", count: 32)]
        for text in bad { #expect(ChainLink(hex: text) == nil, "\(text)") }
    }

    @Test func crc32cKnownAnswers() {
        let vectors: [([UInt8], UInt32)] = [
            (Array("123456789".utf8), 0xE306_9283), ([UInt8](repeating: 0, count: 32), 0x8A91_36AA),
            ([UInt8](repeating: 0xFF, count: 32), 0x62A8_AB43), (Array(0..<32), 0x46DD_794E),
            (Array((0..<32).reversed()), 0x113F_DB5C), (Array("The quick brown fox jumps over the lazy dog".utf8), 0x2262_0404),
            (Array("a".utf8), 0xC1D0_4330), ([], 0),
        ]
        for (bytes, expected) in vectors {
            bytes.withUnsafeBytes { raw in
                #expect(cairn_crc32c(0, raw.baseAddress, raw.count) == expected)
                #expect(cairn_crc32c_portable(0, raw.baseAddress, raw.count) == expected)
            }
            #expect(CRC32C.checksum(bytes) == expected)
        }
    }

    @Test func hardwareAndPortableAgreeAtAnyAlignmentAndLength() {
        var rng = SplitMix64(seed: 0xC4C3_2C00)
        let buffer = rng.bytes(4096 + 64)
        buffer.withUnsafeBytes { raw in
            for _ in 0..<3000 {
                let start = rng.below(64), count = rng.below(rng.chance(0.1) ? 4096 : 40), seed = UInt32(truncatingIfNeeded: rng.next())
                let p = raw.baseAddress! + start
                let hw = cairn_crc32c(seed, p, count)
                #expect(hw == cairn_crc32c_portable(seed, p, count), "start \(start) count \(count)")
                let split = rng.below(count + 1)  // continuing equals checksumming the concatenation
                #expect(cairn_crc32c(cairn_crc32c(seed, p, split), p + split, count - split) == hw)
                #expect(cairn_crc32c_portable(cairn_crc32c_portable(seed, p, split), p + split, count - split) == hw)
            }
        }
    }

    // MARK: Record framing

    /// Three records with timestamps t, t+1, t+2 and a header claiming exactly that range.
    private static func records(t: Int64 = 1000) -> ([UInt8], BatchHeader) {
        var payload: [UInt8] = []
        for (i, r) in [AppendRecord(kind: 1, key: nil, payload: [9]), AppendRecord(kind: 2, key: [7, 7], payload: []),
                       AppendRecord(kind: 3, key: [], payload: [1, 2, 3])].enumerated() {
            RecordCodec.append(r, timestamp: t + Int64(i), to: &payload)
        }
        let header = BatchHeader(codec: .none, baseOffset: 40, recordCount: 3, storedLength: UInt32(payload.count),
                                 uncompressedLength: UInt32(payload.count), firstTimestamp: t, lastTimestamp: t + 2, link: .genesis, crc: 0)
        return (payload, header)
    }

    @Test func recordFramingAcceptsAWellFormedPayloadAndStopsEarly() throws {
        let (payload, header) = Self.records()
        let (seen, problem) = try walk(payload, header)
        #expect(problem == nil && seen.map(\.offset) == [40, 41, 42] && seen.map(\.timestamp) == [1000, 1001, 1002])
        #expect(seen.map(\.key) == [nil, [7, 7], []] && seen.map(\.kind) == [1, 2, 3])
        var visits = 0
        let early = try payload.withUnsafeBytes { try RecordCodec.forEach(in: $0, header: header) { _ in visits += 1; return false } }
        #expect(early == nil && visits == 1)
    }

    @Test func recordFramingReportsEveryProblem() throws {
        let (payload, header) = Self.records()
        func problem(_ p: [UInt8], _ edit: (inout BatchHeader) -> Void = { _ in }) throws -> String? {
            var h = header
            edit(&h)
            return try walk(p, h).1
        }
        for cut in 0..<payload.count { #expect(try problem(Array(payload[..<cut])) != nil, "truncated to \(cut)") }
        #expect(try problem(payload + [0])?.contains("stray") == true)
        for count: UInt32 in [2, 4] { #expect(try problem(payload) { $0.recordCount = count } != nil, "record count \(count)") }
        let lastStart = payload.count - 21  // the third record: 18 + 0-byte key + 3-byte payload
        for length: UInt32 in [22, 0xFFFF_FFFF, 13, 0] {
            var p = payload
            p.withUnsafeMutableBytes { $0.storeLE(length, at: lastStart) }
            #expect(try problem(p) != nil, "record length \(length)")
        }
        var longKey = payload, backwards = payload
        longKey.withUnsafeMutableBytes { $0.storeLE(UInt32(4), at: lastStart + 14) }
        #expect(try problem(longKey)?.contains("key length") == true)
        // A record after the header's last timestamp, before its first, and a last record short of it.
        for (first, last): (Int64, Int64) in [(1000, 1001), (1001, 1002), (1000, 1003)] {
            #expect(try problem(payload) { $0.firstTimestamp = first; $0.lastTimestamp = last } != nil, "range \(first)...\(last)")
        }
        backwards.withUnsafeMutableBytes { $0.storeLE(Int64(999), at: lastStart + 4) }
        #expect(try problem(backwards) { $0.firstTimestamp = 999 } != nil, "timestamps going backwards")
    }

    /// The header's first timestamp must be the first record's, as the last must be the last's.
    @Test func recordFramingReportsAFirstTimestampTheHeaderDoesNotClaim() throws {
        let (payload, header) = Self.records()
        var h = header
        h.firstTimestamp = 990  // records start at 1000
        #expect(try walk(payload, h).1 != nil)
    }
}
