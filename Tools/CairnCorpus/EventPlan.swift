/// Every choice behind one event, made before any byte is written.
///
/// Keeping the random draws apart from the rendering lets the generator
/// render the same event again in a more compact or a padded layout, to fit
/// the size range, without disturbing the random stream.
struct EventPlan: Sendable {
    /// What the page's referrer field says.
    enum Referer: Sendable, Equatable {
        /// JSON `null`: typed URL, bookmark, or a mail client.
        case none
        /// A URL on another site (string content, escaped).
        case external([UInt8])
        /// The shop page with this index in ``Catalog/pages``.
        case page(Int)
    }

    var kind: EventKind
    /// The 128 bits of the event's UUID.
    var idHigh: UInt64
    var idLow: UInt64
    var micros: Int64
    /// The session as it was when the event happened.
    var session: Session
    /// Index into ``Catalog/pages``.
    var page: Int
    var referer: Referer
    /// Whether this is the session's landing event (its URL carries the UTM query).
    var landing: Bool
    /// For product events: index into ``Catalog/products``, else -1.
    var product = -1
    /// For `add-to-cart`: units added.
    var quantity = 1
    /// For `add-to-cart`: cart lines after adding.
    var cartLines = 0
    /// For `purchase`: the order lines.
    var items: [Session.CartLine] = []
    /// For `purchase`: the order number's random bits.
    var orderNumber: UInt64 = 0
    /// For `purchase`: index into ``EventPlan/paymentMethods``.
    var payment = 0
    /// For `identify`: index into ``Audience/identifyMethods``.
    var method = 0

    static let paymentMethods: [[UInt8]] = ["card", "card", "card", "paypal", "apple_pay", "klarna"]
        .map { JSONWriter.escaped($0) }
}

/// How to lay an event out; the generator adjusts it until the event fits
/// the size range.
struct EventLayout: Sendable, Equatable {
    /// 0: everything. 1: no `context.screen`. 2: also no UTM query in the
    /// page URL (the `utm` object stays). 3: also a `null` referrer.
    var level = 0
    /// At most this many purchase lines.
    var itemLimit = Int.max
    /// Extra bytes to add as a click-id query parameter on the page URL, 0 for none.
    var padding = 0

    static let maxLevel = 3
}
