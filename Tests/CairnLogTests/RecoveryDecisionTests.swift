import Testing
@testable import CairnLog

/// The decision table of `RecoveryDecision` (docs/recovery.md), row by row.
@Suite struct RecoveryDecisionTests {
    enum Expected: Equatable, Sendable { case open, truncate, refuse }

    struct Row: Sendable, CustomTestStringConvertible {
        let stop: ScanStop
        let later: UInt64?
        let expected: Expected
        var testDescription: String { "\(stop) / later valid batch: \(later.map { "at \($0)" } ?? "none") → \(expected)" }
    }

    static let position: UInt64 = 4242
    static let validEnd: UInt64 = 4242
    static let laterAt: UInt64 = 9001

    static let stops: [ScanStop] = [
        .endOfData,
        .truncatedHeader(position: position, available: 87),
        .truncatedPayload(position: position, needed: 600, available: 100),
        .badHeader(position: position, problem: .badMagic(0)),
        .badHeader(position: position, problem: .invalidField("record count 0")),
        .badCRC(position: position),
        .discontinuity(position: position, what: "base offset 9, expected 7"),
    ]

    /// Each stop with and without a later valid batch. "–" rows of the table ignore `later`.
    static let rows: [Row] = [
        Row(stop: stops[0], later: nil, expected: .open),
        Row(stop: stops[0], later: laterAt, expected: .open),
        Row(stop: stops[1], later: nil, expected: .truncate),
        Row(stop: stops[1], later: laterAt, expected: .truncate),  // cannot happen: < 88 bytes leave no room for a batch
        Row(stop: stops[2], later: nil, expected: .truncate),
        // A torn write can only leave damage at the very end: a valid batch after the stop means the
        // length field of a committed batch was damaged, and cutting would drop acknowledged data.
        Row(stop: stops[2], later: laterAt, expected: .refuse),
        Row(stop: stops[3], later: nil, expected: .truncate),
        Row(stop: stops[3], later: laterAt, expected: .refuse),
        Row(stop: stops[4], later: nil, expected: .truncate),
        Row(stop: stops[4], later: laterAt, expected: .refuse),
        Row(stop: stops[5], later: nil, expected: .truncate),
        Row(stop: stops[5], later: laterAt, expected: .refuse),
        Row(stop: stops[6], later: nil, expected: .refuse),
        Row(stop: stops[6], later: laterAt, expected: .refuse),
    ]

