import CairnModel
import CairnTestSupport
import Foundation
import Testing

/// The tests' seeded generator (SplitMix64, from CairnTestSupport) under its old name here.
typealias SeededRandom = SplitMix64

extension SplitMix64 {
    mutating func bytes(count: Int) -> [UInt8] { bytes(count) }
}

/// Seeds and sizes for randomized tests: `CAIRN_SEED=N` replays one seed,
/// `CAIRN_TORTURE=1` runs a hundred times longer.
enum Randomized {
    static var seed: UInt64 {
        if let text = ProcessInfo.processInfo.environment["CAIRN_SEED"], let seed = UInt64(text) { return seed }
        return 0xCA1F_2026
    }

    static func iterations(_ normal: Int) -> Int {
        ProcessInfo.processInfo.environment["CAIRN_TORTURE"] == "1" ? normal * 100 : normal
    }
}

/// The captured client requests in `shared/fixtures/clients`, found relative to this file.
enum ClientFixtures {
    static let directory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent()
        .appendingPathComponent("../../../shared/fixtures/clients")
        .standardized

    static var available: Bool {
        FileManager.default.fileExists(atPath: directory.appendingPathComponent("tracardi-js_chromium.json").path)
    }

    /// The requests in one fixture file, parsed with our own parser.
    static func requests(_ name: String) throws -> [JSONObject] {
        let bytes = try [UInt8](Data(contentsOf: directory.appendingPathComponent(name)))
        let value = try JSONParser.parse(bytes)
        return try #require(value.arrayValue).compactMap(\.objectValue)
    }

    /// The names of every fixture file.
    static func names() throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasSuffix(".json") }.sorted()
    }
}

/// One line of each event type from `cairn-corpus --seed 1`, verbatim.
enum CorpusSamples {
    static let lines: [String] = [
        #"{"id":"ada1edc1-4b2e-4cae-9d05-ecd5ca727a6c","type":"page-view","time":"2026-01-01T00:00:00.172029Z","source":{"id":"cairn-web-store"},"session":{"id":"484682ea-250b-4526-867d-9b1a496c85a1"},"profile":{"id":"abc4bfd1-7f51-45ad-8b2e-460131f56750"},"context":{"page":{"url":"https://shop.cairn.example/p/tempo-road-running-shoe?utm_source=google&utm_medium=cpc&utm_campaign=winter_sale_2026","title":"Tempo Road Running Shoe | Cairn Outfitters","referer":"https://www.google.com/"},"browser":{"userAgent":"Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/26.1 Safari/605.1.15","language":"es-ES"},"utm":{"source":"google","medium":"cpc","campaign":"winter_sale_2026","term":"waterproof jacket"}},"properties":{"section":"product"}}"#,
        #"{"id":"8a295532-7e12-4abb-bb02-209ab3a14a0c","type":"purchase","time":"2026-01-01T00:00:04.100234Z","source":{"id":"cairn-web-store"},"session":{"id":"40733da9-e986-4a91-995b-a522370ca61a"},"profile":{"id":"c3aa975d-32a6-4fa5-954e-dfbb04e43589"},"context":{"page":{"url":"https://shop.cairn.example/checkout/confirmation","title":"Order Confirmed | Cairn Outfitters","referer":"https://shop.cairn.example/"},"browser":{"userAgent":"Mozilla/5.0 (Linux; Android 13; SM-X710) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/143.0.0.0 Safari/537.36","language":"fr-FR"},"screen":{"width":1024,"height":1366}},"properties":{"order_id":"ORD-972412650","items":[{"sku":"CO-10149","qty":1,"price":44.99}],"total":44.99,"currency":"EUR","payment":"paypal"}}"#,
        #"{"id":"844d11d4-ba36-4954-b4f5-d0354a0716b3","type":"product-view","time":"2026-01-01T00:00:07.370655Z","source":{"id":"cairn-web-store"},"session":{"id":"9c5cdfcc-ab68-44c1-998a-4ace20e1c342"},"profile":{"id":"a4b997fc-3570-465a-a76c-aea2e4c5f99c"},"context":{"page":{"url":"https://shop.cairn.example/p/micro-canister-stove","title":"Micro Canister Stove | Cairn Outfitters","referer":"https://shop.cairn.example/"},"browser":{"userAgent":"Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/143.0.0.0 Mobile Safari/537.36","language":"nl-NL"},"screen":{"width":412,"height":915}},"properties":{"sku":"CO-11037","name":"Micro Canister Stove","category":"Camping","price":59.99,"currency":"EUR"}}"#,
        #"{"id":"fa975529-1337-4c74-b3b0-d0aabd27a037","type":"identify","time":"2026-01-01T00:00:07.379448Z","source":{"id":"cairn-web-store"},"session":{"id":"270fcea1-af79-4459-a323-4a6ad0db67dc"},"profile":{"id":"b519a9f7-1cf4-442d-ac61-9aaa37a6ae50"},"context":{"page":{"url":"https://shop.cairn.example/account/login","title":"Sign In | Cairn Outfitters","referer":"https://shop.cairn.example/search?q=waterproof+jacket"},"browser":{"userAgent":"Mozilla/5.0 (iPhone; CPU iPhone OS 18_7 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/26.1 Mobile/15E148 Safari/604.1","language":"en-US"},"screen":{"width":430,"height":932}},"properties":{"email":"ava.nowak69@outlook.com","firstname":"Ava","lastname":"Nowak","login":"anowak69","method":"google"}}"#,
        #"{"id":"805d9359-0511-4c1e-b851-7c33c344d153","type":"add-to-cart","time":"2026-01-01T00:00:12.520890Z","source":{"id":"cairn-web-store"},"session":{"id":"767b1e9c-4711-475a-834f-7f99156a1e02"},"profile":{"id":"968ac871-f444-430a-abe7-12dd16ececa6"},"context":{"page":{"url":"https://shop.cairn.example/p/gravel-bike-helmet-mips","title":"Gravel Bike Helmet MIPS | Cairn Outfitters","referer":"https://shop.cairn.example/c/camping"},"browser":{"userAgent":"Mozilla/5.0 (iPhone; CPU iPhone OS 18_7 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/26.1 Mobile/15E148 Safari/604.1","language":"fr-FR"},"screen":{"width":414,"height":896}},"properties":{"sku":"CO-11185","name":"Gravel Bike Helmet MIPS","price":129.99,"qty":1,"cart_items":1,"currency":"EUR"}}"#,
    ]

    static var events: [Event] {
        get throws { try lines.map { try CorpusLine.parse(line: Array($0.utf8)) } }
    }
}

/// Parses a JSON literal written in a test.
func json(_ text: String) throws -> JSONValue {
    try JSONParser.parse(Array(text.utf8))
}

/// The canonical text of a value, as a String.
func canonical(_ value: JSONValue) -> String {
    String(decoding: value.serialized(), as: UTF8.self)
}
