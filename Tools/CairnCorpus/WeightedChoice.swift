/// Picks an index from a short list of integer weights.
///
/// Meant for the small tables of the corpus (a few dozen entries), where a
/// linear scan of the cumulative weights is as fast as anything cleverer.
struct WeightedChoice: Sendable {
    private let cumulative: [Int]

    /// Creates a chooser; every weight must be non-negative and at least one positive.
    init(_ weights: [Int]) {
        var running = 0
        var sums = [Int]()
        sums.reserveCapacity(weights.count)
        for weight in weights {
            precondition(weight >= 0, "weights must be non-negative")
            running += weight
            sums.append(running)
        }
        precondition(running > 0, "at least one weight must be positive")
        cumulative = sums
    }

    /// Draws an index with probability proportional to its weight.
    func pick(using random: inout SeededGenerator) -> Int {
        let target = random.int(below: cumulative[cumulative.count - 1])
        var index = 0
        while cumulative[index] <= target {
            index += 1
        }
        return index
    }
}
