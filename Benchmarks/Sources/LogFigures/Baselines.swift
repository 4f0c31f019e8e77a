import CZstdRaw

/// The raw zstd baselines: compressing and decompressing the same bytes the log stores, in
/// batches of the log's batch size, with one context each, in this process.
struct Baselines {
    /// The corpus cut into batches of at most `batchBytes`, each a run of whole records.
    let batches: [[UInt8]]
    private(set) var compressed: [[UInt8]] = []

    init(lines: [[UInt8]], batchBytes: Int) {
        var batches: [[UInt8]] = []
        var current: [UInt8] = []
        current.reserveCapacity(batchBytes)
        for line in lines {
            if current.count + line.count > batchBytes && !current.isEmpty {
                batches.append(current)
                current.removeAll(keepingCapacity: true)
            }
            current.append(contentsOf: line)
        }
        if !current.isEmpty { batches.append(current) }
        self.batches = batches
    }

    var bytes: Int { batches.reduce(0) { $0 + $1.count } }

    /// `ZSTD_compressCCtx` at `level` over every batch, into one output buffer allocated (and
    /// touched) before timing starts, as the log reuses its buffers; returns the elapsed seconds.
    mutating func compress(level: Int32) -> Double {
        let context = ZSTD_createCCtx()
        defer { ZSTD_freeCCtx(context) }
        let bounds = batches.map { ZSTD_compressBound($0.count) }
        var output = [UInt8](repeating: 0, count: bounds.reduce(0, +))
        var lengths = [Int](repeating: 0, count: batches.count)
        let seconds = measure {
            output.withUnsafeMutableBytes { out in
                var at = 0
                for (i, batch) in batches.enumerated() {
                    let n = batch.withUnsafeBytes { ZSTD_compressCCtx(context, out.baseAddress! + at, bounds[i], $0.baseAddress, $0.count, level) }
                    precondition(ZSTD_isError(n) == 0, "zstd compression failed")
                    lengths[i] = n
                    at += bounds[i]
                }
            }
        }
        var at = 0
        compressed = batches.indices.map { i in
            defer { at += bounds[i] }
            return Array(output[at..<(at + lengths[i])])
        }
        return seconds
    }

    /// `ZSTD_decompressDCtx` over every compressed batch into one reused buffer.
    func decompress() -> Double {
        let context = ZSTD_createDCtx()
        defer { ZSTD_freeDCtx(context) }
        var out = [UInt8](repeating: 0, count: batches.map(\.count).max() ?? 0)
        var total = 0
        let seconds = measure {
            for (i, input) in compressed.enumerated() {
                let n = out.withUnsafeMutableBytes { o in
                    input.withUnsafeBytes { ZSTD_decompressDCtx(context, o.baseAddress, o.count, $0.baseAddress, $0.count) }
                }
                precondition(ZSTD_isError(n) == 0 && n == batches[i].count, "zstd decompression failed")
                total &+= Int(out[n / 2])
            }
        }
        blackHole(total)
        return seconds
    }
}

/// Seconds taken by `body`.
func measure(_ body: () throws -> Void) rethrows -> Double {
    let start = ContinuousClock.now
    try body()
    return seconds(ContinuousClock.now - start)
}

func measure(_ body: () async throws -> Void) async rethrows -> Double {
    let start = ContinuousClock.now
    try await body()
    return seconds(ContinuousClock.now - start)
}

func seconds(_ duration: Duration) -> Double {
    Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
}

/// Keeps the optimizer from discarding a computed value.
@inline(never)
func blackHole<T>(_ value: T) {
    withExtendedLifetime(value) {}
}
