/// A customer profile from the corpus's fixed pool, with stable traits.
///
/// Everything about a profile is derived from its popularity rank and the
/// corpus key, so a profile looks the same every time it comes back: same
/// id, same name and e-mail, same language and usual device.
struct Profile: Sendable {
    /// How many distinct profiles the pool holds.
    static let poolSize = 50_000

    /// Skewed draw of profile ranks: a few profiles are very active, most are rare.
    static let ranks = ZipfSampler(count: poolSize)

    let rank: Int
    /// The 128 bits of the profile's UUID.
    let idHigh: UInt64
    let idLow: UInt64
    /// Indices into ``Audience`` tables.
    let firstName: Int
    let lastName: Int
    let emailDomain: Int
    let language: Int
    let agent: Int
    let screen: Int
    /// Number appended to e-mail and login, or -1 for none.
    let suffix: Int

    /// Derives the profile with `rank` under the corpus `key`.
    init(rank: Int, key: UInt64) {
        self.rank = rank
        var traits = SeededGenerator(seed: key ^ SplitMix64.mix(UInt64(rank) &+ 0x5EED))
        idHigh = traits.next()
        idLow = traits.next()
        firstName = traits.int(below: Audience.firstNames.count)
        lastName = traits.int(below: Audience.lastNames.count)
        emailDomain = Audience.emailDomainChoice.pick(using: &traits)
        language = Audience.languageChoice.pick(using: &traits)
        agent = Audience.agentChoice.pick(using: &traits)
        screen = traits.int(below: Audience.screens[Audience.agents[agent].device.rawValue].count)
        switch traits.int(below: 4) {
        case 0, 1: suffix = -1
        case 2: suffix = traits.int(in: 1...99)
        default: suffix = traits.int(in: 1965...2006)
        }
    }

    /// The profile id as the UUID string that appears in `profile.id`.
    var idString: String {
        JSONWriter.withScratch(capacity: 38) { writer in
            writer.uuid(idHigh, idLow)
            return String(decoding: writer.bytes.dropFirst().dropLast(), as: UTF8.self)
        }
    }

    /// Appends the e-mail address (string content, no quotes), e.g. `zoe.nowak88@gmail.com`.
    func writeEmail(to writer: inout JSONWriter) {
        writer.raw(Audience.firstNames[firstName].ascii)
        writer.byte(UInt8(ascii: "."))
        writer.raw(Audience.lastNames[lastName].ascii)
        if suffix >= 0 { writer.int(suffix) }
        writer.byte(UInt8(ascii: "@"))
        writer.raw(Audience.emailDomains[emailDomain])
    }

    /// Appends the login (string content, no quotes), e.g. `znowak88`.
    func writeLogin(to writer: inout JSONWriter) {
        if let initial = Audience.firstNames[firstName].ascii.first {
            writer.byte(initial)
        }
        writer.raw(Audience.lastNames[lastName].ascii)
        if suffix >= 0 { writer.int(suffix) }
    }
}
