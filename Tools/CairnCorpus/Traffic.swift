/// Where sessions come from: tracking sources, marketing campaigns (UTM
/// parameters) and organic referrers. All text is escaped for JSON up front.
enum Traffic {
    /// How a session arrived at the shop.
    enum Origin: Sendable, Equatable {
        /// Typed URL or bookmark: no referrer, no UTM.
        case direct
        /// A search engine or site link; the index is into ``organicReferers``.
        case organic(Int)
        /// A tagged campaign link; the index is into ``campaigns``.
        case campaign(Int)
    }

    struct Campaign: Sendable {
        let source: [UInt8]
        let medium: [UInt8]
        let campaign: [UInt8]
        /// Paid search keyword, if any.
        let term: [UInt8]?
        /// Ad or link variant, if any.
        let content: [UInt8]?
        /// The referring URL the browser reports, or `nil` (e.g. mail clients).
        let referer: [UInt8]?
        /// The click-id query parameter this network appends, e.g. `gclid`.
        let clickParameter: [UInt8]
        /// The landing-page query string: `utm_source=...&utm_medium=...&utm_campaign=...`.
        let query: [UInt8]
    }

    /// Tracardi event-source ids; most traffic goes to the main store source.
    static let sources: [[UInt8]] = ["cairn-web-store", "cairn-blog", "cairn-landing-pages"].map { JSONWriter.escaped($0) }
    static let sourceChoice = WeightedChoice([85, 10, 5])

    /// Direct, organic and campaign sessions, in that order.
    static let originChoice = WeightedChoice([35, 30, 35])

    // (source, medium, campaign, term, content, referer, click parameter, weight)
    private static let campaignRows: [(String, String, String, String?, String?, String?, String, Int)] = [
        ("google", "cpc", "winter_sale_2026", "waterproof jacket", nil, "https://www.google.com/", "gclid", 8),
        ("google", "cpc", "brand_search", "cairn outfitters", nil, "https://www.google.com/", "gclid", 5),
        ("facebook", "paid_social", "winter_sale_2026", nil, "carousel_v2", "https://l.facebook.com/", "fbclid", 5),
        ("instagram", "paid_social", "ultralight_launch", nil, "reel_15s", "https://l.instagram.com/", "fbclid", 4),
        ("newsletter", "email", "weekly_digest_w01", nil, "hero_cta", nil, "mc_eid", 6),
        ("bing", "cpc", "hiking_boots_generic", "hiking boots", nil, "https://www.bing.com/", "msclkid", 2),
        ("trailrunner_daily", "referral", "gear_guide_affiliate", nil, nil, "https://www.trailrunnerdaily.example/", "ref_id", 2),
        ("tiktok", "paid_social", "summit_challenge", nil, "ugc_video_3", "https://www.tiktok.com/", "ttclid", 3),
    ]

    static let campaigns: [Campaign] = campaignRows.map { row in
        Campaign(
            source: JSONWriter.escaped(row.0), medium: JSONWriter.escaped(row.1), campaign: JSONWriter.escaped(row.2),
            term: row.3.map { JSONWriter.escaped($0) }, content: row.4.map { JSONWriter.escaped($0) },
            referer: row.5.map { JSONWriter.escaped($0) }, clickParameter: JSONWriter.escaped(row.6),
            query: JSONWriter.escaped("utm_source=\(row.0)&utm_medium=\(row.1)&utm_campaign=\(row.2)")
        )
    }
    static let campaignChoice = WeightedChoice(campaignRows.map { $0.7 })

    // (referer, weight)
    private static let organicRows: [(String, Int)] = [
        ("https://www.google.com/", 20), ("https://www.bing.com/", 3), ("https://duckduckgo.com/", 3),
        ("https://www.reddit.com/", 2), ("https://www.youtube.com/", 2), ("https://www.ecosia.org/", 1),
        ("https://search.yahoo.com/", 1),
    ]

    static let organicReferers: [[UInt8]] = organicRows.map { JSONWriter.escaped($0.0) }
    static let organicChoice = WeightedChoice(organicRows.map { $0.1 })

    /// The cross-domain linker parameter used to pad URLs of sessions without a click id.
    static let linkerParameter: [UInt8] = JSONWriter.escaped("_gl")
}
