/// How a table's keys or values become bytes and back.
///
/// For keys, the encoding decides the order of a scan: LMDB compares keys bytewise
/// (`memcmp`, shorter first on a tie), so a key codec whose byte order matches the order of its
/// values gives ordered scans. The codecs here:
///
/// | Type | Encoding | Byte order is |
/// |---|---|---|
/// | `UInt64` | 8 bytes big-endian | numeric order |
/// | `Int64` | 8 bytes big-endian, sign bit flipped | numeric order |
/// | `String` | UTF-8, no terminator | Unicode scalar order |
/// | `[UInt8]` | the bytes themselves | bytewise order |
/// | `CompositeKey<...>` | its components in turn (see `KeyComponent`) | tuple order |
///
/// A `SendableMetatype`, so that tables of any codec can be opened and used in `@Sendable` write
/// bodies (a codec conformance is a plain global fact, never isolated to an actor).
public protocol StoreCodec: SendableMetatype {
    /// Appends the encoding of `self` to `bytes`.
    func encode(into bytes: inout [UInt8])
    /// Decodes a value from exactly the bytes of one stored key or value. `buffer` points into
    /// LMDB's map and is valid only during the call: copy what you keep.
    ///
    /// - Throws: `StoreError.corrupted` when the bytes are not an encoding of `Self`.
    static func decode(from buffer: UnsafeRawBufferPointer) throws -> Self
}

extension StoreCodec {
    /// The encoding of `self` as a new array.
    public var encoded: [UInt8] {
        var bytes: [UInt8] = []
        encode(into: &bytes)
        return bytes
    }
}

extension UInt64: StoreCodec {
    public func encode(into bytes: inout [UInt8]) {
        withUnsafeBytes(of: bigEndian) { bytes.append(contentsOf: $0) }
    }

    public static func decode(from buffer: UnsafeRawBufferPointer) throws -> UInt64 {
        guard buffer.count == 8 else {
            throw StoreError(.corrupted, "a UInt64 is 8 bytes, found \(buffer.count)")
        }
        return UInt64(bigEndian: buffer.loadUnaligned(as: UInt64.self))
    }
}

extension Int64: StoreCodec {
    /// Flipping the sign bit maps `Int64.min...Int64.max` onto `0...UInt64.max` in order.
    var orderPreservingBits: UInt64 { UInt64(bitPattern: self) ^ (1 << 63) }

    init(orderPreservingBits bits: UInt64) { self.init(bitPattern: bits ^ (1 << 63)) }

    public func encode(into bytes: inout [UInt8]) {
        orderPreservingBits.encode(into: &bytes)
    }

    public static func decode(from buffer: UnsafeRawBufferPointer) throws -> Int64 {
        guard buffer.count == 8 else {
            throw StoreError(.corrupted, "an Int64 is 8 bytes, found \(buffer.count)")
        }
        return Int64(orderPreservingBits: try UInt64.decode(from: buffer))
    }
}

extension String: StoreCodec {
    public func encode(into bytes: inout [UInt8]) {
        bytes.append(contentsOf: utf8)
    }

    public static func decode(from buffer: UnsafeRawBufferPointer) throws -> String {
        guard let string = String(validating: buffer, as: UTF8.self) else {
            throw StoreError(.corrupted, "\(buffer.count) bytes are not valid UTF-8")
        }
        return string
    }
}

extension Array: StoreCodec where Element == UInt8 {
    public func encode(into bytes: inout [UInt8]) {
        bytes.append(contentsOf: self)
    }

    public static func decode(from buffer: UnsafeRawBufferPointer) throws -> [UInt8] {
        [UInt8](buffer)
    }
}
