@testable import CairnCorpus
import Foundation
import Testing

@Suite("Corpus encoding helpers")
struct CorpusEncodingTests {
    private func render(_ body: (inout JSONWriter) -> Void) -> String {
        JSONWriter.withScratch(capacity: 256) { writer in
            body(&writer)
            return String(decoding: writer.bytes, as: UTF8.self)
        }
    }

    @Test("Strings are escaped so JSON parsers read them back unchanged")
    func escaping() throws {
        let samples = ["plain", "quote \" and backslash \\", "tab\tnew\nline\r", "\u{01}\u{1F}\u{7F}",
                       "Zoë Müller – Café", "emoji 🏔️", "</script>", ""]
        for text in samples {
            let json = Data(([UInt8(ascii: "[")] + JSONWriter.quoted(text) + [UInt8(ascii: "]")]))
            let parsed = try #require(JSONSerialization.jsonObject(with: json) as? [String])
            #expect(parsed == [text])
        }
        #expect(String(decoding: JSONWriter.escaped("a\"b\\c\u{0}"), as: UTF8.self) == "a\\\"b\\\\c\\u0000")
    }

    @Test("Numbers, money and UUIDs are formatted by hand correctly")
    func numbers() {
        #expect(render { $0.int(0) } == "0")
        #expect(render { $0.int(-42) } == "-42")
        #expect(render { $0.int(Int.max) } == "9223372036854775807")
        #expect(render { $0.int(Int.min) } == "-9223372036854775808")
        #expect(render { $0.unsigned(UInt.max) } == "18446744073709551615")
        #expect(render { $0.cents(8990) } == "89.9")
        #expect(render { $0.cents(12999) } == "129.99")
        #expect(render { $0.cents(5000) } == "50")
        #expect(render { $0.cents(7) } == "0.07")
        #expect(render { $0.padded(7, width: 3) } == "007")
        #expect(render { $0.uuid(0, 0) } == "\"00000000-0000-4000-8000-000000000000\"")
        #expect(render { $0.uuid(.max, .max) } == "\"ffffffff-ffff-4fff-bfff-ffffffffffff\"")
    }

    @Test("Timestamps match Foundation's Gregorian calendar in UTC")
    func timestamps() throws {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = try #require(TimeZone(identifier: "UTC"))
        var random = SeededGenerator(seed: 11)
        var samples: [Int64] = [0, -1, 951_782_400_000_000, 1_709_164_800_000_000, CorpusGenerator.defaultStartTimeMicros]
        for _ in 0..<500 {
            // Anywhere from 1900 to 2200.
            samples.append(Int64(random.next(below: 9_467_280_000_000_000)) - 2_208_988_800_000_000)
        }
        for micros in samples {
            let time = Timestamp(micros: micros)
            let seconds = micros >= 0 ? micros / 1_000_000 : (micros - 999_999) / 1_000_000
            let date = Date(timeIntervalSince1970: TimeInterval(seconds))
            let parts = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
            #expect([time.year, time.month, time.day, time.hour, time.minute, time.second]
                == [parts.year, parts.month, parts.day, parts.hour, parts.minute, parts.second], "\(micros)")
            #expect(Int64(time.microsecond) == micros - seconds * 1_000_000)
        }
        #expect(render { $0.timestamp(micros: CorpusGenerator.defaultStartTimeMicros + 1) }
            == "\"2026-01-01T00:00:00.000001Z\"")
        #expect(render { $0.timestamp(micros: 1_709_210_096_123_456) } == "\"2024-02-29T12:34:56.123456Z\"")
        let supported = CorpusGenerator.supportedStartTimes
        #expect(render { $0.timestamp(micros: supported.lowerBound) } == "\"0001-01-01T00:00:00.000000Z\"")
        #expect(render { $0.timestamp(micros: supported.upperBound) } == "\"9000-01-01T00:00:00.000000Z\"")
    }

    @Test("The PRNG is xoshiro256** seeded by SplitMix64, and bounded draws stay in range")
    func generator() {
        var mixer = SplitMix64(state: 0)
        #expect(mixer.next() == 0xE220_A839_7B1D_CDAF)
        var random = SeededGenerator(seed: 1)
        var again = SeededGenerator(seed: 1)
        #expect((0..<100).map { _ in random.next() } == (0..<100).map { _ in again.next() })
        var counts = [Int](repeating: 0, count: 7)
        for _ in 0..<7_000 { counts[random.int(below: 7)] += 1 }
        #expect(counts.allSatisfy { (800...1_200).contains($0) })
        #expect((0..<1_000).allSatisfy { _ in (3...5).contains(random.int(in: 3...5)) })
    }

    @Test("Short events are padded with a click id into the size range")
    func padding() throws {
        // A range above the natural sizes forces the padding path on most events.
        var generator = CorpusGenerator(seed: 4, startTimeMicros: CorpusGenerator.defaultStartTimeMicros,
                                        sizeRange: 760...900)
        var padded = 0
        for _ in 0..<2_000 {
            let json = generator.next()
            #expect((760...900).contains(json.count))
            let object = try #require(JSONSerialization.jsonObject(with: Data(json)) as? [String: Any])
            let context = try #require(object["context"] as? [String: Any])
            let url = try #require((context["page"] as? [String: Any])?["url"] as? String)
            #expect(URL(string: url) != nil)
            let clickIDs = ["gclid=", "fbclid=", "msclkid=", "ttclid=", "mc_eid=", "ref_id=", "_gl="]
            if clickIDs.contains(where: url.contains) { padded += 1 }
        }
        #expect(padded > 1_000)
    }

    @Test("Oversized events are compacted: purchases shed lines, others the screen")
    func compaction() throws {
        var generator = CorpusGenerator(seed: 8)
        var compacted = 0
        for _ in 0..<5_000 {
            let json = generator.next()
            let object = try #require(JSONSerialization.jsonObject(with: Data(json)) as? [String: Any])
            let context = try #require(object["context"] as? [String: Any])
            if context["screen"] == nil { compacted += 1 }
            if object["type"] as? String == "purchase" {
                let properties = try #require(object["properties"] as? [String: Any])
                let items = try #require(properties["items"] as? [[String: Any]])
                #expect(!items.isEmpty)
                let total = items.reduce(0.0) {
                    $0 + ($1["price"] as? Double ?? 0) * Double($1["qty"] as? Int ?? 0)
                }
                #expect(abs(total - (properties["total"] as? Double ?? -1)) < 0.005)
            }
        }
        #expect(compacted > 0 && compacted < 1_000)
    }
}
