/// The binary payload stored in the log for one accepted event.
///
/// Layout of version 1 (primitives as in ``BinaryWriter``: varint = minimal LEB128, signed =
/// zigzag varint, string = varint length + UTF-8, object = varint count + sorted (key, value)
/// pairs in the binary JSON encoding, see `JSONValue+Binary.swift`):
///
/// | # | field | encoding |
/// |---|---|---|
/// | 1 | version | byte, `1` |
/// | 2 | flags | byte: bit 0 clientTime present, bit 1 sessionID present, bit 2 profileID present, bit 3 saveEvent, bit 4 saveSession, bit 5 saveProfile; bits 6-7 zero |
/// | 3 | id | string |
/// | 4 | type | string, already normalized |
/// | 5 | clientTime | signed, only if flag bit 0 |
/// | 6 | sourceID | string |
/// | 7 | sessionID | string, only if flag bit 1 |
/// | 8 | profileID | string, only if flag bit 2 |
/// | 9 | tags | varint count, then strings |
/// | 10 | properties | object |
/// | 11 | context | object |
/// | 12 | personal block | byte kind (`0` = plain), varint length, then that many bytes: the personal object |
///
/// The personal block comes last and carries its own kind and length, so that a later version
/// can replace its bytes with ciphertext (a new kind) without touching, or re-encoding, anything
/// before it: ``personalBlockRange(in:)`` finds it. An event without personal data has kind 0 and
/// an empty object (length 1: the count 0).
///
/// The encoding is deterministic: equal events give identical bytes. The decoder checks every
/// byte and accepts only canonical encodings, so `encode(decode(bytes)) == bytes` whenever
/// `decode` succeeds.
public enum EventRecord {
    /// The version this build writes.
    public static let version: UInt8 = 1

    /// The kinds of personal block.
    enum PersonalKind {
        /// The personal object in plain binary JSON.
        static let plain: UInt8 = 0
    }

    private enum Flag {
        static let clientTime: UInt8 = 1 << 0
        static let sessionID: UInt8 = 1 << 1
        static let profileID: UInt8 = 1 << 2
        static let saveEvent: UInt8 = 1 << 3
        static let saveSession: UInt8 = 1 << 4
        static let saveProfile: UInt8 = 1 << 5
        static let all: UInt8 = 0b0011_1111
    }

    /// The record for `event`. Pure; equal events give identical bytes.
    ///
    /// Traps if a JSON value in the event is nested deeper than ``JSONParser/depthMaxSupported``
    /// (a programmer error, see ``JSONValue/binaryEncoded()``).
    public static func encode(_ event: Event) -> [UInt8] {
        var writer = BinaryWriter(capacity: 512)
        writer.byte(version)
        var flags: UInt8 = 0
        if event.clientTime != nil { flags |= Flag.clientTime }
        if event.sessionID != nil { flags |= Flag.sessionID }
        if event.profileID != nil { flags |= Flag.profileID }
        if event.options.saveEvent { flags |= Flag.saveEvent }
        if event.options.saveSession { flags |= Flag.saveSession }
        if event.options.saveProfile { flags |= Flag.saveProfile }
        writer.byte(flags)
        writer.string(event.id)
        writer.string(event.type.rawValue)
        if let clientTime = event.clientTime { writer.signed(clientTime) }
        writer.string(event.sourceID)
        if let sessionID = event.sessionID { writer.string(sessionID) }
        if let profileID = event.profileID { writer.string(profileID) }
        writer.count(event.tags.count)
        for tag in event.tags { writer.string(tag) }
        event.properties.encodeBody(into: &writer, depth: 1)
        event.context.encodeBody(into: &writer, depth: 1)
        var personal = BinaryWriter(capacity: 64)
        event.personal.encodeBody(into: &personal, depth: 1)
        writer.byte(PersonalKind.plain)
        writer.count(personal.bytes.count)
        writer.append(personal.bytes)
        return writer.bytes
    }

    /// The event in `bytes`.
    ///
    /// - Throws: ``ModelError`` with code `unsupportedVersion` for a version other than 1 (or an
    ///   unknown personal block kind), `malformedRecord` naming the field and byte offset for
    ///   anything else wrong. Never traps, whatever the input.
    public static func decode(_ bytes: [UInt8]) throws(ModelError) -> Event {
        try withReader(bytes, format: "EventRecord") { (reader) throws(ModelError) -> Event in try decode(&reader) }
    }

