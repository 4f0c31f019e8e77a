/// Reads the primitives written by ``BinaryWriter``, checking everything.
///
/// Every read checks bounds and throws a ``ModelError`` (`malformedRecord`) naming the record,
/// the field and the byte offset instead of trapping: truncated input, a varint longer than 10
/// bytes, over 64 bits or not minimal, a count larger than the bytes left could hold, invalid
/// UTF-8. Rejecting non-minimal varints makes every accepted input the one canonical encoding of
/// its value, so decode → encode gives back the same bytes.
///
/// The reader borrows `bytes`; it must not outlive the buffer (it lives inside one decode call).
struct BinaryReader {
    let bytes: UnsafeBufferPointer<UInt8>
    /// The name of the format, first part of every error path (`EventRecord`).
    let format: String
    private(set) var index = 0

    init(_ bytes: UnsafeRawBufferPointer, format: String) {
        // Reading bytes through a `UInt8` view of raw memory is always valid.
        self.bytes = bytes.assumingMemoryBound(to: UInt8.self)
        self.format = format
    }

    var remaining: Int { bytes.count - index }

    func error(_ field: String, at offset: Int, _ message: String) -> ModelError {
        ModelError(.malformedRecord, path: field.isEmpty ? format : "\(format).\(field)", offset: offset, message)
    }

    mutating func byte(_ field: String) throws(ModelError) -> UInt8 {
        guard index < bytes.count else { throw error(field, at: index, "truncated: expected 1 more byte") }
        defer { index += 1 }
        return bytes[index]
    }

    mutating func varint(_ field: String) throws(ModelError) -> UInt64 {
        let start = index
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            guard index < bytes.count else { throw error(field, at: start, "truncated varint") }
            let byte = bytes[index]
            index += 1
            if shift == 63, byte > 1 { throw error(field, at: start, "varint overflows 64 bits") }
            result |= UInt64(byte & 0x7F) << shift
            if byte & 0x80 == 0 {
                if byte == 0, index - start > 1 { throw error(field, at: start, "varint is not minimally encoded") }
                return result
            }
            shift += 7
        }
    }

    mutating func signed(_ field: String) throws(ModelError) -> Int64 {
        let raw = try varint(field)
        return Int64(bitPattern: (raw >> 1) ^ (0 &- (raw & 1)))
    }

    mutating func double(_ field: String) throws(ModelError) -> Double {
        guard remaining >= 8 else { throw error(field, at: index, "truncated: expected 8 bytes of a double, \(remaining) left") }
        var bits: UInt64 = 0
        for position in (index..<index + 8).reversed() {
            bits = bits << 8 | UInt64(bytes[position])
        }
        index += 8
        return Double(bitPattern: bits)
    }

    /// A count of elements that each take at least `elementBytesMin` bytes, checked against the
    /// bytes left, so a corrupted count can never make a decoder reserve or loop for long.
    mutating func count(_ field: String, elementBytesMin: Int) throws(ModelError) -> Int {
        let start = index
        let raw = try varint(field)
        guard raw <= UInt64(remaining / elementBytesMin) else {
            throw error(field, at: start, "count \(raw) is more than the \(remaining) bytes left can hold")
        }
        return Int(raw)
    }

    /// `count` raw bytes, borrowed from the input.
    mutating func take(_ field: String, count: Int) throws(ModelError) -> UnsafeBufferPointer<UInt8> {
        guard count <= remaining else {
            throw error(field, at: index, "truncated: expected \(count) bytes, \(remaining) left")
        }
        defer { index += count }
        return UnsafeBufferPointer(rebasing: bytes[index..<index + count])
    }

    mutating func string(_ field: String) throws(ModelError) -> String {
        let length = try count(field, elementBytesMin: 1)
        let start = index
        let utf8 = try take(field, count: length)
        guard let text = UTF8Validation.string(utf8) else {
            throw error(field, at: start, "invalid UTF-8 in a string")
        }
        return text
    }

    mutating func bool(_ field: String) throws(ModelError) -> Bool {
        let start = index
        switch try byte(field) {
        case 0: return false
        case 1: return true
        case let other: throw error(field, at: start, "expected a Boolean (0 or 1), found \(other)")
        }
    }

    /// Strings in strictly ascending UTF-8 order, as written for sorted string sets.
    mutating func sortedStrings(_ field: String) throws(ModelError) -> [String] {
        let count = try count(field, elementBytesMin: 1)
        var result: [String] = []
        result.reserveCapacity(count)
        for _ in 0..<count {
            let start = index
            let string = try string(field)
            if let last = result.last, compareUTF8(last, string) >= 0 {
                throw error(field, at: start, "strings are not in strictly ascending order")
            }
            result.append(string)
        }
        return result
    }

    /// Throws unless every byte has been read.
    func expectEnd() throws(ModelError) {
        if index != bytes.count {
            throw error("", at: index, "\(remaining) unexpected bytes after the end of the record")
        }
    }
}

extension BinaryReader {
    /// Reads the format version byte and throws `unsupportedVersion` unless it is `expected`.
    mutating func expectVersion(_ expected: UInt8) throws(ModelError) {
        let found = try byte("version")
        guard found == expected else {
            throw ModelError(
                .unsupportedVersion, path: "\(format).version", offset: 0,
                "record format version \(found) is not supported by this build, which reads version \(expected) (was it written by a newer Cairn?)"
            )
        }
    }

    /// A sorted map as written by `BinaryWriter.sortedMap`; keys must be strictly ascending.
    mutating func sortedMap<Value>(
        _ field: String, elementBytesMin: Int, _ readValue: (inout BinaryReader) throws(ModelError) -> Value
    ) throws(ModelError) -> SortedMap<Value> {
        let count = try count(field, elementBytesMin: elementBytesMin)
        var entries: [SortedMap<Value>.Entry] = []
        entries.reserveCapacity(count)
        for _ in 0..<count {
            let keyStart = index
            let key = try string(field)
            if let last = entries.last, compareUTF8(last.key, key) >= 0 {
                throw error(field, at: keyStart, "keys are not in strictly ascending order")
            }
            entries.append(SortedMap.Entry(key: key, value: try readValue(&self)))
        }
        return SortedMap(trustedSortedEntries: entries)
    }
}

/// Runs `body` with a reader over `bytes` (the array stays alive for the call).
func withReader<Result>(
    _ bytes: [UInt8], format: String, _ body: (inout BinaryReader) throws(ModelError) -> Result
) throws(ModelError) -> Result {
    let result: Swift.Result<Result, ModelError> = bytes.withUnsafeBytes { buffer in
        var reader = BinaryReader(buffer, format: format)
        return Swift.Result { () throws(ModelError) -> Result in try body(&reader) }
    }
    return try result.get()
}
