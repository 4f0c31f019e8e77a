import CairnTestSupport
import Testing
@testable import CairnStore

@Suite("Codecs and composite keys")
struct CodecTests {
    private func decoded<T: StoreCodec>(_ value: T) throws -> T {
        try value.encoded.withUnsafeBytes { try T.decode(from: $0) }
    }

    @Test("UInt64 and Int64 are 8 bytes big-endian and their byte order is numeric order")
    func integerOrder() throws {
        var rng = SplitMix64(seed: 42)
        let unsigned: [UInt64] = [0, 1, 255, 256, 1 << 32, .max - 1, .max] + (0..<200).map { _ in rng.next() }
        for value in unsigned {
            #expect(value.encoded.count == 8)
            #expect(try decoded(value) == value)
        }
        #expect(UInt64(0x0102_0304_0506_0708).encoded == [1, 2, 3, 4, 5, 6, 7, 8])
        #expect(unsigned.sorted().map(\.encoded) == unsigned.map(\.encoded).sorted { $0.lexicographicallyPrecedes($1) })

        let signed: [Int64] = [.min, -1_000_000, -1, 0, 1, 1_000_000, .max] + (0..<200).map { _ in Int64(bitPattern: rng.next()) }
        for value in signed { #expect(try decoded(value) == value) }
        #expect(signed.sorted().map(\.encoded) == signed.map(\.encoded).sorted { $0.lexicographicallyPrecedes($1) })
    }

    @Test("String and [UInt8] round-trip, including empty and non-ASCII")
    func stringsAndBytes() throws {
        for string in ["", "a", "profile-42", "Zoë 🌍", "nul\0inside"] {
            #expect(try decoded(string) == string)
            #expect(string.encoded == Array(string.utf8))
        }
        for bytes: [UInt8] in [[], [0], [0xFF, 0, 1], Array(0...255)] {
            #expect(try decoded(bytes) == bytes)
        }
    }

    @Test("bytes that are not an encoding throw .corrupted")
    func badBytes() throws {
        let seven: [UInt8] = [1, 2, 3, 4, 5, 6, 7]
        #expect(throws: StoreError.self) { try seven.withUnsafeBytes { try UInt64.decode(from: $0) } }
        let error = #expect(throws: StoreError.self) { try [UInt8]([0xC3, 0x28]).withUnsafeBytes { try String.decode(from: $0) } }
        #expect(error?.code == .corrupted)
        typealias Key = CompositeKey<String, UInt64>
        let trailing = Key("a", 1).encoded + [9]
        #expect(throws: StoreError.self) { try trailing.withUnsafeBytes { try Key.decode(from: $0) } }
        let badEscape: [UInt8] = [0x61, 0, 7] + UInt64(1).encoded
        #expect(throws: StoreError.self) { try badEscape.withUnsafeBytes { try Key.decode(from: $0) } }
        let truncated = Array(Key("a", 1).encoded.dropLast())
        #expect(throws: StoreError.self) { try truncated.withUnsafeBytes { try Key.decode(from: $0) } }
    }

    @Test("composite keys round-trip and their byte order is tuple order")
    func compositeOrder() throws {
        typealias Key = CompositeKey<String, Int64, UInt64>
        let profiles = ["", "a", "a\0", "a\0\0", "a\u{1}", "ab", "b", "p1", "p10", "p2", "ü"]
        let times: [Int64] = [.min, -1, 0, 1, 1_700_000_000_000, .max]
        let offsets: [UInt64] = [0, 1, 0xFF, 1 << 40, .max]
        var keys: [Key] = []
        for profile in profiles { for time in times { for offset in offsets { keys.append(Key(profile, time, offset)) } } }
        for key in keys { #expect(try decoded(key) == key) }
        let byTuple = keys.sorted()
        let byBytes = keys.sorted { $0.encoded.lexicographicallyPrecedes($1.encoded) }
        #expect(byTuple == byBytes)
        #expect(Key("p1", 5, 9).description == "(p1, 5, 9)")
    }

    @Test("a composite prefix matches whole components only")
    func compositePrefix() {
        let prefix = CompositeKey("p1").encoded
        #expect(CompositeKey("p1", UInt64(5), UInt64(1)).encoded.starts(with: prefix))
        #expect(!CompositeKey("p10", UInt64(5), UInt64(1)).encoded.starts(with: prefix))
        #expect(CompositeKey("p1", UInt64(7)).encoded.starts(with: CompositeKey("p1", UInt64(7)).encoded))
    }

    @Test("scan ranges: prefix successor and where the cursor seeks")
    func scanRangeSeek() {
        #expect(ScanRange<UInt64>.successor(of: [1, 2]) == [1, 3])
        #expect(ScanRange<UInt64>.successor(of: [1, 0xFF, 0xFF]) == [2])
        #expect(ScanRange<UInt64>.successor(of: [0xFF]) == nil)
        #expect(ScanRange<UInt64>.successor(of: []) == nil)

        #expect(ScanRange<UInt64>.all.seek == .edge)
        #expect(ScanRange<UInt64>.all.reversed().seek == .edge)
        #expect(ScanRange<UInt64>.from(5).seek == .atLeast(UInt64(5).encoded))
        #expect(ScanRange<UInt64>.from(5).reversed().seek == .atMost(UInt64(5).encoded))
        #expect(ScanRange<String>.prefix("ab").seek == .atLeast([0x61, 0x62]))
        #expect(ScanRange<String>.prefix("ab").starting(at: "a").seek == .atLeast([0x61, 0x62]))
        #expect(ScanRange<String>.prefix("ab").starting(at: "abc").seek == .atLeast([0x61, 0x62, 0x63]))
        #expect(ScanRange<String>.prefix("ab").reversed().seek == .below([0x61, 0x63]))
        #expect(ScanRange<String>.prefix("ab").starting(at: "abc").reversed().seek == .atMost([0x61, 0x62, 0x63]))
        #expect(ScanRange<String>.prefix("ab").starting(at: "b").reversed().seek == .below([0x61, 0x63]))
        #expect(ScanRange<UInt64>.all.limited(to: 3).limit == 3)
    }

    @Test("the map doubles up to the maximum, in whole pages")
    func mapGrowthPolicy() {
        #expect(StoreConfiguration.grownMapSize(from: 64 << 10, max: 1 << 20, pageBytes: 4096) == 128 << 10)
        #expect(StoreConfiguration.grownMapSize(from: 768 << 10, max: 1 << 20, pageBytes: 4096) == 1 << 20)
        #expect(StoreConfiguration.grownMapSize(from: 1 << 20, max: 1 << 20, pageBytes: 4096) == nil)
        #expect(StoreConfiguration.grownMapSize(from: Int.max / 2 + 4096, max: Int.max - 4095, pageBytes: 4096) == Int.max - 4095)
    }

    @Test("configuration errors name the setting")
    func configurationValidation() {
        func message(_ configure: (inout StoreConfiguration) -> Void) -> String? {
            var configuration = StoreConfiguration()
            configure(&configuration)
            do {
                try configuration.validate()
                return nil
            } catch let error as StoreError {
                #expect(error.code == .invalidConfiguration)
                return error.message
            } catch {
                return "\(error)"
            }
        }
        #expect(message { _ in } == nil)
        #expect(message { $0.mapSizeBytes = 100_000 }?.contains("mapSizeBytes") == true)
        #expect(message { $0.mapSizeMaxBytes = $0.mapSizeBytes - 4096 }?.contains("mapSizeMaxBytes") == true)
        #expect(message { $0.readersMax = 0 }?.contains("readersMax") == true)
        #expect(message { $0.tablesMax = 100_000 }?.contains("tablesMax") == true)
    }
}
