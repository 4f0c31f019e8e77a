import CairnModel
import Testing

@Suite("Event types")
struct EventTypeTests {
    @Test("Normalization lower-cases, trims and turns spaces into dashes", arguments: [
        ("page-view", "page-view"),
        ("Page View", "page-view"),
        ("  Order Completed \n", "order-completed"),
        ("\tIDENTIFY", "identify"),
        ("Add  To Cart", "add--to-cart"),
        ("ÄPFEL Kaufen", "äpfel-kaufen"),
        ("$pageview", "$pageview"),
        ("product_view", "product_view"),
        ("a", "a"),
    ])
    func normalizes(input: String, expected: String) throws {
        #expect(try EventType.normalize(input) == expected)
        #expect(try EventType(input).rawValue == expected)
        #expect(EventType(normalized: expected)?.rawValue == expected)
    }

    @Test("Empty, over-long and control-character types are errors", arguments: [
        ("", "empty"),
        ("   \n\t", "empty"),
        ("page\tview", "U+0009"),
        ("page\u{0}view", "U+0000"),
        ("bad\u{85}type", "U+0085"),
        (String(repeating: "x", count: 129), "129 bytes long; the limit is 128"),
        (String(repeating: "é", count: 65), "130 bytes long"),
    ])
    func rejects(input: String, expected: String) throws {
        let error = try #require(throws: ModelError.self) { try EventType.normalize(input) }
        #expect(error.code == .invalidEventType)
        #expect(error.message.contains(expected), "\(error)")
    }

    @Test("128 bytes is allowed; an unnormalized name is not a normalized type")
    func bounds() throws {
        #expect(try EventType.normalize(String(repeating: "x", count: 128)).utf8.count == 128)
        #expect(EventType(normalized: "Page View") == nil)
        #expect(EventType(normalized: " page") == nil)
        let literal: EventType = "Page View"
        #expect(literal.rawValue == "page-view")
    }
}

@Suite("Client times")
struct ClientTimeTests {
    static let readable: [(JSONValue, Int64)] = [
        // tracardi-js: events[].time.create and context.time.local
        ("2026-11-29T09:21:12.569Z", 1_795_944_072_569_000),
        (["create": "2026-11-29T09:21:12.569Z"], 1_795_944_072_569_000),
        // Segment and PostHog Python clients: microseconds and a numeric offset
        ("2026-11-29T09:20:45.087465+00:00", 1_795_944_045_087_465),
        ("2026-11-29T10:20:45.087465+01:00", 1_795_944_045_087_465),
        ("2026-11-29T04:20:45.087465-0500", 1_795_944_045_087_465),
        ("2026-11-29T09:20:45.087465+00", 1_795_944_045_087_465),
        // tracardi-track-client: naive UTC with a space
        ("2026-11-29 09:20:42.207621", 1_795_944_042_207_621),
        // without a fraction, lower-case separators, nanoseconds truncated
        ("2026-11-29T09:21:12Z", 1_795_944_072_000_000),
        ("2026-11-29t09:21:12.123456789z", 1_795_944_072_123_456),
        ("2026-11-29T09:21:12,5Z", 1_795_944_072_500_000),
        // tracardi-js x-timestamp header: epoch milliseconds as a string
        ("1795944072575", 1_795_944_072_575_000),
        // epoch numbers: seconds, milliseconds, microseconds, with fractions
        (.integer(1_795_944_072), 1_795_944_072_000_000),
        (.integer(1_795_944_072_575), 1_795_944_072_575_000),
        (.integer(1_795_944_072_575_123), 1_795_944_072_575_123),
        (.number(1_795_944_072.575), 1_795_944_072_575_000),
        (.number(1_795_944_072_575.5), 1_795_944_072_575_500),
        (.number(1_795_944_072_575.0), 1_795_944_072_575_000),
        ("1795944072.575", 1_795_944_072_575_000),
        // the corpus generator
        ("2026-01-01T00:00:00.172029Z", 1_767_225_600_172_029),
        ("1970-01-01T00:00:00Z", 0),
        ("1969-12-31T23:59:59.999999Z", -1),
        ("2024-02-29T00:00:00Z", 1_709_164_800_000_000),
        ("0001-01-01T00:00:00Z", -62_135_596_800_000_000),
        ("9999-12-31T23:59:59.999999Z", 253_402_300_799_999_999),
    ]

    static let unreadable: [JSONValue] = [
        "{'insert': datetime.datetime(2026, 11, 29, 9, 20, 43, 139567)}",
        "2026-02-30T00:00:00Z", "2026-13-01T00:00:00Z", "2026-11-29T24:00:00Z", "2026-11-29T23:60:00Z",
        "2026-11-29T23:59:60Z", "2026-11-29T09:21:12.Z", "2026-11-29T09:21:12.1234567890Z",
        "2026-11-29T09:21:12+25:00", "2026-11-29T09:21:12Zjunk", "2026-11-29", "0000-01-01T00:00:00Z",
        "yesterday", "", "12abc", "1.", ".5", "-", .integer(100_000_000_000_000_000), .null, .bool(true),
        ["insert": "2026-11-29T09:21:12Z"], ["create": ["create": "2026-11-29T09:21:12Z"]], [1],
        .number(1e300),
    ]

    @Test("Every time form found in the fixtures is read", arguments: readable)
    func reads(value: JSONValue, micros: Int64) {
        #expect(ClientTime.parse(value) == micros, "\(value)")
    }

    @Test("Unreadable times are nil, not errors", arguments: unreadable)
    func rejects(value: JSONValue) {
        #expect(ClientTime.parse(value) == nil, "\(value)")
    }

    @Test("ISO 8601 output reads back to the same microsecond")
    func renderAndParse() {
        #expect(ClientTime.iso8601(micros: 1_767_225_600_172_029) == "2026-01-01T00:00:00.172029Z")
        #expect(ClientTime.iso8601(micros: -1) == "1969-12-31T23:59:59.999999Z")
        var random = SeededRandom(seed: Randomized.seed)
        for _ in 0..<Randomized.iterations(2000) {
            let micros = Int64.random(in: ClientTime.microsRange, using: &random)
            #expect(ClientTime.parse(.string(ClientTime.iso8601(micros: micros))) == micros)
        }
    }
}