    @Test(arguments: RecoveryDecisionTests.rows)
    func decisionTable(row: Row) {
        let decision = RecoveryDecision.decide(stop: row.stop, validEnd: Self.validEnd, validBatchAfter: row.later)
        switch decision {
        case .open:
            #expect(row.expected == .open)
        case .truncate(let length, let reason):
            #expect(row.expected == .truncate)
            #expect(length == Self.validEnd)
            #expect(reason.contains("byte \(Self.position)"), "the reason names where the tail was cut: \(reason)")
        case .refuse(let reason):
            #expect(row.expected == .refuse)
            #expect(reason.contains("byte \(Self.position)"), "\(reason)")
            if case .badCRC = row.stop, let later = row.later { #expect(reason.contains("byte \(later)")) }
            if case .badHeader = row.stop, let later = row.later { #expect(reason.contains("byte \(later)")) }
        }
    }

    @Test func everyStopCaseHasRows() {
        #expect(Self.rows.count == Self.stops.count * 2)
        for stop in Self.stops { #expect(Self.rows.filter { $0.stop == stop }.map { $0.later == nil } == [true, false]) }
    }

    @Test func truncationKeepsExactlyTheValidPrefix() {
        for validEnd: UInt64 in [64, 65, 152, 1 << 40] {
            for stop in Self.stops[1...5] {
                let decision = RecoveryDecision.decide(stop: stop, validEnd: validEnd, validBatchAfter: nil)
                guard case .truncate(let length, _) = decision else { Issue.record("\(stop): \(decision)"); continue }
                #expect(length == validEnd)
            }
        }
    }

    @Test func stopsDescribeTheirPosition() {
        for stop in Self.stops.dropFirst() {
            #expect(stop.position == Self.position)
            #expect(stop.description.contains("at byte \(Self.position)"))
        }
        #expect(ScanStop.endOfData.position == nil)
    }
}

/// `LogConfiguration.validate()`: the defaults pass; each knob out of range is rejected by name.
@Suite struct ConfigurationTests {
    @Test func defaultsAreValid() throws {
        try LogConfiguration().validate()
        #expect(LogConfiguration().fsync == .always)
    }

    /// A configuration edit, the field it breaks, and whether the result should be accepted.
    struct Case: Sendable, CustomTestStringConvertible {
        let field: String
        let valid: Bool
        let edit: @Sendable (inout LogConfiguration) -> Void
        var testDescription: String { "\(field) \(valid ? "accepted" : "rejected")" }
        init(_ field: String, _ valid: Bool, _ edit: @escaping @Sendable (inout LogConfiguration) -> Void) {
            self.field = field
            self.valid = valid
            self.edit = edit
        }
    }

    static let cases: [Case] = [
        Case("fsync", false) { $0.fsync = .interval(milliseconds: 0) },
        Case("fsync", true) { $0.fsync = .interval(milliseconds: 1) },
        Case("fsync", true) { $0.fsync = .interval(milliseconds: 60_000) },
        Case("fsync", false) { $0.fsync = .interval(milliseconds: 60_001) },
        Case("compressionLevel", false) { $0.compressionLevel = 0 },
        Case("compressionLevel", true) { $0.compressionLevel = 19 },
        Case("compressionLevel", false) { $0.compressionLevel = 20 },
        Case("compressionLevel", true) { $0.compressionLevel = nil },
        Case("segmentBytesMax", false) { $0.segmentBytesMax = 1023 },
        Case("segmentBytesMax", true) { $0.segmentBytesMax = 1024 },
        Case("segmentAgeMaxMs", false) { $0.segmentAgeMaxMs = 0 },
        Case("segmentAgeMaxMs", true) { $0.segmentAgeMaxMs = nil },
        // The writer computes `age * 1000` in microseconds: a larger age traps on overflow.
        Case("segmentAgeMaxMs", false) { $0.segmentAgeMaxMs = .max },
        Case("batchBytesMax", false) { $0.batchBytesMax = 1023 },
        Case("batchBytesMax", true) { $0.batchBytesMax = 1024 },
        Case("batchBytesMax", true) { $0.batchBytesMax = 64 << 20; $0.groupBytesMax = 64 << 20 },
        Case("batchBytesMax", false) { $0.batchBytesMax = (64 << 20) + 1; $0.groupBytesMax = 128 << 20 },
        Case("groupBytesMax", false) { $0.groupBytesMax = $0.batchBytesMax - 1 },
        Case("groupBytesMax", true) { $0.groupBytesMax = $0.batchBytesMax },
        Case("lingerMicros", false) { $0.lingerMicros = -1 },
        Case("lingerMicros", true) { $0.lingerMicros = 1_000_000 },
        Case("lingerMicros", false) { $0.lingerMicros = 1_000_001 },
        Case("recordBytesMax", false) { $0.recordBytesMax = 0 },
        Case("recordBytesMax", true) { $0.recordBytesMax = 64 << 20; $0.queueBytesMax = 128 << 20 },
        Case("recordBytesMax", false) { $0.recordBytesMax = (64 << 20) + 1; $0.queueBytesMax = 128 << 20 },
        Case("queueBytesMax", false) { $0.queueBytesMax = $0.recordBytesMax + RecordCodec.overhead - 1 },
        Case("queueBytesMax", true) { $0.queueBytesMax = $0.recordBytesMax + RecordCodec.overhead },
        Case("appendRecordsMax", false) { $0.appendRecordsMax = 0 },
        Case("appendRecordsMax", true) { $0.appendRecordsMax = 1 },
        Case("overload", false) { $0.overload = .wait(milliseconds: -1) },
        Case("overload", true) { $0.overload = .wait(milliseconds: 600_000) },
        Case("overload", false) { $0.overload = .wait(milliseconds: 600_001) },
        Case("indexIntervalBytes", false) { $0.indexIntervalBytes = 0 },
        Case("indexIntervalBytes", true) { $0.indexIntervalBytes = 1 << 30 },
        Case("indexIntervalBytes", false) { $0.indexIntervalBytes = (1 << 30) + 1 },
    ]

    @Test(arguments: ConfigurationTests.cases)
    func eachLimit(_ c: Case) {
        var configuration = LogConfiguration()
        c.edit(&configuration)
        do {
            try configuration.validate()
            #expect(c.valid, "accepted although out of range")
        } catch let error as LogError {
            #expect(!c.valid, "rejected: \(error.message)")
            #expect(error.code == .invalidConfiguration)
            // "compression level 0" names compressionLevel: compare without spaces or case.
            let words = String(error.message.filter { $0 != " " }).lowercased()
            #expect(words.contains(c.field.lowercased()), "\(error.message) does not name \(c.field)")
        } catch {
            Issue.record("unexpected error \(error)")
        }
    }
}
