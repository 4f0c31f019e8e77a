/// Draws ranks `0..<count` with a skewed, Zipf-like distribution.
///
/// Rank `k` has weight `1 / (k + offset)` (a Zipf–Mandelbrot law with
/// exponent 1). The offset flattens the head so the most popular profile gets
/// about 1–2% of the sessions rather than a tenth of them, while the long
/// tail still holds many rarely seen profiles.
///
/// The cumulative weights are fixed-point integers, so the table and every
/// draw are exact and identical on every machine (no `pow`, no rounding).
struct ZipfSampler: Sendable {
    /// Cumulative weights; `cumulative[k]` is the sum of weights `0...k`.
    private let cumulative: [UInt64]

    /// The number of ranks.
    var count: Int { cumulative.count }

    /// Creates a sampler over `count` ranks; `count` must be positive.
    init(count: Int, offset: Int = 8) {
        precondition(count > 0, "a Zipf sampler needs at least one rank")
        precondition(offset > 0, "the offset must be positive")
        var sums = [UInt64]()
        sums.reserveCapacity(count)
        var total: UInt64 = 0
        for rank in 0..<count {
            total += (1 << 32) / UInt64(rank + offset)
            sums.append(total)
        }
        cumulative = sums
    }

    /// Draws one rank; rank 0 is the most likely.
    func sample(using random: inout SeededGenerator) -> Int {
        let target = random.next(below: cumulative[cumulative.count - 1])
        // First rank whose cumulative weight exceeds the target.
        var low = 0
        var high = cumulative.count - 1
        while low < high {
            let mid = (low + high) / 2
            if cumulative[mid] > target {
                high = mid
            } else {
                low = mid + 1
            }
        }
        return low
    }
}
