#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A small, fast, seedable pseudo-random generator (Steele, Lea and Flood's SplitMix64).
///
/// Every random choice of the simulator goes through one of these, so a simulation is replayed
/// exactly by reusing its seed. The helpers below (`below`, `chance`, `bytes`) are implemented
/// here rather than with the standard library's `random(in:using:)`, whose algorithm is not
/// guaranteed to stay the same across Swift releases: a seed must mean the same run forever.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    /// The generator's whole state; recording it is enough to resume the sequence.
    public private(set) var state: UInt64

    public init(seed: UInt64) {
        state = seed
    }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A uniformly distributed value in `0..<bound` (`bound` > 0), by rejection sampling.
    public mutating func below(_ bound: UInt64) -> UInt64 {
        precondition(bound > 0, "SplitMix64.below needs a positive bound")
        let threshold = (0 &- bound) % bound  // 2^64 mod bound: values below it are biased
        while true {
            let value = next()
            if value >= threshold { return value % bound }
        }
    }

    /// A uniformly distributed `Int` in `0..<bound` (`bound` > 0).
    public mutating func below(_ bound: Int) -> Int {
        Int(below(UInt64(bound)))
    }

    /// True with probability `probability`. Draws nothing when the probability is 0 or less, so
    /// disabled faults do not shift the sequence seen by enabled ones.
    public mutating func chance(_ probability: Double) -> Bool {
        guard probability > 0 else { return false }
        guard probability < 1 else { return true }
        return Double(next() >> 11) * 0x1p-53 < probability
    }

    /// `count` random bytes.
    public mutating func bytes(_ count: Int) -> [UInt8] {
        (0..<count).map { _ in UInt8(truncatingIfNeeded: next()) }
    }
}

/// Seeds for randomized tests.
public enum SimulationSeed {
    /// The seed in the environment variable `CAIRN_SEED` (decimal, or hex with `0x`) when set, so a
    /// failure can be replayed; otherwise a fresh random seed. Tests print the seed they use.
    public static func make() -> UInt64 {
        if let raw = getenv("CAIRN_SEED") {
            let text = String(cString: raw)
            let parsed = text.hasPrefix("0x") ? UInt64(text.dropFirst(2), radix: 16) : UInt64(text)
            if let parsed { return parsed }
        }
        return UInt64.random(in: .min ... .max)
    }
}
