/// Appends compact JSON into a fixed scratch buffer.
///
/// The corpus writes millions of events, so it never goes through
/// `JSONEncoder`: fixed text is copied as bytes, numbers are formatted by
/// hand, and strings from the tables are escaped once, up front, with
/// ``escaped(_:)``. Only fragments are written here; the caller is
/// responsible for the overall structure (braces, commas, keys).
///
/// The writer only borrows its memory: use it inside
/// ``withScratch(capacity:_:)`` and copy the result out with ``bytes``.
/// Writing past the capacity is a programming error and traps.
struct JSONWriter {
    private let base: UnsafeMutablePointer<UInt8>
    private let capacity: Int
    /// How many bytes have been written.
    private(set) var count = 0

    private init(base: UnsafeMutablePointer<UInt8>, capacity: Int) {
        self.base = base
        self.capacity = capacity
    }

    /// Runs `body` with a writer over `capacity` bytes of temporary memory.
    static func withScratch<Result>(capacity: Int, _ body: (inout JSONWriter) -> Result) -> Result {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: capacity) { buffer in
            // A zero-capacity allocation may have no address; never use one.
            guard let base = buffer.baseAddress else { preconditionFailure("empty scratch buffer") }
            var writer = JSONWriter(base: base, capacity: buffer.count)
            return body(&writer)
        }
    }

    /// Discards everything written, to start over.
    mutating func reset() {
        count = 0
    }

    /// A copy of everything written so far.
    var bytes: [UInt8] {
        Array(UnsafeBufferPointer(start: base, count: count))
    }

    /// Appends the bytes at `source`.
    private mutating func append(_ source: UnsafeBufferPointer<UInt8>) {
        precondition(source.count <= capacity - count, "JSONWriter overflow")
        if let address = source.baseAddress {
            (base + count).update(from: address, count: source.count)
            count += source.count
        }
    }

    /// Appends fixed ASCII text, typically punctuation and keys such as `,"type":"`.
    mutating func raw(_ text: StaticString) {
        text.withUTF8Buffer { append($0) }
    }

    /// Appends bytes that are already valid JSON (or valid string content).
    mutating func raw(_ fragment: [UInt8]) {
        fragment.withUnsafeBufferPointer { append($0) }
    }

    /// Appends one byte.
    mutating func byte(_ value: UInt8) {
        precondition(count < capacity, "JSONWriter overflow")
        base[count] = value
        count += 1
    }

    /// Appends `value` in decimal.
    mutating func int(_ value: Int) {
        if value < 0 {
            byte(UInt8(ascii: "-"))
            unsigned(value.magnitude)
        } else {
            unsigned(UInt(value))
        }
    }

    /// Appends `value` in decimal, without sign.
    mutating func unsigned(_ value: UInt) {
        var digits = 1
        var limit: UInt = 10
        while digits < 20, value >= limit {
            digits += 1
            limit = limit &* 10
        }
        padded(value, width: digits)
    }

    /// Appends the `width` lowest decimal digits of `value`, zero-padded on the left.
    mutating func padded(_ value: UInt, width: Int) {
        precondition(width <= capacity - count, "JSONWriter overflow")
        var rest = value
        var position = count + width - 1
        while position >= count {
            base[position] = UInt8(truncatingIfNeeded: rest % 10) &+ 0x30
            rest /= 10
            position -= 1
        }
        count += width
    }

    /// ``padded(_:width:)`` for a non-negative `Int`.
    mutating func padded(_ value: Int, width: Int) {
        padded(UInt(value), width: width)
    }

    /// Appends an amount of money given in cents as a JSON number, e.g. `89.9` for 8990.
    ///
    /// Exact, with no floating point involved: trailing zeros of the fraction
    /// are dropped the way a JSON encoder drops them from a `Double`.
    mutating func cents(_ amount: Int) {
        int(amount / 100)
        let fraction = amount % 100
        if fraction == 0 { return }
        byte(UInt8(ascii: "."))
        byte(UInt8(truncatingIfNeeded: fraction / 10) &+ 0x30)
        if fraction % 10 != 0 {
            byte(UInt8(truncatingIfNeeded: fraction % 10) &+ 0x30)
        }
    }

    /// Appends the `digits` lowest hexadecimal digits of `value`, lowercase.
    mutating func hex(_ value: UInt64, digits: Int) {
        precondition(digits <= capacity - count, "JSONWriter overflow")
        var rest = value
        var position = count + digits - 1
        while position >= count {
            let nibble = UInt8(truncatingIfNeeded: rest & 0xF)
            base[position] = nibble < 10 ? nibble &+ 0x30 : nibble &+ 0x57
            rest >>= 4
            position -= 1
        }
        count += digits
    }

    /// Appends a version-4 UUID made from 128 random bits, in quotes.
    mutating func uuid(_ high: UInt64, _ low: UInt64) {
        let hi = (high & 0xFFFF_FFFF_FFFF_0FFF) | 0x0000_0000_0000_4000
        let lo = (low & 0x3FFF_FFFF_FFFF_FFFF) | 0x8000_0000_0000_0000
        byte(UInt8(ascii: "\""))
        hex(hi >> 32, digits: 8)
        byte(UInt8(ascii: "-"))
        hex(hi >> 16, digits: 4)
        byte(UInt8(ascii: "-"))
        hex(hi, digits: 4)
        byte(UInt8(ascii: "-"))
        hex(lo >> 48, digits: 4)
        byte(UInt8(ascii: "-"))
        hex(lo, digits: 12)
        byte(UInt8(ascii: "\""))
    }
}

extension JSONWriter {
    /// The content of a JSON string for `text`, escaped but without the quotes.
    ///
    /// Escapes `"`, `\` and the control characters; everything else,
    /// including non-ASCII text, is passed through as UTF-8.
    static func escaped(_ text: String) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(text.utf8.count + 8)
        for unit in text.utf8 {
            switch unit {
            case UInt8(ascii: "\""): out += [0x5C, 0x22]
            case UInt8(ascii: "\\"): out += [0x5C, 0x5C]
            case 0x0A: out += [0x5C, UInt8(ascii: "n")]
            case 0x0D: out += [0x5C, UInt8(ascii: "r")]
            case 0x09: out += [0x5C, UInt8(ascii: "t")]
            case 0x08: out += [0x5C, UInt8(ascii: "b")]
            case 0x0C: out += [0x5C, UInt8(ascii: "f")]
            case 0x00..<0x20:
                let hexDigits = Array("0123456789abcdef".utf8)
                out += Array("\\u00".utf8)
                out.append(hexDigits[Int(unit >> 4)])
                out.append(hexDigits[Int(unit & 0xF)])
            default: out.append(unit)
            }
        }
        return out
    }

    /// ``escaped(_:)`` wrapped in double quotes: a complete JSON string value.
    static func quoted(_ text: String) -> [UInt8] {
        [0x22] + escaped(text) + [0x22]
    }
}
