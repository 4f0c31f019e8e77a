/// Which keys of a table a scan visits, in which direction, and how many.
///
/// A pure value: `from` and `prefix` are kept as encoded bytes, compared as LMDB compares keys.
///
/// ```swift
/// ScanRange<UInt64>.all                               // every key, ascending
/// .from(100).limited(to: 10)                          // keys >= 100, the first 10
/// .prefix(CompositeKey(profileID)).reversed()         // one profile's keys, newest first
/// ```
/// Forward, `from` is the smallest key visited; reversed, it is the largest. With both `from` and
/// a prefix, a scan visits the keys that satisfy both.
public struct ScanRange<Key: StoreCodec>: Sendable, Equatable {
    /// The inclusive bound where the scan starts, encoded; nil for the first (or last) key.
    public private(set) var start: [UInt8]?
    /// Only keys whose encoding starts with these bytes; empty for all keys.
    public private(set) var prefix: [UInt8] = []
    /// The most entries visited, nil for no limit.
    public private(set) var limit: Int?
    /// Descending key order when true.
    public private(set) var isReversed = false

    private init() {}

    /// Every key, ascending.
    public static var all: ScanRange { ScanRange() }

    /// Keys from `key` on (inclusive), ascending.
    public static func from(_ key: Key) -> ScanRange { ScanRange().starting(at: key) }

    /// Keys whose encoding starts with the encoding of `prefix`, ascending. For `CompositeKey`
    /// keys, pass a `CompositeKey` of the leading components; for `String` keys, a `String`.
    public static func prefix(_ prefix: some StoreCodec) -> ScanRange {
        var range = ScanRange()
        range.prefix = prefix.encoded
        return range
    }

    /// The same range starting at `key` (inclusive).
    public func starting(at key: Key) -> ScanRange {
        var range = self
        range.start = key.encoded
        return range
    }

    /// The same range visiting at most `count` entries.
    public func limited(to count: Int) -> ScanRange {
        precondition(count >= 0, "a scan limit must not be negative: \(count)")
        var range = self
        range.limit = count
        return range
    }

    /// The same range in descending key order.
    public func reversed() -> ScanRange {
        var range = self
        range.isReversed.toggle()
        return range
    }

    /// The smallest byte string greater than every key starting with `prefix`: the prefix with
    /// trailing 0xFF bytes dropped and its last byte incremented; nil when no such string exists
    /// (an empty prefix or one of only 0xFF bytes).
    static func successor(of prefix: [UInt8]) -> [UInt8]? {
        var bytes = prefix
        while let last = bytes.last {
            if last < 0xFF {
                bytes[bytes.count - 1] = last + 1
                return bytes
            }
            bytes.removeLast()
        }
        return nil
    }

    /// Where a cursor goes first, as a pure decision the scan carries out.
    enum Seek: Equatable {
        /// The first key (forward) or the last key (reverse).
        case edge
        /// Forward: the first key >= these bytes.
        case atLeast([UInt8])
        /// Reverse: the last key <= these bytes.
        case atMost([UInt8])
        /// Reverse: the last key < these bytes.
        case below([UInt8])
    }

    var seek: Seek {
        if !isReversed {
            // Start at the larger of `start` and `prefix`: every key with the prefix is >= it.
            let lower = [start, prefix.isEmpty ? nil : prefix].compactMap { $0 }.max { $0.lexicographicallyPrecedes($1) }
            return lower.map(Seek.atLeast) ?? .edge
        }
        let upperExclusive = prefix.isEmpty ? nil : Self.successor(of: prefix)
        switch (start, upperExclusive) {
        case (nil, nil): return .edge
        case (let start?, nil): return .atMost(start)
        case (nil, let upper?): return .below(upper)
        case (let start?, let upper?): return start.lexicographicallyPrecedes(upper) ? .atMost(start) : .below(upper)
        }
    }
}
