import CairnModel
import Testing

@Suite("Personal data")
struct PersonalDataTests {
    @Test("Personal fields move from properties and context into personal, case-insensitively")
    func separates() throws {
        let event = Event(
            id: "e", type: "identify", sourceID: "s",
            properties: ["EMAIL": "a@b", "FirstName": "Ava", "lastname": "N", "method": "google", "address": ["city": "X"]],
            context: ["ip": "1.2.3.4", "page": ["email": "nested stays"], "Phone": "123"]
        )
        let separated = PersonalDataPolicy.default.separate(event)
        #expect(separated.properties == ["method": "google"])
        #expect(separated.context == ["page": ["email": "nested stays"]])
        #expect(separated.personal == [
            "properties": ["EMAIL": "a@b", "FirstName": "Ava", "lastname": "N", "address": ["city": "X"]],
            "context": ["ip": "1.2.3.4", "Phone": "123"],
        ])
        // Separating again changes nothing; a policy of none moves nothing.
        #expect(PersonalDataPolicy.default.separate(separated) == separated)
        #expect(PersonalDataPolicy.none.separate(event) == event)
    }

    @Test("The corpus identify event keeps only non-personal properties")
    func corpusIdentify() throws {
        let identify = try #require(try CorpusSamples.events.first { $0.type == "identify" })
        #expect(identify.properties == ["method": "google"])
        #expect(identify.personal == [
            "properties": ["email": "ava.nowak69@outlook.com", "firstname": "Ava", "lastname": "Nowak", "login": "anowak69"],
        ])
        let unseparated = try CorpusLine.parse(try json(CorpusSamples.lines[3]), policy: .none)
        #expect(unseparated.personal.isEmpty)
        #expect(unseparated.properties.count == 5)
    }

    @Test("Custom policies are sorted, lower-cased and unique")
    func customPolicy() {
        let policy = PersonalDataPolicy(keys: ["Name", "email", "EMAIL", "ssn"])
        #expect(policy.keys == ["email", "name", "ssn"])
        #expect(policy.isPersonal("NAME") && policy.isPersonal("Ssn") && !policy.isPersonal("names"))
        #expect(PersonalDataPolicy.default.keys == PersonalDataPolicy.default.keys.sorted())
    }
}

@Suite("Event records")
struct EventRecordTests {
    static let full = Event(
        id: "e-1", type: "purchase", clientTime: -5, sourceID: "src", sessionID: "s", profileID: "p",
        properties: ["total": 44.99, "items": [["sku": "A", "qty": 2]]], context: ["page": ["url": "u"]],
        tags: ["x", "", "é"], personal: ["properties": ["email": "a@b"]],
        options: EventOptions(saveEvent: false, saveSession: true, saveProfile: false)
    )
    static let minimal = Event(id: "", type: "a", sourceID: "")

    static var samples: [Event] {
        get throws { try [full, minimal] + CorpusSamples.events }
    }

    @Test("The layout starts with the version, flags and the documented fields")
    func layout() {
        let bytes = EventRecord.encode(Self.minimal)
        // version 1, flags: save event/session/profile, id "", type "a", source "", no tags,
        // empty properties and context, personal block kind 0 of 1 byte: an empty object.
        #expect(bytes == [1, 0b0011_1000, 0, 1, UInt8(ascii: "a"), 0, 0, 0, 0, 0, 1, 0])
        let full = EventRecord.encode(Self.full)
        #expect(full[0] == 1)
        #expect(full[1] == 0b0000_0111 | 0b0001_0000)
    }

