/// Appends the primitives of Cairn's binary formats to a byte array.
///
/// Every format in this module is built from these and nothing else, so each has exactly one
/// encoding per value (the decoders reject anything else, see ``BinaryReader``):
///
/// | primitive | bytes |
/// |---|---|
/// | byte | 1 byte |
/// | varint | unsigned LEB128, 7 bits per byte, low group first, minimal length (1-10 bytes) |
/// | signed | zigzag (`(n << 1) ^ (n >> 63)`) then varint, so small negatives stay short |
/// | double | the IEEE 754 bit pattern, 8 bytes little-endian |
/// | string | varint byte count, then that many bytes of UTF-8 |
struct BinaryWriter {
    private(set) var bytes: [UInt8]

    init(capacity: Int = 256) {
        bytes = []
        bytes.reserveCapacity(capacity)
    }

    mutating func byte(_ value: UInt8) {
        bytes.append(value)
    }

    mutating func varint(_ value: UInt64) {
        var rest = value
        while rest >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: rest) | 0x80)
            rest >>= 7
        }
        bytes.append(UInt8(truncatingIfNeeded: rest))
    }

    /// A non-negative count or length. Traps on a negative value (a programmer error).
    mutating func count(_ value: Int) {
        precondition(value >= 0, "negative count")
        varint(UInt64(value))
    }

    mutating func signed(_ value: Int64) {
        varint(UInt64(bitPattern: (value << 1) ^ (value >> 63)))
    }

    mutating func double(_ value: Double) {
        var bits = value.bitPattern
        for _ in 0..<8 {
            bytes.append(UInt8(truncatingIfNeeded: bits))
            bits >>= 8
        }
    }

    mutating func string(_ value: String) {
        var value = value
        value.withUTF8 { utf8 in
            count(utf8.count)
            bytes.append(contentsOf: utf8)
        }
    }

    /// A string's UTF-8 bytes without their length.
    mutating func utf8(_ value: String) {
        var value = value
        value.withUTF8 { bytes.append(contentsOf: $0) }
    }

    mutating func append(_ other: [UInt8]) {
        bytes.append(contentsOf: other)
    }
}

extension BinaryWriter {
    /// A sorted map: varint count, then each key as a string followed by its value.
    mutating func sortedMap<Value>(_ map: SortedMap<Value>, _ writeValue: (inout BinaryWriter, Value) -> Void) {
        count(map.count)
        for entry in map.entries {
            string(entry.key)
            writeValue(&self, entry.value)
        }
    }

    /// Strings already sorted and unique, as read by ``BinaryReader/sortedStrings(_:)``.
    mutating func sortedStrings(_ strings: [String]) {
        assert(isStrictlyAscending(strings))
        count(strings.count)
        for string in strings { self.string(string) }
    }

    mutating func bool(_ value: Bool) {
        byte(value ? 1 : 0)
    }
}
