import Glibc

/// How a log stores and acknowledges records. Every knob has a limit; `validate()` names any value
/// out of range.
public struct LogConfiguration: Sendable, Equatable {
    /// When an append is acknowledged relative to `fdatasync`. There is no silent default in the
    /// sense that matters: `.always` is the default and the only policy under which every
    /// acknowledged record survives power loss.
    public enum FsyncPolicy: Sendable, Equatable, CustomStringConvertible {
        /// Acknowledge each group only after fdatasync returned. Readers see records once durable.
        case always
        /// Acknowledge once written; fdatasync at most every `milliseconds`. Readers see records
        /// once synced. A crash or a disk error may lose up to that window of acknowledged records.
        case interval(milliseconds: Int)
        /// Acknowledge once written; sync only when a segment is sealed and at close. Readers see
        /// records once written. A crash may lose any acknowledged record not yet sealed.
        case none

        public var description: String {
            switch self {
            case .always: return "always"
            case .interval(let ms): return "interval(\(ms)ms)"
            case .none: return "none"
            }
        }
    }

    /// What `append` does when the queue is full.
    public enum OverloadPolicy: Sendable, Equatable {
        /// Throw `LogError.overloaded` at once.
        case reject
        /// Wait up to `milliseconds` for room, then throw `LogError.overloaded`.
        case wait(milliseconds: Int)
    }

    public var fsync: FsyncPolicy = .always
    /// zstd level for batches (1...19), or nil to store them uncompressed.
    public var compressionLevel: Int32? = 1
    /// A segment is sealed and a new one started once it reaches this size. It may exceed it by at
    /// most one commit group (`groupBytesMax` before compression).
    public var segmentBytesMax: UInt64 = 256 << 20
    /// A segment is also sealed when its first record is older than this (by the log's clock).
    public var segmentAgeMaxMs: Int64? = 7 * 24 * 3600 * 1000
    /// Uncompressed bytes per batch, the unit of compression and of the CRC.
    public var batchBytesMax: Int = 1 << 20
    /// Uncompressed bytes the writer takes from the queue for one write + fdatasync.
    public var groupBytesMax: Int = 8 << 20
    /// How long the writer waits for more records before writing a group that is not full.
    public var lingerMicros: Int = 0
    /// Bytes of records waiting for the writer, across all producers.
    public var queueBytesMax: Int = 64 << 20
    /// Largest record (key + payload) accepted.
    public var recordBytesMax: Int = 16 << 20
    /// Records accepted in one `append` call.
    public var appendRecordsMax: Int = 100_000
    public var overload: OverloadPolicy = .reject
    /// A sparse index entry is made at most every this many bytes of segment.
    public var indexIntervalBytes: Int = 4096

    public init() {}

    /// Throws `LogError.invalidConfiguration` naming the first value out of range.
    public func validate() throws {
        func check(_ ok: Bool, _ what: String) throws {
            if !ok { throw LogError(.invalidConfiguration, what) }
        }
        if case .interval(let ms) = fsync { try check(ms >= 1 && ms <= 60_000, "fsync interval \(ms) ms is outside 1...60000") }
        if let level = compressionLevel { try check(level >= 1 && level <= 19, "compression level \(level) is outside 1...19") }
        try check(segmentBytesMax >= 1024 && segmentBytesMax <= 1 << 36, "segmentBytesMax \(segmentBytesMax) is outside 1 KiB...64 GiB")
        if let age = segmentAgeMaxMs {
            try check(age >= 1 && age <= 100 * 365 * 86_400_000, "segmentAgeMaxMs \(age) is outside 1 ms...100 years")
        }
        try check(batchBytesMax >= 1024 && batchBytesMax <= 64 << 20, "batchBytesMax \(batchBytesMax) is outside 1 KiB...64 MiB")
        try check(groupBytesMax >= batchBytesMax && groupBytesMax <= 1 << 30, "groupBytesMax \(groupBytesMax) is outside batchBytesMax (\(batchBytesMax))...1 GiB")
        try check(lingerMicros >= 0 && lingerMicros <= 1_000_000, "lingerMicros \(lingerMicros) is outside 0...1000000")
        try check(recordBytesMax >= 1 && recordBytesMax <= 64 << 20, "recordBytesMax \(recordBytesMax) is outside 1...64 MiB")
        try check(queueBytesMax >= recordBytesMax + RecordCodec.overhead, "queueBytesMax \(queueBytesMax) cannot hold one record of recordBytesMax")
        try check(queueBytesMax <= 1 << 36, "queueBytesMax \(queueBytesMax) is over 64 GiB")
        try check(appendRecordsMax >= 1 && appendRecordsMax <= 10_000_000, "appendRecordsMax \(appendRecordsMax) is outside 1...10000000")
        if case .wait(let ms) = overload { try check(ms >= 0 && ms <= 600_000, "overload wait \(ms) ms is outside 0...600000") }
        try check(indexIntervalBytes >= 1 && indexIntervalBytes <= 1 << 30, "indexIntervalBytes \(indexIntervalBytes) is out of range")
    }
}

/// The source of record timestamps. Injected so that tests control time.
public protocol LogClock: Sendable {
    /// Microseconds since the Unix epoch. May go backwards; the log never lets timestamps decrease.
    func nowMicros() -> Int64
}

/// The system's real-time clock (`clock_gettime(CLOCK_REALTIME)`).
public struct SystemClock: LogClock {
    public init() {}
    public func nowMicros() -> Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Int64(ts.tv_sec) * 1_000_000 + Int64(ts.tv_nsec) / 1000
    }
}

/// A monotonic clock for measuring durations (not for timestamps).
enum Monotonic {
    static func nanos() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
    }
}