    /// ``decode(_:)`` reading from `buffer`, which is not retained.
    public static func decode(_ buffer: UnsafeRawBufferPointer) throws(ModelError) -> Event {
        var reader = BinaryReader(buffer, format: "EventRecord")
        return try decode(&reader)
    }

    private static func decode(_ reader: inout BinaryReader) throws(ModelError) -> Event {
        let flags = try readHeader(&reader)
        let id = try reader.string("id")
        let typeStart = reader.index
        let typeName = try reader.string("type")
        guard let type = EventType(normalized: typeName) else {
            throw reader.error("type", at: typeStart, "event type \"\(typeName)\" is not normalized")
        }
        let clientTime: Int64? = if flags & Flag.clientTime != 0 { try reader.signed("clientTime") } else { nil }
        let sourceID = try reader.string("sourceID")
        let sessionID: String? = if flags & Flag.sessionID != 0 { try reader.string("sessionID") } else { nil }
        let profileID: String? = if flags & Flag.profileID != 0 { try reader.string("profileID") } else { nil }
        let tagCount = try reader.count("tags", elementBytesMin: 1)
        var tags: [String] = []
        tags.reserveCapacity(tagCount)
        for _ in 0..<tagCount { tags.append(try reader.string("tags")) }
        let properties = try reader.jsonObjectBody("properties", depth: 1)
        let context = try reader.jsonObjectBody("context", depth: 1)
        let personalBody = try readPersonalBlock(&reader)
        let personalStart = reader.index - personalBody.count
        var personalReader = BinaryReader(UnsafeRawBufferPointer(personalBody), format: "EventRecord")
        let personal: JSONObject
        do {
            personal = try personalReader.jsonObjectBody("personal", depth: 1)
            try personalReader.expectEnd()
        } catch {
            // Report offsets within the whole record, not within the block.
            throw ModelError(error.code, path: error.path, offset: error.offset.map { $0 + personalStart }, error.message)
        }
        try reader.expectEnd()
        let options = EventOptions(
            saveEvent: flags & Flag.saveEvent != 0, saveSession: flags & Flag.saveSession != 0,
            saveProfile: flags & Flag.saveProfile != 0
        )
        return Event(
            id: id, type: type, clientTime: clientTime, sourceID: sourceID, sessionID: sessionID,
            profileID: profileID, properties: properties, context: context, tags: tags, personal: personal,
            options: options
        )
    }

    /// The byte range of the personal block's content (after its kind and length) in a record,
    /// for replacing it in place. Checks the header and every field before the block (and
    /// discards them), but does not decode the block itself.
    ///
    /// - Throws: like ``decode(_:)``.
    public static func personalBlockRange(in bytes: [UInt8]) throws(ModelError) -> Range<Int> {
        try withReader(bytes, format: "EventRecord") { (reader) throws(ModelError) -> Range<Int> in
            let flags = try readHeader(&reader)
            _ = try reader.string("id")
            _ = try reader.string("type")
            if flags & Flag.clientTime != 0 { _ = try reader.signed("clientTime") }
            _ = try reader.string("sourceID")
            if flags & Flag.sessionID != 0 { _ = try reader.string("sessionID") }
            if flags & Flag.profileID != 0 { _ = try reader.string("profileID") }
            let tagCount = try reader.count("tags", elementBytesMin: 1)
            for _ in 0..<tagCount { _ = try reader.string("tags") }
            _ = try reader.jsonObjectBody("properties", depth: 1)
            _ = try reader.jsonObjectBody("context", depth: 1)
            let body = try readPersonalBlock(&reader)
            try reader.expectEnd()
            return reader.index - body.count..<reader.index
        }
    }

    private static func readHeader(_ reader: inout BinaryReader) throws(ModelError) -> UInt8 {
        try reader.expectVersion(version)
        let flags = try reader.byte("flags")
        guard flags & ~Flag.all == 0 else {
            throw reader.error("flags", at: 1, "unknown flag bits 0x\(String(flags & ~Flag.all, radix: 16))")
        }
        return flags
    }

    /// The personal block's kind and length; returns its content.
    private static func readPersonalBlock(_ reader: inout BinaryReader) throws(ModelError) -> UnsafeBufferPointer<UInt8> {
        let kindStart = reader.index
        let kind = try reader.byte("personal")
        guard kind == PersonalKind.plain else {
            throw ModelError(
                .unsupportedVersion, path: "EventRecord.personal", offset: kindStart,
                "personal block kind \(kind) is not supported by this build (only 0, plain)"
            )
        }
        let length = try reader.count("personal", elementBytesMin: 1)
        return try reader.take("personal", count: length)
    }
}
