/// One part of a `CompositeKey`: an encoding that is order-preserving and self-delimiting, so that
/// the bytes of (a, b) compare like the tuple (a, b) whatever follows `a`.
///
/// | Type | Component encoding |
/// |---|---|
/// | `UInt64` | 8 bytes big-endian |
/// | `Int64` | 8 bytes big-endian, sign bit flipped |
/// | `String` | UTF-8 with each 0x00 written as 0x00 0x01, then the terminator 0x00 0x00 |
///
/// The string terminator sorts below every continuation (0x00 0x00 < 0x00 0x01 < 0x01...), so
/// "ab" < "ab\0" < "abc" as components, and the prefix ("ab") never matches a key whose first
/// component is "abc".
public protocol KeyComponent: Hashable, Comparable, Sendable {
    /// Appends the component encoding of `self` to `bytes`.
    func encodeComponent(into bytes: inout [UInt8])
    /// Reads one component from `reader`, advancing it past the component.
    ///
    /// - Throws: `StoreError.corrupted` when the bytes are not a component of this type.
    static func decodeComponent(from reader: inout KeyReader) throws -> Self
}

/// Reads `KeyComponent`s one after another from the bytes of a key. The bytes are LMDB's and are
/// valid only during the `decode` call that made the reader.
public struct KeyReader {
    private let buffer: UnsafeRawBufferPointer
    /// Bytes consumed so far.
    public private(set) var position = 0

    public init(_ buffer: UnsafeRawBufferPointer) {
        self.buffer = buffer
    }

    /// Bytes not yet consumed.
    public var remaining: Int { buffer.count - position }

    /// Consumes the next `count` bytes.
    ///
    /// - Throws: `StoreError.corrupted` when fewer remain.
    public mutating func read(count: Int) throws -> UnsafeRawBufferPointer {
        precondition(count >= 0, "negative count \(count)")
        guard count <= remaining else {
            throw StoreError(.corrupted, "a key component needs \(count) bytes at \(position), \(remaining) remain")
        }
        defer { position += count }
        return UnsafeRawBufferPointer(rebasing: buffer[position..<position + count])
    }

    /// Consumes the next byte.
    public mutating func readByte() throws -> UInt8 {
        try read(count: 1)[0]
    }

    /// - Throws: `StoreError.corrupted` when bytes remain after the last component.
    public func expectEnd() throws {
        guard remaining == 0 else {
            throw StoreError(.corrupted, "\(remaining) bytes follow the last key component at \(position)")
        }
    }
}

extension UInt64: KeyComponent {
    public func encodeComponent(into bytes: inout [UInt8]) {
        encode(into: &bytes)
    }

    public static func decodeComponent(from reader: inout KeyReader) throws -> UInt64 {
        try decode(from: reader.read(count: 8))
    }
}

extension Int64: KeyComponent {
    public func encodeComponent(into bytes: inout [UInt8]) {
        encode(into: &bytes)
    }

    public static func decodeComponent(from reader: inout KeyReader) throws -> Int64 {
        try decode(from: reader.read(count: 8))
    }
}

extension String: KeyComponent {
    public func encodeComponent(into bytes: inout [UInt8]) {
        for byte in utf8 {
            bytes.append(byte)
            if byte == 0 { bytes.append(1) }
        }
        bytes.append(0)
        bytes.append(0)
    }

    public static func decodeComponent(from reader: inout KeyReader) throws -> String {
        var utf8: [UInt8] = []
        while true {
            let byte = try reader.readByte()
            guard byte == 0 else {
                utf8.append(byte)
                continue
            }
            switch try reader.readByte() {
            case 0:
                return try utf8.withUnsafeBytes { try String.decode(from: $0) }
            case 1:
                utf8.append(0)
            case let other:
                throw StoreError(.corrupted, "string key component has escape 0x00 0x\(String(other, radix: 16)) at \(reader.position - 2)")
            }
        }
    }
}
