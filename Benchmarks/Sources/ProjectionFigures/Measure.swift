import Logging

/// The logger handed to the engine: errors only, so that the figures are not interleaved with
/// notices.
let quietLogger: Logger = {
    var logger = Logger(label: "cairn.bench")
    logger.logLevel = .error
    return logger
}()

/// Seconds taken by `body`.
func elapsedSeconds(_ body: () async throws -> Void) async rethrows -> Double {
    let start = ContinuousClock.now
    try await body()
    return seconds(ContinuousClock.now - start)
}

func seconds(_ duration: Duration) -> Double {
    Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
}

/// `sorted` must be sorted ascending; nearest-rank percentile, 0 for an empty array.
func percentile(_ sorted: [Double], _ p: Double) -> Double {
    guard !sorted.isEmpty else { return 0 }
    let index = min(sorted.count - 1, Int((p / 100) * Double(sorted.count - 1) + 0.5))
    return sorted[index]
}

/// `value` rounded to `digits` decimals; with 0 digits, an integer with thousands separators.
func format(_ value: Double, _ digits: Int = 1) -> String {
    guard digits > 0 else { return grouped(Int64(value.rounded())) }
    var scale = 1.0
    for _ in 0..<digits { scale *= 10 }
    return String((value * scale).rounded() / scale)
}

/// `1234567` as `1,234,567`.
func grouped<T: BinaryInteger>(_ value: T) -> String {
    let digits = String(value.magnitude)
    var out = ""
    for (i, digit) in digits.enumerated() {
        if i > 0 && (digits.count - i) % 3 == 0 { out.append(",") }
        out.append(digit)
    }
    return value < 0 ? "-" + out : out
}

/// SplitMix64's output function: a well-mixed 64-bit hash of `x`, for keys and values that are
/// random-looking but reproducible.
func splitMix(_ x: UInt64) -> UInt64 {
    var z = x &+ 0x9E37_79B9_7F4A_7C15
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
}
