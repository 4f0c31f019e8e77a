import CairnLog
import Glibc

/// The log side of each figure: durable appends, scans and latency, on a real directory.
enum LogRuns {
    /// Appends every line with fsync `always` through the pipelined appender; returns seconds.
    static func append(lines: [[UInt8]], directory: String, configuration: LogConfiguration) async throws -> Double {
        let log = try await DurableLog.open(directory: directory, configuration: configuration, logger: quietLogger)
        var appender = PipelinedAppender(log: log)
        let elapsed = try await measure {
            for line in lines { try await appender.add(AppendRecord(kind: 1, payload: line)) }
            try await appender.finish()
        }
        try await log.close()
        return elapsed
    }

    /// Reads every record (decompress + CRC + framing, payload touched, not copied); returns seconds.
    static func scan(directory: String, expectedRecords: Int) throws -> Double {
        let reader = try LogSnapshot.reader(directory: directory)
        var records = 0
        var touched = 0
        let elapsed = try measure {
            try reader.scan(from: 0) { record in
                records += 1
                touched &+= Int(record.payload[record.payload.count / 2])
                return true
            }
        }
        precondition(records == expectedRecords, "scan saw \(records) of \(expectedRecords) records")
        blackHole(touched)
        return elapsed
    }

    /// Closed loop: `producers` tasks each appending single records back to back for `seconds`.
    /// Returns records per second.
    static func maxSingleRecordRate(lines: [[UInt8]], directory: String, producers: Int, seconds duration: Double) async throws -> Double {
        let log = try await DurableLog.open(directory: directory, logger: quietLogger)
        let deadline = ContinuousClock.now + .milliseconds(Int(duration * 1000))
        let start = ContinuousClock.now
        let count = try await withThrowingTaskGroup(of: Int.self) { group in
            for p in 0..<producers {
                group.addTask {
                    var n = 0
                    var i = p
                    while ContinuousClock.now < deadline {
                        _ = try await log.append(AppendRecord(kind: 1, payload: lines[i % lines.count]))
                        n += 1
                        i += producers
                    }
                    return n
                }
            }
            return try await group.reduce(0, +)
        }
        let elapsed = seconds(ContinuousClock.now - start)
        try await log.close()
        return Double(count) / elapsed
    }

    /// Open loop at `rate` records/s for `seconds`: each record is appended at its scheduled time
    /// by its own task; latency runs from the scheduled time to the acknowledgement, so a stalled
    /// writer shows up in the figures (no coordinated omission). Returns sorted latencies in µs.
    static func latencies(lines: [[UInt8]], directory: String, rate: Double, seconds duration: Double) async throws -> [Double] {
        let log = try await DurableLog.open(directory: directory, logger: quietLogger)
        let total = Int(rate * duration)
        let interval = 1.0 / rate
        let start = ContinuousClock.now
        var results = try await withThrowingTaskGroup(of: Double.self) { group in
            var i = 0
            // Launch in small bursts at their scheduled times.
            while i < total {
                let due = start + .nanoseconds(Int64(Double(i) * interval * 1e9))
                if due > ContinuousClock.now { try await Task.sleep(until: due, clock: .continuous) }
                let now = ContinuousClock.now
                while i < total && start + .nanoseconds(Int64(Double(i) * interval * 1e9)) <= now {
                    let scheduled = start + .nanoseconds(Int64(Double(i) * interval * 1e9))
                    let line = lines[i % lines.count]
                    group.addTask {
                        _ = try await log.append(AppendRecord(kind: 1, payload: line))
                        return seconds(ContinuousClock.now - scheduled) * 1e6
                    }
                    i += 1
                }
            }
            var latencies: [Double] = []
            latencies.reserveCapacity(total)
            for try await latency in group { latencies.append(latency) }
            return latencies
        }
        try await log.close()
        results.sort()
        return results
    }
}

func percentile(_ sorted: [Double], _ p: Double) -> Double {
    guard !sorted.isEmpty else { return 0 }
    let index = min(sorted.count - 1, Int((p / 100) * Double(sorted.count - 1) + 0.5))
    return sorted[index]
}
