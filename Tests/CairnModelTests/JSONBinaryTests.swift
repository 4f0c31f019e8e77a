import CairnModel
import Testing

@Suite("JSON binary encoding")
struct JSONBinaryTests {
    @Test("The layout matches the documented tags, zigzag varints and little-endian doubles")
    func layout() {
        #expect(JSONValue.null.binaryEncoded() == [0x00])
        #expect(JSONValue.bool(false).binaryEncoded() == [0x01])
        #expect(JSONValue.bool(true).binaryEncoded() == [0x02])
        #expect(JSONValue.integer(0).binaryEncoded() == [0x03, 0x00])
        #expect(JSONValue.integer(-1).binaryEncoded() == [0x03, 0x01])
        #expect(JSONValue.integer(1).binaryEncoded() == [0x03, 0x02])
        #expect(JSONValue.integer(64).binaryEncoded() == [0x03, 0x80, 0x01])
        #expect(JSONValue.integer(.min).binaryEncoded() == [0x03] + [UInt8](repeating: 0xFF, count: 9) + [0x01])
        #expect(JSONValue.number(1.0).binaryEncoded() == [0x04, 0, 0, 0, 0, 0, 0, 0xF0, 0x3F])
        #expect(JSONValue.number(.nan).binaryEncoded() == [0x00])
        #expect(JSONValue.string("é").binaryEncoded() == [0x05, 0x02, 0xC3, 0xA9])
        #expect(JSONValue.array([1, nil]).binaryEncoded() == [0x06, 0x02, 0x03, 0x02, 0x00])
        #expect(JSONValue.object(["b": true, "a": false]).binaryEncoded() == [0x07, 0x02, 0x01, 0x61, 0x01, 0x01, 0x62, 0x02])
    }

    @Test("Random values round-trip, and decode → encode gives back the same bytes")
    func roundTrips() throws {
        let seed = Randomized.seed
        var random = SeededRandom(seed: seed)
        for _ in 0..<Randomized.iterations(1000) {
            let value = RandomJSON.value(depth: 0, using: &random)
            let bytes = value.binaryEncoded()
            let decoded = try JSONValue(binary: bytes)
            #expect(decoded == value, "seed \(seed)")
            #expect(decoded.binaryEncoded() == bytes, "seed \(seed)")
        }
        for line in CorpusSamples.lines {
            let value = try json(line)
            #expect(try JSONValue(binary: value.binaryEncoded()) == value)
        }
    }

    @Test("Non-canonical and malformed encodings are rejected with the offset", arguments: [
        ([] as [UInt8], "truncated"),
        ([0x08], "unknown JSON value tag 8"),
        ([0x03, 0x80, 0x00], "not minimally encoded"),
        ([0x03, 0x80], "truncated varint"),
        ([0x03] + [UInt8](repeating: 0xFF, count: 9) + [0x02], "overflows 64 bits"),
        ([0x04, 0, 0, 0, 0, 0, 0, 0xF0, 0x7F], "non-finite"),
        ([0x04, 0, 0], "expected 8 bytes"),
        ([0x05, 0x02, 0x61], "count 2 is more than the 1 bytes left"),
        ([0x05, 0x01, 0xFF], "invalid UTF-8"),
        ([0x06, 0x05, 0x00], "count 5 is more than"),
        ([0x07, 0x02, 0x01, 0x62, 0x00, 0x01, 0x61, 0x00], "not in strictly ascending order"),
        ([0x07, 0x02, 0x01, 0x61, 0x00, 0x01, 0x61, 0x00], "not in strictly ascending order"),
        ([0x00, 0x00], "unexpected bytes after the end"),
    ])
    func rejects(bytes: [UInt8], expected: String) throws {
        let error = try #require(throws: ModelError.self) { try JSONValue(binary: bytes) }
        #expect(error.code == .malformedRecord)
        #expect(error.message.contains(expected), "\(error)")
        #expect(error.offset != nil)
    }

    @Test("Nesting beyond the supported depth is rejected, not a stack overflow")
    func depth() throws {
        var deep = [UInt8]()
        for _ in 0..<10_000 { deep += [0x06, 0x01] }
        deep.append(0x00)
        let error = try #require(throws: ModelError.self) { try JSONValue(binary: deep) }
        #expect(error.message.contains("nested deeper"))
    }
}

@Suite("Fuzzing the decoders")
struct DecoderFuzzTests {
    @Test("Random bytes never crash the JSON parser or the binary decoders")
    func randomBytes() {
        let seed = Randomized.seed
        var random = SeededRandom(seed: seed)
        let alphabet = Array(#"{}[]:,"\ -0123456789.eEtrufalsn"#.utf8) + [0x00, 0x1F, 0x7F, 0xC3, 0xA9, 0xFF, 0xED]
        for _ in 0..<Randomized.iterations(4000) {
            let count = Int.random(in: 0...48, using: &random)
            let bytes: [UInt8] = Bool.random(using: &random)
                ? random.bytes(count: count)
                : (0..<count).map { _ in alphabet.randomElement(using: &random) ?? 0 }
            if let value = try? JSONParser.parse(bytes) {
                #expect((try? JSONParser.parse(value.serialized())) == value, "seed \(seed)")
            }
            if let value = try? JSONValue(binary: bytes) {
                #expect(value.binaryEncoded() == bytes, "accepted a non-canonical encoding, seed \(seed)")
            }
            _ = try? EventRecord.decode(bytes)
            _ = try? ProfileRecord.decode(bytes)
            _ = try? SessionRecord.decode(bytes)
            // With a valid version byte in front, to get past the first check.
            _ = try? EventRecord.decode([1] + bytes)
            _ = try? ProfileRecord.decode([1] + bytes)
            _ = try? SessionRecord.decode([1] + bytes)
        }
    }

    @Test("Mutated valid JSON is either rejected or parses to a value that round-trips")
    func mutatedJSON() throws {
        let seed = Randomized.seed &+ 1
        var random = SeededRandom(seed: seed)
        let inputs = CorpusSamples.lines.map { Array($0.utf8) }
        for _ in 0..<Randomized.iterations(1500) {
            var bytes = try #require(inputs.randomElement(using: &random))
            for _ in 0..<Int.random(in: 1...4, using: &random) {
                let position = Int.random(in: 0..<bytes.count, using: &random)
                switch Int.random(in: 0..<3, using: &random) {
                case 0: bytes[position] = UInt8.random(in: 0...255, using: &random)
                case 1: bytes.remove(at: position)
                default: bytes.insert(Array(#"{}[]",:\"#.utf8).randomElement(using: &random) ?? 0, at: position)
                }
            }
            if let value = try? JSONParser.parse(bytes) {
                #expect(try JSONParser.parse(value.serialized()) == value, "seed \(seed)")
                _ = try? CorpusLine.parse(value)
            }
        }
    }

    @Test("Mutated binary values are either rejected or decode to canonical bytes")
    func mutatedBinary() throws {
        let seed = Randomized.seed &+ 2
        var random = SeededRandom(seed: seed)
        for _ in 0..<Randomized.iterations(3000) {
            var bytes = RandomJSON.value(depth: 0, using: &random).binaryEncoded()
            let position = Int.random(in: 0..<bytes.count, using: &random)
            bytes[position] ^= UInt8(1) << UInt8.random(in: 0...7, using: &random)
            if let value = try? JSONValue(binary: bytes) {
                #expect(value.binaryEncoded() == bytes, "seed \(seed)")
            }
        }
    }
}
