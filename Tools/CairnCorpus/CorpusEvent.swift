/// One generated tracker event: its JSON bytes plus the few fields a
/// consumer usually wants without parsing them back out.
public struct CorpusEvent: Sendable, Equatable {
    /// The event as compact UTF-8 JSON, one object, no trailing newline.
    public let json: [UInt8]
    /// Event time in microseconds since the Unix epoch (the `time` field).
    public let timestampMicros: Int64
    /// The event type (the `type` field), e.g. `page-view` or `purchase`.
    public let type: String
    /// The profile the event belongs to (the `profile.id` field), a UUID string.
    public let profileID: String

    /// Creates an event from its parts. The generator is the usual source;
    /// this exists so callers can build fixtures of the same shape.
    public init(json: [UInt8], timestampMicros: Int64, type: String, profileID: String) {
        self.json = json
        self.timestampMicros = timestampMicros
        self.type = type
        self.profileID = profileID
    }
}

/// The kinds of event the corpus emits, with their Tracardi type names.
enum EventKind: Int, Sendable, CaseIterable {
    case pageView
    case productView
    case addToCart
    case identify
    case purchase

    /// The `type` field's value.
    var name: String {
        switch self {
        case .pageView: "page-view"
        case .productView: "product-view"
        case .addToCart: "add-to-cart"
        case .identify: "identify"
        case .purchase: "purchase"
        }
    }

    /// ``name`` as bytes, ready to append.
    var nameBytes: StaticString {
        switch self {
        case .pageView: "page-view"
        case .productView: "product-view"
        case .addToCart: "add-to-cart"
        case .identify: "identify"
        case .purchase: "purchase"
        }
    }

    /// Relative weights (per mille) for events after a session's first,
    /// which is always a `page-view`. With sessions averaging about five
    /// events this gives roughly 70% page views, 10% identifies, 7%
    /// purchases, 6% add-to-carts and 7% product views overall.
    static let followUpChoice = WeightedChoice([627, 87, 75, 124, 87])
}
