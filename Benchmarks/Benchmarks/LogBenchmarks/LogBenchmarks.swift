// Per-operation benchmarks of the log (ordo-one/benchmark): wall clock, throughput, allocations
// and memory per operation. The ratios against raw zstd are in `log-figures` (see docs/testing.md).
import Benchmark
import CairnCorpus
import CairnLog
import Glibc

let benchmarks: @Sendable () -> Void = {
    let lines = CorpusGenerator.lines(seed: 1, count: 10_000)
    let records = lines.map { AppendRecord(kind: 1, payload: $0) }
    let metrics: [BenchmarkMetric] = [.wallClock, .throughput, .mallocCountTotal, .peakMemoryResident]

    Benchmark(
        "Durable append: 10k events in 1000-record appends, fsync always",
        configuration: .init(metrics: metrics, maxDuration: .seconds(10), maxIterations: 20)
    ) { benchmark in
        let directory = makeDirectory()
        defer { removeDirectory(directory) }
        let log = try await DurableLog.open(directory: directory, logger: quiet)
        var appender = PipelinedAppender(log: log)
        benchmark.startMeasurement()
        for record in records { try await appender.add(record) }
        try await appender.finish()
        benchmark.stopMeasurement()
        try await log.close()
    }

    Benchmark(
        "Single-record append, fsync always",
        configuration: .init(metrics: metrics, maxDuration: .seconds(5), maxIterations: 1000)
    ) { benchmark in
        let directory = makeDirectory()
        defer { removeDirectory(directory) }
        let log = try await DurableLog.open(directory: directory, logger: quiet)
        benchmark.startMeasurement()
        for i in benchmark.scaledIterations {
            blackHole(try await log.append(records[i % records.count]))
        }
        benchmark.stopMeasurement()
        try await log.close()
    }

    Benchmark(
        "Scan: 10k events (read, CRC, decompress, framing)",
        configuration: .init(metrics: metrics, maxDuration: .seconds(5), maxIterations: 200)
    ) { benchmark in
        let directory = makeDirectory()
        defer { removeDirectory(directory) }
        let log = try await DurableLog.open(directory: directory, logger: quiet)
        var appender = PipelinedAppender(log: log)
        for record in records { try await appender.add(record) }
        try await appender.finish()
        let reader = log.makeReader()
        benchmark.startMeasurement()
        var touched = 0
        try reader.scan(from: 0) { record in
            touched &+= record.payload.count
            return true
        }
        benchmark.stopMeasurement()
        blackHole(touched)
        reader.close()
        try await log.close()
    }
}

import Logging

let quiet: Logger = {
    var logger = Logger(label: "cairn.bench")
    logger.logLevel = .error
    return logger
}()

func makeDirectory() -> String {
    var template = Array("/tmp/cairn-bench-XXXXXX".utf8CString)
    let made = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
    precondition(made != nil, "mkdtemp failed")
    return String(cString: made!) + "/log"
}

func removeDirectory(_ path: String) {
    _ = system("rm -rf '\(path.dropLast(4))'")
}
