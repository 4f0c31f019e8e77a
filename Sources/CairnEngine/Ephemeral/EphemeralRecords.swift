import CairnModel
import CairnStore

/// An event from an ephemeral source as stored in the event log (a ``RecordKind/sealedEvent``
/// record, keyed by the event's id): its `EventRecord` encrypted with AES-256-GCM under an
/// ``EphemeralKey``.
///
/// Payload: version (1 byte, 1) · key id (8 bytes, little-endian) · nonce (12 bytes) · ciphertext
/// · tag (16 bytes). The version and key id are the associated data.
public enum SealedEvent {
    static let version: UInt8 = 1
    static let headerByteCount = 1 + 8 + 12
    static let tagByteCount = 16

    /// The sealed record payload of `event`, with a fresh random nonce.
    public static func seal(_ event: Event, key: EphemeralKey) -> [UInt8] {
        let plaintext = EventRecord.encode(event)
        var generator = SystemRandomNumberGenerator()
        var nonce: [UInt8] = []
        while nonce.count < 12 { withUnsafeBytes(of: generator.next() as UInt64) { nonce += $0 } }
        nonce.removeLast(nonce.count - 12)
        var ciphertext = [UInt8](repeating: 0, count: plaintext.count)
        var tag = [UInt8](repeating: 0, count: tagByteCount)
        let header = associatedData(key.id)
        let sealed = AESGCM.run(encrypt: true, key: key.bytes, nonce: nonce, aad: header, input: plaintext, output: &ciphertext, tag: &tag)
        precondition(sealed, "AES-256-GCM encryption failed")  // only with a broken libcrypto
        return header + nonce + ciphertext + tag
    }

    /// The id of the key that sealed `payload`.
    static func keyID(_ payload: some Collection<UInt8>, offset: UInt64) throws -> UInt64 {
        let bytes = Array(payload.prefix(9))
        guard payload.count >= headerByteCount + tagByteCount, bytes[0] == version else {
            throw EngineError(.invalidEvent, "event log offset \(offset): a sealed event record of \(payload.count) bytes has no version-\(version) header")
        }
        return bytes[1...].reversed().reduce(0) { $0 << 8 | UInt64($1) }
    }

    /// The event sealed in `payload` with `key`.
    static func open(_ payload: [UInt8], key: [UInt8], offset: UInt64) throws -> Event {
        let id = try keyID(payload, offset: offset)
        let nonce = Array(payload[9..<headerByteCount])
        let ciphertext = Array(payload[headerByteCount..<(payload.count - tagByteCount)])
        var tag = Array(payload[(payload.count - tagByteCount)...])
        var plaintext = [UInt8](repeating: 0, count: ciphertext.count)
        guard AESGCM.run(encrypt: false, key: key, nonce: nonce, aad: associatedData(id), input: ciphertext, output: &plaintext, tag: &tag) else {
            throw EngineError(.invalidEvent, "event log offset \(offset): the sealed event does not open with key \(EphemeralKeys.hex(id)): damaged")
        }
        do { return try EventRecord.decode(plaintext) } catch {
            throw EngineError(.invalidEvent, "event log offset \(offset): the sealed event opened but does not decode: \(error)")
        }
    }

    private static func associatedData(_ id: UInt64) -> [UInt8] {
        [version] + withUnsafeBytes(of: id.littleEndian) { Array($0) }
    }
}

/// What applying one event from an ephemeral source did to the projections, kept so that a
/// replay can reproduce it once the event itself is shredded: every row it wrote, in order (see
/// docs/ephemeral.md). In the event log as a ``RecordKind/ephemeralEffect`` record after the
/// sealed event.
///
/// Payload: version (1 byte, 1) · the sealed event's offset (8 bytes LE) · write count (4 bytes
/// LE) · per write: table name length (1 byte), name, key length (4 bytes LE), key, value length
/// (4 bytes LE; `0xFFFFFFFF` for a delete, then no value), value. Profile and session rows hold
/// their state after the event (`ProfileRecord`, `SessionRecord`).
struct EphemeralEffect: Sendable, Equatable {
    static let version: UInt8 = 1
    static let deleted: UInt32 = 0xFFFF_FFFF

    /// The offset of the sealed event this is the effect of.
    let offset: UInt64
    let writes: [WriteJournalEntry]

    func encoded() -> [UInt8] {
        var bytes: [UInt8] = [Self.version]
        func append<T: FixedWidthInteger>(_ value: T) { withUnsafeBytes(of: value.littleEndian) { bytes += $0 } }
        append(offset)
        append(UInt32(writes.count))
        for write in writes {
            let name = Array(write.table.utf8)
            precondition(name.count <= 255, "table names are short")
            bytes.append(UInt8(name.count))
            bytes += name
            append(UInt32(write.key.count))
            bytes += write.key
            if let value = write.value {
                append(UInt32(value.count))
                bytes += value
            } else {
                append(Self.deleted)
            }
        }
        return bytes
    }

    /// Decodes an effect record's payload; `recordOffset` names the record in errors.
    init(payload: [UInt8], recordOffset: UInt64) throws {
        var position = 0
        func fail(_ what: String) -> EngineError {
            EngineError(.invalidEvent, "event log offset \(recordOffset): ephemeral effect record: \(what) at byte \(position)")
        }
        func take(_ count: Int) throws -> ArraySlice<UInt8> {
            guard count >= 0, payload.count - position >= count else { throw fail("truncated") }
            defer { position += count }
            return payload[position..<(position + count)]
        }
        func integer<T: FixedWidthInteger>(_: T.Type) throws -> T {
            try take(MemoryLayout<T>.size).reversed().reduce(T(0)) { $0 << 8 | T($1) }
        }
        guard try integer(UInt8.self) == Self.version else { throw fail("not version \(Self.version)") }
        let offset = try integer(UInt64.self)
        let count = Int(try integer(UInt32.self))
        // Each write takes at least 10 bytes: a count beyond that is damage, not a reason to allocate.
        guard count <= (payload.count - position) / 10 else { throw fail("\(count) writes cannot fit") }
        var writes: [WriteJournalEntry] = []
        writes.reserveCapacity(count)
        for _ in 0..<count {
            let nameLength = Int(try integer(UInt8.self))
            let table = String(decoding: try take(nameLength), as: UTF8.self)
            let key = Array(try take(Int(try integer(UInt32.self))))
            let length = try integer(UInt32.self)
            let value = length == Self.deleted ? nil : Array(try take(Int(length)))
            writes.append(WriteJournalEntry(table: table, key: key, value: value))
        }
        guard position == payload.count else { throw fail("\(payload.count - position) bytes after the last write") }
        self.offset = offset
        self.writes = writes
    }

    init(offset: UInt64, writes: [WriteJournalEntry]) {
        self.offset = offset
        self.writes = writes
    }
}
