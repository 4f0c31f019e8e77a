/// A deterministic stream of realistic customer-data-platform events.
///
/// Each call to ``next()`` returns one Tracardi-style tracker event (a
/// `page-view`, `product-view`, `add-to-cart`, `identify` or `purchase`) as
/// compact JSON of ``sizeRange`` bytes. The stream behaves like a busy web
/// shop: about 32 visits are in progress at once and their events
/// interleave; each visit belongs to a profile drawn from a pool of 50,000
/// with a Zipf-like skew, keeps its session id, device and traffic source
/// for several events, and walks pages, products and a cart. Time advances
/// by small random gaps (about 150 ms on average), never backwards.
///
/// The output depends only on the seed and start time: the same arguments
/// give byte-identical events on every run and machine. The generator uses
/// its own PRNG (``SeededGenerator``), integer arithmetic and fixed tables,
/// never the system random source, the clock or dictionary order.
///
/// ```swift
/// var corpus = CorpusGenerator(seed: 42)
/// let json: [UInt8] = corpus.next()
/// let event = corpus.nextEvent()   // the JSON plus time, type and profile id
/// ```
public struct CorpusGenerator: Sendable {
    /// 2026-01-01T00:00:00Z in microseconds since the Unix epoch: the default start time.
    public static let defaultStartTimeMicros: Int64 = 1_767_225_600_000_000

    /// Start times the generator accepts: 0001-01-01T00:00:00Z up to
    /// 9000-01-01T00:00:00Z, so every event time has a four-digit year.
    public static let supportedStartTimes: ClosedRange<Int64> = -62_135_596_800_000_000...221_845_392_000_000_000

    /// The size, in bytes, of every event's JSON.
    public static let sizeRange: ClosedRange<Int> = 500...800

    /// How many visits are in progress at once (their events interleave).
    static let concurrentSessions = 32

    private var random: SeededGenerator
    private var clock: Int64
    private var sessions: [Session]
    /// Mixed into profile derivation so different seeds see different profile ids.
    private let key: UInt64
    private let range: ClosedRange<Int>

    /// Creates a generator.
    ///
    /// - Parameters:
    ///   - seed: Fixes the whole stream; equal seeds give identical output.
    ///   - startTimeMicros: The time the stream starts at, in microseconds
    ///     since the Unix epoch; the first event comes a fraction of a second
    ///     later. Defaults to 2026-01-01T00:00:00Z. Must lie in
    ///     ``supportedStartTimes``.
    public init(seed: UInt64, startTimeMicros: Int64 = CorpusGenerator.defaultStartTimeMicros) {
        self.init(seed: seed, startTimeMicros: startTimeMicros, sizeRange: CorpusGenerator.sizeRange)
    }

    /// Creates a generator that fits events into `sizeRange` instead (tests
    /// use this to exercise padding). The range must be at least 100 bytes
    /// wide and able to hold a compacted event.
    init(seed: UInt64, startTimeMicros: Int64, sizeRange: ClosedRange<Int>) {
        precondition(sizeRange.upperBound - sizeRange.lowerBound >= 100, "size range too narrow")
        precondition(CorpusGenerator.supportedStartTimes.contains(startTimeMicros), "start time out of range")
        var random = SeededGenerator(seed: seed)
        key = random.next()
        var sessions: [Session] = []
        sessions.reserveCapacity(CorpusGenerator.concurrentSessions)
        for _ in 0..<CorpusGenerator.concurrentSessions {
            sessions.append(Session(key: key, using: &random))
        }
        self.random = random
        self.sessions = sessions
        clock = startTimeMicros
        range = sizeRange
    }

    /// Returns the next event as compact JSON bytes (no trailing newline).
    public mutating func next() -> [UInt8] {
        let plan = makePlan()
        return render(plan)
    }

    /// Returns the next event with its time, type and profile id alongside the JSON.
    ///
    /// Advances the stream exactly like ``next()``, so the two can be mixed.
    public mutating func nextEvent() -> CorpusEvent {
        let plan = makePlan()
        return CorpusEvent(
            json: render(plan), timestampMicros: plan.micros,
            type: plan.kind.name, profileID: plan.session.profile.idString
        )
    }

    /// The first `count` events for `seed`, each as compact JSON bytes.
    public static func lines(seed: UInt64, count: Int) -> [[UInt8]] {
        var generator = CorpusGenerator(seed: seed)
        var result: [[UInt8]] = []
        result.reserveCapacity(max(0, count))
        for _ in 0..<max(0, count) {
            result.append(generator.next())
        }
        return result
    }

    /// Renders `plan`, compacting or padding the layout until the size fits.
    private func render(_ plan: EventPlan) -> [UInt8] {
        // Room for the largest layout of any event before it is compacted.
        JSONWriter.withScratch(capacity: 4096) { out in
            var layout = EventLayout()
            for _ in 0..<16 {
                out.reset()
                EventTemplates.render(plan, layout: layout, into: &out)
                if out.count > range.upperBound {
                    // Shed purchase lines down to two, then the screen, then the
                    // second line, then the rest of the optional detail.
                    let lines = min(layout.itemLimit, plan.items.count)
                    if lines > 2 || (lines == 2 && layout.level >= 1) {
                        layout.itemLimit = lines - 1
                    } else if layout.level < EventLayout.maxLevel {
                        layout.level += 1
                    } else {
                        break
                    }
                } else if out.count < range.lowerBound, layout.padding == 0 {
                    // Pad past the minimum by a stable, event-specific few bytes
                    // so sizes don't pile up exactly at the bound.
                    let slack = Int(SplitMix64.mix(plan.idHigh) % 32)
                    layout.padding = range.lowerBound - out.count + slack
                } else {
                    return out.bytes
                }
            }
            preconditionFailure("cannot fit a \(plan.kind.name) event into \(range) bytes")
        }
    }

    /// Draws everything about the next event and advances the visit it belongs to.
    private mutating func makePlan() -> EventPlan {
        let slot = random.int(below: sessions.count)
        clock += Int64(random.int(below: 250_000))
        if random.chance(1, in: 100) {
            clock += Int64(random.int(below: 5_000_000))
        }
        var session = sessions[slot]
        let landing = session.emitted == 0
        let kind = landing
            ? EventKind.pageView
            : EventKind(rawValue: EventKind.followUpChoice.pick(using: &random)) ?? .pageView
        let referer: EventPlan.Referer
        switch (landing, session.origin) {
        case (false, _): referer = .page(session.page)
        case (true, .direct): referer = .none
        case (true, .organic(let index)): referer = .external(Traffic.organicReferers[index])
        case (true, .campaign(let index)): referer = Traffic.campaigns[index].referer.map { .external($0) } ?? .none
        }
        var plan = EventPlan(
            kind: kind, idHigh: random.next(), idLow: random.next(), micros: clock,
            session: session, page: 0, referer: referer, landing: landing
        )
        plan.chooseDetails(session: &session, using: &random)
        session.page = plan.page
        session.emitted += 1
        session.remaining -= 1
        plan.session = session
        sessions[slot] = session.remaining > 0 ? session : Session(key: key, using: &random)
        return plan
    }
}
