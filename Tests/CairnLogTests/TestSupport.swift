import Glibc
import Logging
import Synchronization
@testable import CairnLog
@_exported import CairnTestSupport

/// A clock the test moves by hand.
final class ManualClock: LogClock {
    private let now: Mutex<Int64>
    init(_ start: Int64 = 1_767_225_600_000_000) { now = Mutex(start) }
    func nowMicros() -> Int64 { now.withLock { $0 } }
    func set(_ value: Int64) { now.withLock { $0 = value } }
    func advance(micros: Int64) { now.withLock { $0 += micros } }
}

/// A small configuration that rolls segments often and makes many batches.
func smallConfiguration(fsync: LogConfiguration.FsyncPolicy = .always) -> LogConfiguration {
    var configuration = LogConfiguration()
    configuration.fsync = fsync
    configuration.segmentBytesMax = 16 << 10
    configuration.batchBytesMax = 2048
    configuration.groupBytesMax = 8192
    configuration.indexIntervalBytes = 256
    return configuration
}

/// Deterministic payload for record `i` of a test.
func payload(_ i: Int, length: Int? = nil) -> [UInt8] {
    let text = "record-\(i)-"
    let count = length ?? (20 + (i * 37) % 300)
    var bytes = Array(text.utf8)
    while bytes.count < count { bytes.append(UInt8(truncatingIfNeeded: i &* 31 &+ bytes.count)) }
    return Array(bytes.prefix(max(count, 0)))
}

/// Appends `count` records one call each, sequentially; returns their offsets.
@discardableResult
func appendSequentially(_ log: DurableLog, _ range: Range<Int>, key: Bool = false) async throws -> [UInt64] {
    var offsets: [UInt64] = []
    for i in range {
        offsets.append(try await log.append(AppendRecord(kind: UInt16(i % 7), key: key ? Array("k\(i)".utf8) : nil, payload: payload(i))))
    }
    return offsets
}

/// Every visible record of a log.
func readAll(_ log: DurableLog) throws -> [LogRecord] {
    let reader = log.makeReader()
    var records: [LogRecord] = []
    try reader.scan(from: 0) { records.append($0.copy()); return true }
    return records
}

func fileSize(_ path: String) -> Int {
    var info = stat()
    return stat(path, &info) == 0 ? Int(info.st_size) : -1
}

func readFile(_ path: String) -> [UInt8] {
    guard let f = fopen(path, "rb") else { return [] }
    defer { fclose(f) }
    var out: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 65536)
    while true {
        let n = fread(&buffer, 1, buffer.count, f)
        if n <= 0 { break }
        out += buffer[0..<n]
    }
    return out
}

func writeFile(_ path: String, _ bytes: [UInt8]) {
    let f = fopen(path, "wb")!
    _ = bytes.withUnsafeBytes { fwrite($0.baseAddress, 1, bytes.count, f) }
    fclose(f)
}

func segmentNames(_ directory: String) -> [String] {
    ((try? PosixStorage().listDirectory(directory)) ?? []).filter { $0.hasSuffix(".log") }.sorted()
}

/// The byte positions of every batch in a segment file, and the offset range each holds.
func batchLayout(_ path: String) throws -> [(position: Int, end: Int, offsets: Range<UInt64>)] {
    let file = try PosixStorage().openFile(path, create: false)
    defer { file.close() }
    let header = try SegmentHeader.decode(try file.read(at: 0, count: SegmentHeader.size)).get()
    var layout: [(Int, Int, Range<UInt64>)] = []
    let scan = try SegmentScanner(file: file, length: try file.size(), header: header, indexIntervalBytes: 4096).scan { batch, position, _ in
        layout.append((Int(position), Int(position) + batch.frameLength, batch.baseOffset..<batch.endOffset))
    }
    precondition(scan.stop == .endOfData, "test segment is damaged: \(scan.stop)")
    return layout
}

/// Opens a log with a logger that prints only errors.
func openLog(_ directory: String, _ configuration: LogConfiguration = smallConfiguration(), clock: any LogClock = SystemClock(),
             storage: any Storage = PosixStorage()) throws -> DurableLog {
    var logger = Logger(label: "cairn.test")
    logger.logLevel = .critical
    return try DurableLog.openBlocking(directory: directory, configuration: configuration, storage: storage, clock: clock, logger: logger)
}

func copyDirectory(_ from: String, _ to: String) {
    _ = system("rm -rf '\(to)' && cp -a '\(from)' '\(to)'")
}

func removeFile(_ path: String) { unlink(path) }

/// Flips one bit of a file in place.
func flipBit(_ path: String, byte: Int, bit: Int = 0) {
    var bytes = readFile(path)
    bytes[byte] ^= UInt8(1 << bit)
    writeFile(path, bytes)
}
