/// One visit to the shop: a profile on one device, arriving from one place,
/// producing a run of events until ``remaining`` reaches zero.
struct Session: Sendable {
    /// A product in the cart and how many of it.
    struct CartLine: Sendable, Equatable {
        var product: Int
        var quantity: Int
    }

    let profile: Profile
    /// The 128 bits of the session's UUID.
    let idHigh: UInt64
    let idLow: UInt64
    /// Index into ``Traffic/sources``.
    let source: Int
    let origin: Traffic.Origin
    /// Index into ``Audience/agents``; usually the profile's own device.
    let agent: Int
    let screenWidth: Int
    let screenHeight: Int

    /// Events still to come in this session.
    var remaining: Int
    /// Events emitted so far; the first one is the landing page view.
    var emitted = 0
    /// The page of the previous event, the referrer of the next one.
    var page = 0
    /// The product last looked at, or -1.
    var lastProduct = -1
    var cart: [CartLine] = []

    /// Starts a new session for a profile drawn from the pool.
    init(key: UInt64, using random: inout SeededGenerator) {
        profile = Profile(rank: Profile.ranks.sample(using: &random), key: key)
        idHigh = random.next()
        idLow = random.next()
        source = Traffic.sourceChoice.pick(using: &random)
        switch Traffic.originChoice.pick(using: &random) {
        case 0: origin = .direct
        case 1: origin = .organic(Traffic.organicChoice.pick(using: &random))
        default: origin = .campaign(Traffic.campaignChoice.pick(using: &random))
        }
        let screen: Int
        if random.chance(17, in: 20) {
            agent = profile.agent
            screen = profile.screen
        } else {
            agent = Audience.agentChoice.pick(using: &random)
            screen = random.int(below: Audience.screens[Audience.agents[agent].device.rawValue].count)
        }
        let size = Audience.screens[Audience.agents[agent].device.rawValue][screen]
        screenWidth = size.width
        screenHeight = size.height
        remaining = Session.drawLength(using: &random)
    }

    /// Session length in events: 15% bounce after one page, the rest see
    /// 2–6 events, and a quarter of those go on for up to 15 more
    /// (about five events on average).
    static func drawLength(using random: inout SeededGenerator) -> Int {
        if random.chance(15, in: 100) { return 1 }
        var length = 2 + random.int(below: 5)
        if random.chance(1, in: 4) { length += random.int(below: 16) }
        return length
    }

    /// The campaign this session came from, if any.
    var campaign: Traffic.Campaign? {
        if case .campaign(let index) = origin { return Traffic.campaigns[index] }
        return nil
    }

    /// The currency the profile shops in.
    var currency: [UInt8] { Audience.languages[profile.language].currency }
}
