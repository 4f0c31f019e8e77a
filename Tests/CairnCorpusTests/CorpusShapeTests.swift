import CairnCorpus
import Foundation
import Testing

/// The fields of one parsed event that the checks below look at.
struct ParsedEvent: Sendable {
    let size: Int
    let id: String?
    let type: String?
    let time: String?
    let sourceID: String?
    let sessionID: String?
    let profileID: String?
    let url: String?
    let title: String?
    let userAgent: String?
    let language: String?
    let hasReferer: Bool
    let properties: [String]
    let event: CorpusEvent

    init?(_ event: CorpusEvent) {
        guard let object = try? JSONSerialization.jsonObject(with: Data(event.json)) as? [String: Any] else {
            return nil
        }
        let context = object["context"] as? [String: Any]
        let page = context?["page"] as? [String: Any]
        let browser = context?["browser"] as? [String: Any]
        size = event.json.count
        id = object["id"] as? String
        type = object["type"] as? String
        time = object["time"] as? String
        sourceID = (object["source"] as? [String: Any])?["id"] as? String
        sessionID = (object["session"] as? [String: Any])?["id"] as? String
        profileID = (object["profile"] as? [String: Any])?["id"] as? String
        url = page?["url"] as? String
        title = page?["title"] as? String
        userAgent = browser?["userAgent"] as? String
        language = browser?["language"] as? String
        hasReferer = page?.keys.contains("referer") ?? false
        properties = ((object["properties"] as? [String: Any])?.keys).map { Array($0).sorted() } ?? []
        self.event = event
    }
}

/// 20,000 events of one seed, generated and parsed once for all the tests.
enum SampleCorpus {
    static let count = 20_000
    static let events: [CorpusEvent] = {
        var generator = CorpusGenerator(seed: 2026)
        return (0..<count).map { _ in generator.nextEvent() }
    }()
    static let parsed: [ParsedEvent?] = events.map(ParsedEvent.init)
}

@Suite("Corpus event shape")
struct CorpusShapeTests {
    @Test("Every event is one JSON object of 500 to 800 bytes, without a newline")
    func parsesAndFitsSize() {
        #expect(CorpusGenerator.sizeRange == 500...800)
        let unparsed = SampleCorpus.parsed.filter { $0 == nil }.count
        #expect(unparsed == 0)
        let sizes = SampleCorpus.events.map(\.json.count)
        #expect(sizes.allSatisfy { CorpusGenerator.sizeRange.contains($0) })
        #expect(!SampleCorpus.events.contains { $0.json.contains(UInt8(ascii: "\n")) })
        let average = Double(sizes.reduce(0, +)) / Double(sizes.count)
        #expect(average > 550 && average < 780)
    }

    @Test("Required Tracardi fields are present and agree with CorpusEvent")
    func requiredFields() throws {
        let uuid = try Regex("^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")
        let time = try Regex("^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{6}Z$")
        for case let event? in SampleCorpus.parsed.prefix(3_000) {
            #expect(event.id?.wholeMatch(of: uuid) != nil)
            #expect(event.sessionID?.wholeMatch(of: uuid) != nil)
            #expect(event.profileID?.wholeMatch(of: uuid) != nil)
            #expect(event.time?.wholeMatch(of: time) != nil)
            #expect(event.sourceID?.isEmpty == false)
            #expect(event.url?.hasPrefix("https://") == true)
            #expect(event.title?.isEmpty == false)
            #expect(event.userAgent?.hasPrefix("Mozilla/5.0 (") == true)
            #expect(event.language?.count == 5)
            #expect(event.hasReferer)
            #expect(event.type == event.event.type)
            #expect(event.profileID == event.event.profileID)
        }
    }

    @Test("Each type carries its own properties")
    func propertiesPerType() {
        let expected: [String: Set<String>] = [
            "page-view": ["section"],
            "product-view": ["sku", "name", "category", "price", "currency"],
            "add-to-cart": ["sku", "name", "price", "qty", "cart_items", "currency"],
            "identify": ["email", "firstname", "lastname", "login", "method"],
            "purchase": ["order_id", "items", "total", "currency", "payment"],
        ]
        for case let event? in SampleCorpus.parsed {
            #expect(expected[event.type ?? ""] == Set(event.properties), "\(event.type ?? "nil")")
        }
    }

    @Test("The type mix is mostly page views with some identifies, carts and purchases")
    func typeMix() {
        var counts: [String: Int] = [:]
        for event in SampleCorpus.events { counts[event.type, default: 0] += 1 }
        func share(_ type: String) -> Double { Double(counts[type] ?? 0) / Double(SampleCorpus.count) }
        #expect(Set(counts.keys) == ["page-view", "product-view", "add-to-cart", "identify", "purchase"])
        #expect((0.64...0.76).contains(share("page-view")), "page-view \(share("page-view"))")
        #expect((0.08...0.12).contains(share("identify")), "identify \(share("identify"))")
        #expect((0.05...0.10).contains(share("purchase")), "purchase \(share("purchase"))")
        #expect((0.03...0.10).contains(share("add-to-cart")), "add-to-cart \(share("add-to-cart"))")
        #expect((0.03...0.10).contains(share("product-view")), "product-view \(share("product-view"))")
    }

    @Test("Profiles and sessions repeat; event ids never do")
    func repetition() {
        let events = SampleCorpus.parsed.compactMap { $0 }
        let profiles = Set(events.compactMap(\.profileID))
        let sessions = Set(events.compactMap(\.sessionID))
        let ids = Set(events.compactMap(\.id))
        #expect(ids.count == events.count)
        #expect(profiles.count < events.count / 4, "distinct profiles \(profiles.count)")
        #expect(sessions.count < events.count / 2, "distinct sessions \(sessions.count)")
        #expect(profiles.count > 500)
        // Skew: the busiest profile is far above the average.
        var perProfile: [String: Int] = [:]
        for event in events { perProfile[event.profileID ?? "", default: 0] += 1 }
        let busiest = perProfile.values.max() ?? 0
        #expect(busiest > 10 * events.count / profiles.count, "busiest profile \(busiest)")
        // A session always belongs to one profile.
        var owner: [String: String] = [:]
        for event in events {
            guard let session = event.sessionID, let profile = event.profileID else { continue }
            #expect(owner[session, default: profile] == profile)
            owner[session] = profile
        }
    }

    @Test("Timestamps never go backwards and advance by small gaps")
    func timestamps() {
        let micros = SampleCorpus.events.map(\.timestampMicros)
        #expect(micros.first.map { $0 >= CorpusGenerator.defaultStartTimeMicros } == true)
        #expect(zip(micros, micros.dropFirst()).allSatisfy { $0 <= $1 })
        let maxGap = zip(micros, micros.dropFirst()).map { $1 - $0 }.max() ?? 0
        #expect(maxGap <= 6_000_000)
        // The fixed-width time strings sort the same way.
        let times = SampleCorpus.parsed.compactMap { $0?.time }
        #expect(zip(times, times.dropFirst()).allSatisfy { $0 <= $1 })
        #expect(times.first?.hasPrefix("2026-01-01T00:00:0") == true)
    }

    @Test("The time string is the timestamp in UTC")
    func timeMatchesTimestamp() throws {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        for case let event? in SampleCorpus.parsed.prefix(200) {
            let text = try #require(event.time)
            let date = try #require(formatter.date(from: text))
            let micros = event.event.timestampMicros
            #expect(abs(date.timeIntervalSince1970 * 1_000_000 - Double(micros)) < 1_000)
            #expect(text.hasSuffix(String(format: "%06dZ", Int(micros % 1_000_000))))
        }
    }
}