    @Test("Records round-trip exactly and are deterministic")
    func roundTrip() throws {
        for event in try Self.samples {
            let bytes = EventRecord.encode(event)
            #expect(EventRecord.encode(event) == bytes)
            let decoded = try EventRecord.decode(bytes)
            #expect(decoded == event)
            #expect(EventRecord.encode(decoded) == bytes)
            let viaBuffer = try bytes.withUnsafeBytes { try EventRecord.decode($0) }
            #expect(viaBuffer == event)
        }
        // The same event built from differently ordered JSON gives the same bytes.
        let reordered = try CorpusLine.parse(try json(#"""
        {"properties":{"section":"product"},"context":{"utm":{"term":"waterproof jacket","campaign":"winter_sale_2026","medium":"cpc","source":"google"},"browser":{"language":"es-ES","userAgent":"Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/26.1 Safari/605.1.15"},"page":{"referer":"https://www.google.com/","title":"Tempo Road Running Shoe | Cairn Outfitters","url":"https://shop.cairn.example/p/tempo-road-running-shoe?utm_source=google&utm_medium=cpc&utm_campaign=winter_sale_2026"}},"profile":{"id":"abc4bfd1-7f51-45ad-8b2e-460131f56750"},"session":{"id":"484682ea-250b-4526-867d-9b1a496c85a1"},"source":{"id":"cairn-web-store"},"time":"2026-01-01T00:00:00.172029Z","type":"page-view","id":"ada1edc1-4b2e-4cae-9d05-ecd5ca727a6c"}
        """#))
        #expect(EventRecord.encode(reordered) == EventRecord.encode(try CorpusSamples.events[0]))
    }

    @Test("Every truncation of a record is rejected")
    func truncations() throws {
        for event in try Self.samples {
            let bytes = EventRecord.encode(event)
            // One expectation per event, not per prefix: expectations are costly in debug builds.
            var unexpected: [String] = []
            for length in 0..<bytes.count {
                do {
                    _ = try EventRecord.decode(Array(bytes.prefix(length)))
                    unexpected.append("length \(length): accepted")
                } catch {
                    if error.code != .malformedRecord || !error.path.hasPrefix("EventRecord") {
                        unexpected.append("length \(length): \(error)")
                    }
                }
            }
            #expect(unexpected.isEmpty, "\(event.id): \(unexpected.prefix(5))")
            let extended = try #require(throws: ModelError.self) { try EventRecord.decode(bytes + [0]) }
            #expect(extended.message.contains("unexpected bytes after the end"))
        }
    }

    @Test("Random byte flips are rejected or decode to a record that re-encodes to the same bytes")
    func flips() throws {
        let seed = Randomized.seed
        var random = SeededRandom(seed: seed)
        let encoded = try Self.samples.map(EventRecord.encode)
        var rejected = 0
        let rounds = Randomized.iterations(4000)
        for _ in 0..<rounds {
            var bytes = try #require(encoded.randomElement(using: &random))
            for _ in 0..<Int.random(in: 1...3, using: &random) {
                let position = Int.random(in: 0..<bytes.count, using: &random)
                if Bool.random(using: &random) {
                    bytes[position] ^= UInt8(1) << UInt8.random(in: 0...7, using: &random)
                } else {
                    bytes[position] = UInt8.random(in: 0...255, using: &random)
                }
            }
            do {
                let event = try EventRecord.decode(bytes)
                #expect(EventRecord.encode(event) == bytes, "a decoded record must be canonical, seed \(seed)")
            } catch {
                rejected += 1
            }
        }
        #expect(rejected > rounds / 4)
    }

    @Test("An unknown version or personal block kind is a clear error")
    func versions() throws {
        var bytes = EventRecord.encode(Self.full)
        bytes[0] = 2
        let error = try #require(throws: ModelError.self) { try EventRecord.decode(bytes) }
        #expect(error.code == .unsupportedVersion)
        #expect(error.description == "EventRecord.version at byte 0: record format version 2 is not supported by this build, which reads version 1 (was it written by a newer Cairn?)")

        var sealed = EventRecord.encode(Self.full)
        let range = try EventRecord.personalBlockRange(in: sealed)
        // The kind byte sits just before the block's length varint.
        let kindOffset = range.lowerBound - 2
        sealed[kindOffset] = 1
        let kind = try #require(throws: ModelError.self) { try EventRecord.decode(sealed) }
        #expect(kind.code == .unsupportedVersion)
        #expect(kind.path == "EventRecord.personal")
    }

    @Test("Errors name the field: unnormalized types, unknown flags, damaged personal block")
    func fieldErrors() throws {
        var badType = EventRecord.encode(Self.minimal)
        badType[4] = UInt8(ascii: "A")
        let typeError = try #require(throws: ModelError.self) { try EventRecord.decode(badType) }
        #expect(typeError.path == "EventRecord.type")
        #expect(typeError.offset == 3)

        var badFlags = EventRecord.encode(Self.minimal)
        badFlags[1] |= 0x80
        let flagError = try #require(throws: ModelError.self) { try EventRecord.decode(badFlags) }
        #expect(flagError.path == "EventRecord.flags")

        var badPersonal = EventRecord.encode(Self.full)
        let range = try EventRecord.personalBlockRange(in: badPersonal)
        badPersonal[range.lowerBound] = 0x7F  // a count far larger than the block
        let personalError = try #require(throws: ModelError.self) { try EventRecord.decode(badPersonal) }
        #expect(personalError.path == "EventRecord.personal")
        #expect(personalError.offset == range.lowerBound)
    }

    @Test("The personal block is last and can be found without decoding the event")
    func personalBlock() throws {
        let bytes = EventRecord.encode(Self.full)
        let range = try EventRecord.personalBlockRange(in: bytes)
        #expect(range.upperBound == bytes.count)
        let personal = try JSONValue(binary: [0x07] + Array(bytes[range]))
        #expect(personal == .object(Self.full.personal))
        let none = EventRecord.encode(Self.minimal)
        #expect(try EventRecord.personalBlockRange(in: none) == none.count - 1..<none.count)
    }
}
