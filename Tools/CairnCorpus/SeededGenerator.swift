/// A small, fast, seedable pseudo-random number generator (xoshiro256**).
///
/// The state is expanded from a single 64-bit seed with SplitMix64, so every
/// seed — including zero — gives a well-mixed, non-degenerate state. The
/// sequence depends only on the seed: it is the same on every run, machine and
/// Swift version, which is what the corpus needs. It is *not* suitable for
/// cryptography.
///
/// Only the raw 64-bit output and the bounded helpers below are used by the
/// corpus. The standard library's `random(in:using:)` would work with this
/// generator too, but its reduction algorithm is not promised to stay the same
/// across releases, so the corpus never relies on it.
public struct SeededGenerator: RandomNumberGenerator, Sendable {
    private var s0: UInt64
    private var s1: UInt64
    private var s2: UInt64
    private var s3: UInt64

    /// Creates a generator whose whole future output is fixed by `seed`.
    public init(seed: UInt64) {
        var mixer = SplitMix64(state: seed)
        s0 = mixer.next()
        s1 = mixer.next()
        s2 = mixer.next()
        s3 = mixer.next()
    }

    /// Returns the next 64 uniformly distributed bits.
    public mutating func next() -> UInt64 {
        let result = rotl(s1 &* 5, 7) &* 9
        let t = s1 << 17
        s2 ^= s0
        s3 ^= s1
        s1 ^= s2
        s0 ^= s3
        s2 ^= t
        s3 = rotl(s3, 45)
        return result
    }

    /// Returns a uniformly distributed value in `0..<bound`.
    ///
    /// Uses the multiply-shift reduction with rejection (Lemire), so the
    /// result is unbiased and the number of draws it takes is itself
    /// deterministic. `bound` must be greater than zero.
    public mutating func next(below bound: UInt64) -> UInt64 {
        precondition(bound > 0, "bound must be positive")
        var product = next().multipliedFullWidth(by: bound)
        if product.low < bound {
            let threshold = (0 &- bound) % bound
            while product.low < threshold {
                product = next().multipliedFullWidth(by: bound)
            }
        }
        return product.high
    }

    /// Returns a uniformly distributed `Int` in `0..<bound`; `bound` must be positive.
    public mutating func int(below bound: Int) -> Int {
        Int(truncatingIfNeeded: next(below: UInt64(bound)))
    }

    /// Returns a uniformly distributed `Int` in `range`.
    public mutating func int(in range: ClosedRange<Int>) -> Int {
        range.lowerBound + int(below: range.upperBound - range.lowerBound + 1)
    }

    /// Returns `true` with probability `numerator / denominator`.
    public mutating func chance(_ numerator: Int, in denominator: Int) -> Bool {
        int(below: denominator) < numerator
    }

    private func rotl(_ x: UInt64, _ k: UInt64) -> UInt64 {
        (x << k) | (x >> (64 &- k))
    }
}

/// SplitMix64: a tiny generator used to expand seeds and to hash integers.
///
/// Each call to ``next()`` advances a counter by the golden-ratio increment
/// and returns a strongly mixed version of it, so ``mix(_:)`` is also a good
/// stateless 64-bit hash.
struct SplitMix64: Sendable {
    /// The counter; the output is a mixed function of it.
    var state: UInt64

    /// Creates a generator starting at `state`.
    init(state: UInt64) {
        self.state = state
    }

    /// Advances the counter and returns the next 64 bits.
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        return SplitMix64.mix(state)
    }

    /// The SplitMix64 finalizer: a bijective avalanche of `value`'s bits.
    static func mix(_ value: UInt64) -> UInt64 {
        var z = value
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
