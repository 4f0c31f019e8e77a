/// The binary encoding of a ``Session``, as projections store it.
///
/// Layout of version 1 (primitives as in ``BinaryWriter``; "object" is a binary JSON object
/// body, see `JSONValue+Binary.swift`):
///
/// | # | field | encoding |
/// |---|---|---|
/// | 1 | version | byte, `1` |
/// | 2 | flags | byte: bit 0 profileID present, bit 1 status closed; bits 2-7 zero |
/// | 3 | id | string |
/// | 4 | profileID | string, only if flag bit 0 |
/// | 5 | context | objects device, os, app, utm, page |
/// | 6 | times | signed start, signed lastEvent, signed duration |
/// | 7 | eventCount | signed |
///
/// Deterministic, and the decoder accepts only canonical encodings (it never traps).
public enum SessionRecord {
    /// The version this build writes.
    public static let version: UInt8 = 1

    private enum Flag {
        static let profileID: UInt8 = 1 << 0
        static let closed: UInt8 = 1 << 1
        static let all: UInt8 = 0b0000_0011
    }

    /// The record for `session`. Equal sessions give identical bytes.
    public static func encode(_ session: Session) -> [UInt8] {
        var writer = BinaryWriter(capacity: 256)
        writer.byte(version)
        var flags: UInt8 = 0
        if session.profileID != nil { flags |= Flag.profileID }
        if session.status == .closed { flags |= Flag.closed }
        writer.byte(flags)
        writer.string(session.id)
        if let profileID = session.profileID { writer.string(profileID) }
        for object in [session.context.device, session.context.os, session.context.app, session.context.utm, session.context.page] {
            object.encodeBody(into: &writer, depth: 1)
        }
        writer.signed(session.startMicros)
        writer.signed(session.lastEventMicros)
        writer.signed(session.durationMicros)
        writer.signed(session.eventCount)
        return writer.bytes
    }

    /// The session in `bytes`.
    ///
    /// - Throws: ``ModelError`` with code `unsupportedVersion` for a version other than 1,
    ///   `malformedRecord` naming the field and byte offset for anything else wrong.
    public static func decode(_ bytes: [UInt8]) throws(ModelError) -> Session {
        try withReader(bytes, format: "SessionRecord") { (reader) throws(ModelError) -> Session in try decode(&reader) }
    }

    /// ``decode(_:)`` reading from `buffer`, which is not retained.
    public static func decode(_ buffer: UnsafeRawBufferPointer) throws(ModelError) -> Session {
        var reader = BinaryReader(buffer, format: "SessionRecord")
        return try decode(&reader)
    }

    private static func decode(_ reader: inout BinaryReader) throws(ModelError) -> Session {
        try reader.expectVersion(version)
        let flags = try reader.byte("flags")
        guard flags & ~Flag.all == 0 else {
            throw reader.error("flags", at: 1, "unknown flag bits 0x\(String(flags & ~Flag.all, radix: 16))")
        }
        let id = try reader.string("id")
        let profileID: String? = if flags & Flag.profileID != 0 { try reader.string("profileID") } else { nil }
        let context = SessionContext(
            device: try reader.jsonObjectBody("context.device", depth: 1),
            os: try reader.jsonObjectBody("context.os", depth: 1),
            app: try reader.jsonObjectBody("context.app", depth: 1),
            utm: try reader.jsonObjectBody("context.utm", depth: 1),
            page: try reader.jsonObjectBody("context.page", depth: 1)
        )
        let start = try reader.signed("start")
        let lastEvent = try reader.signed("lastEvent")
        let duration = try reader.signed("duration")
        let eventCount = try reader.signed("eventCount")
        try reader.expectEnd()
        return Session(
            id: id, profileID: profileID, context: context, startMicros: start, lastEventMicros: lastEvent,
            durationMicros: duration, status: flags & Flag.closed != 0 ? .closed : .open, eventCount: eventCount
        )
    }
}
