import CairnModel
import CairnTestSupport

/// Shop events for the workflows of `Configuration/every-action/`, generated from a seed: visits
/// of a few to a dozen events by one shopper, in one session (a new one, or the last one again),
/// separated by pauses, some longer than the session timeout. Carts fill before purchases, which
/// take a product from the cart; refunds follow purchases; identify events share a few e-mail
/// addresses and logins a few customer ids, so that profiles merge. The same seed always gives
/// the same events.
struct EveryActionEvents {
    static let startMicros: Int64 = 1_772_960_400_000_000  // 2026-03-08T09:00:00Z, a Sunday
    static let second: Int64 = 1_000_000

    private var random: SplitMix64
    private var carts: [[String]]
    private var bought: [Bool]
    private var visits: [Int]
    private var now = startMicros
    private(set) var events: [(Event, Int64)] = []

    /// `count` events (the last visit is cut short) of `shoppers` shoppers.
    static func generate(seed: UInt64, count: Int, shoppers: Int = 24) -> [(Event, Int64)] {
        var generator = EveryActionEvents(seed: seed, shoppers: shoppers)
        while generator.events.count < count { generator.visit() }
        return Array(generator.events.prefix(count))
    }

    private init(seed: UInt64, shoppers: Int) {
        random = SplitMix64(seed: seed)
        carts = Array(repeating: [], count: shoppers)
        bought = Array(repeating: false, count: shoppers)
        visits = Array(repeating: 0, count: shoppers)
    }

    private mutating func visit() {
        let shopper = random.below(carts.count)
        if visits[shopper] == 0 || random.chance(0.7) { visits[shopper] += 1 }
        let session = "s-\(shopper)-\(visits[shopper])"
        for _ in 0..<(2 + random.below(10)) {
            now += Int64(1 + random.below(90)) * Self.second
            add(shopper: shopper, session: session)
        }
        // A pause: now and then longer than the 30 minutes after which a session closes.
        now += (random.chance(0.25) ? Int64(35 * 60) : Int64(random.below(300))) * Self.second
        if random.chance(0.05) {
            events.append((event("anonymous-\(events.count)", "page-view", profile: nil, session: nil, ["path": "/"]), now))
        }
    }

    private mutating func add(shopper: Int, session: String) {
        let profile = "shopper-\(shopper)"
        let roll = random.below(100)
        let id = "e\(events.count)"
        var made: Event
        switch roll {
        case 0..<15:
            let sku = "SKU-\(100 + random.below(12))"
            if !carts[shopper].contains(sku) { carts[shopper].append(sku) }
            made = event(id, "add-to-cart", profile: profile, session: session, ["sku": .string(sku)])
        case 15..<27 where !carts[shopper].isEmpty:
            let sku = carts[shopper].remove(at: random.below(carts[shopper].count))
            let (price, quantity) = (Int64(20 + random.below(60)), Int64(1 + random.below(3)))
            bought[shopper] = true
            made = event(id, "purchase", profile: profile, session: session,
                         ["sku": .string(sku), "price": .integer(price), "quantity": .integer(quantity), "total": .integer(price * quantity)])
        case 27..<31 where bought[shopper]:
            made = event(id, "refund", profile: profile, session: session, ["reason": "size"])
        case 31..<39:
            let plans: [JSONValue] = ["free", "pro", "gold"]
            made = event(id, "identify", profile: profile, session: session,
                         ["email": .string("User\(random.below(8))@Example.com"), "plan": plans[random.below(3)]])
        case 39..<46:
            let queries = ["  Hiking Boots  ", "trail  RUNNING shoes", " Rain Jacket"]
            made = event(id, "search", profile: profile, session: session, ["query": .string(queries[random.below(3)])])
        case 46..<51:
            made = event(id, "consent-granted", profile: profile, session: session, ["consents": ["marketing"]])
        case 51..<54:
            made = event(id, "consent-revoked", profile: profile, session: session, ["marketing": true])
        case 54..<59:
            made = event(id, "login", profile: profile, session: session, ["customer_id": .string("C-\(random.below(6))")])
        default:
            let paths = ["/", "/boots", "/boots/trail", "/cart", "/sale"]
            var properties: JSONObject = ["path": .string(paths[random.below(paths.count)])]
            if random.chance(0.2) { properties["campaign"] = .string("spring-\(random.below(3))") }
            made = event(id, "page-view", profile: profile, session: session, properties)
        }
        // A few events come without a time of their own: the log's time is theirs.
        if random.chance(0.03) { made.clientTime = nil }
        events.append((made, now))
    }

    /// An event from the web source, its personal fields separated as at ingest.
    private func event(_ id: String, _ type: String, profile: String?, session: String?, _ properties: JSONObject) -> Event {
        PersonalDataPolicy.default.separate(Event(
            id: id, type: EventType(normalized: type)!, clientTime: now, sourceID: "web", sessionID: session, profileID: profile,
            properties: properties, context: ["page": ["url": "https://shop.example/"]]))
    }
}
