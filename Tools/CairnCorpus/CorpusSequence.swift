/// A finite, lazily generated run of corpus events, for `for`-`in` loops
/// over many events without holding them all in memory.
///
/// ```swift
/// for json in CorpusSequence(seed: 7, count: 1_000_000) { write(json) }
/// ```
public struct CorpusSequence: Sequence, IteratorProtocol, Sendable {
    private var generator: CorpusGenerator
    private var remaining: Int

    /// The first `count` events of the stream for `seed` (see ``CorpusGenerator``).
    public init(seed: UInt64, count: Int, startTimeMicros: Int64 = CorpusGenerator.defaultStartTimeMicros) {
        generator = CorpusGenerator(seed: seed, startTimeMicros: startTimeMicros)
        remaining = Swift.max(0, count)
    }

    /// The next event's JSON bytes, or `nil` after `count` events.
    public mutating func next() -> [UInt8]? {
        guard remaining > 0 else { return nil }
        remaining -= 1
        return generator.next()
    }

    /// The number of events still to come.
    public var underestimatedCount: Int { remaining }
}
