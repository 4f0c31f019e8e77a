/// Renders an ``EventPlan`` as one compact Tracardi-style event object:
///
///     {"id":…,"type":…,"time":…,"source":{"id":…},"session":{"id":…},
///      "profile":{"id":…},"context":{"page":{…},"browser":{…},"screen":{…},
///      "utm":{…}},"properties":{…}}
///
/// `screen` and `utm` are optional (see ``EventLayout``; `utm` only on a
/// campaign session's landing event). Rendering draws no random numbers.
enum EventTemplates {
    static func render(_ plan: EventPlan, layout: EventLayout, into out: inout JSONWriter) {
        let session = plan.session
        out.raw("{\"id\":")
        out.uuid(plan.idHigh, plan.idLow)
        out.raw(",\"type\":\"")
        out.raw(plan.kind.nameBytes)
        out.raw("\",\"time\":")
        out.timestamp(micros: plan.micros)
        out.raw(",\"source\":{\"id\":\"")
        out.raw(Traffic.sources[session.source])
        out.raw("\"},\"session\":{\"id\":")
        out.uuid(session.idHigh, session.idLow)
        out.raw("},\"profile\":{\"id\":")
        out.uuid(session.profile.idHigh, session.profile.idLow)
        out.raw("},\"context\":{")
        page(plan, layout: layout, into: &out)
        out.raw(",\"browser\":{\"userAgent\":\"")
        out.raw(Audience.agents[session.agent].userAgent)
        out.raw("\",\"language\":\"")
        out.raw(Audience.languages[session.profile.language].code)
        out.raw("\"}")
        if layout.level < 1 {
            out.raw(",\"screen\":{\"width\":")
            out.int(session.screenWidth)
            out.raw(",\"height\":")
            out.int(session.screenHeight)
            out.byte(UInt8(ascii: "}"))
        }
        if plan.landing, let campaign = session.campaign {
            utm(campaign, into: &out)
        }
        out.raw("},\"properties\":{")
        properties(plan, layout: layout, into: &out)
        out.raw("}}")
    }

    private static func page(_ plan: EventPlan, layout: EventLayout, into out: inout JSONWriter) {
        let page = Catalog.pages[plan.page]
        var hasQuery = page.hasQuery
        out.raw("\"page\":{\"url\":\"")
        out.raw(Catalog.origin)
        out.raw(page.path)
        let campaign = plan.session.campaign
        if plan.landing, layout.level < 2, let campaign {
            out.byte(hasQuery ? UInt8(ascii: "&") : UInt8(ascii: "?"))
            out.raw(campaign.query)
            hasQuery = true
        }
        if layout.padding > 0 {
            let parameter = campaign?.clickParameter ?? Traffic.linkerParameter
            out.byte(hasQuery ? UInt8(ascii: "&") : UInt8(ascii: "?"))
            out.raw(parameter)
            out.byte(UInt8(ascii: "="))
            clickID(length: max(12, layout.padding - parameter.count - 2), seed: plan.idLow, into: &out)
        }
        out.raw("\",\"title\":\"")
        out.raw(page.title)
        out.raw("\",\"referer\":")
        switch layout.level < 3 ? plan.referer : .none {
        case .none:
            out.raw("null")
        case .external(let url):
            out.byte(UInt8(ascii: "\""))
            out.raw(url)
            out.byte(UInt8(ascii: "\""))
        case .page(let index):
            out.byte(UInt8(ascii: "\""))
            out.raw(Catalog.origin)
            out.raw(Catalog.pages[index].path)
            out.byte(UInt8(ascii: "\""))
        }
        out.byte(UInt8(ascii: "}"))
    }

    private static func utm(_ campaign: Traffic.Campaign, into out: inout JSONWriter) {
        out.raw(",\"utm\":{\"source\":\"")
        out.raw(campaign.source)
        out.raw("\",\"medium\":\"")
        out.raw(campaign.medium)
        out.raw("\",\"campaign\":\"")
        out.raw(campaign.campaign)
        if let term = campaign.term {
            out.raw("\",\"term\":\"")
            out.raw(term)
        }
        if let content = campaign.content {
            out.raw("\",\"content\":\"")
            out.raw(content)
        }
        out.raw("\"}")
    }

    /// A click id such as ad networks append: URL-safe base64 characters
    /// derived from `seed` (no random draws, so re-rendering is stable).
    private static func clickID(length: Int, seed: UInt64, into out: inout JSONWriter) {
        var mixer = SplitMix64(state: seed)
        var bits: UInt64 = 0
        var available = 0
        for _ in 0..<length {
            if available < 6 {
                bits = mixer.next()
                available = 64
            }
            out.byte(clickAlphabet[Int(bits & 63)])
            bits >>= 6
            available -= 6
        }
    }

    private static let clickAlphabet: [UInt8] =
        Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)

    private static func properties(_ plan: EventPlan, layout: EventLayout, into out: inout JSONWriter) {
        let session = plan.session
        switch plan.kind {
        case .pageView:
            out.raw("\"section\":\"")
            out.raw(Catalog.pages[plan.page].section)
            out.byte(UInt8(ascii: "\""))
        case .productView, .addToCart:
            let product = Catalog.products[plan.product]
            out.raw("\"sku\":\"")
            out.raw(product.sku)
            out.raw("\",\"name\":\"")
            out.raw(product.name)
            if plan.kind == .productView {
                out.raw("\",\"category\":\"")
                out.raw(product.category)
            }
            out.raw("\",\"price\":")
            out.cents(product.price)
            if plan.kind == .addToCart {
                out.raw(",\"qty\":")
                out.int(plan.quantity)
                out.raw(",\"cart_items\":")
                out.int(plan.cartLines)
            }
            out.raw(",\"currency\":\"")
            out.raw(session.currency)
            out.byte(UInt8(ascii: "\""))
        case .identify:
            let profile = session.profile
            out.raw("\"email\":\"")
            profile.writeEmail(to: &out)
            out.raw("\",\"firstname\":\"")
            out.raw(Audience.firstNames[profile.firstName].display)
            out.raw("\",\"lastname\":\"")
            out.raw(Audience.lastNames[profile.lastName].display)
            out.raw("\",\"login\":\"")
            profile.writeLogin(to: &out)
            out.raw("\",\"method\":\"")
            out.raw(Audience.identifyMethods[plan.method])
            out.byte(UInt8(ascii: "\""))
        case .purchase:
            out.raw("\"order_id\":\"ORD-")
            out.padded(Int(plan.orderNumber % 1_000_000_000), width: 9)
            out.raw("\",\"items\":[")
            var total = 0
            for (position, line) in plan.items.prefix(layout.itemLimit).enumerated() {
                let product = Catalog.products[line.product]
                if position > 0 { out.byte(UInt8(ascii: ",")) }
                out.raw("{\"sku\":\"")
                out.raw(product.sku)
                out.raw("\",\"qty\":")
                out.int(line.quantity)
                out.raw(",\"price\":")
                out.cents(product.price)
                out.byte(UInt8(ascii: "}"))
                total += product.price * line.quantity
            }
            out.raw("],\"total\":")
            out.cents(total)
            out.raw(",\"currency\":\"")
            out.raw(session.currency)
            out.raw("\",\"payment\":\"")
            out.raw(EventPlan.paymentMethods[plan.payment])
            out.byte(UInt8(ascii: "\""))
        }
    }
}
