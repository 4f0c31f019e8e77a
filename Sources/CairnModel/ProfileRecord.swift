/// The binary encoding of a ``Profile``, as projections store it.
///
/// Layout of version 1 (primitives as in ``BinaryWriter``; "object" is a binary JSON object
/// body: varint count + sorted (key, value) pairs, see `JSONValue+Binary.swift`):
///
/// | # | field | encoding |
/// |---|---|---|
/// | 1 | version | byte, `1` |
/// | 2 | id | string |
/// | 3 | ids | varint count, strings strictly ascending, containing `id` |
/// | 4 | traits | object |
/// | 5 | pii | object |
/// | 6 | stats | signed visits, signed views, varint count + (string, signed) strictly ascending |
/// | 7 | interests | varint count + (string, double) strictly ascending |
/// | 8 | segments | varint count, strings strictly ascending |
/// | 9 | consents | varint count + (string, byte 0/1 revoke present, [signed revoke]) strictly ascending |
/// | 10 | metadata | signed insert, signed lastVisit, signed update |
/// | 11 | active | byte 0/1 |
///
/// Deterministic, and the decoder accepts only canonical encodings (it never traps).
public enum ProfileRecord {
    /// The version this build writes.
    public static let version: UInt8 = 1

    /// The record for `profile`. Equal profiles give identical bytes.
    public static func encode(_ profile: Profile) -> [UInt8] {
        var writer = BinaryWriter(capacity: 256)
        writer.byte(version)
        writer.string(profile.id)
        writer.sortedStrings(profile.ids)
        profile.traits.encodeBody(into: &writer, depth: 1)
        profile.pii.encodeBody(into: &writer, depth: 1)
        writer.signed(profile.stats.visits)
        writer.signed(profile.stats.views)
        writer.sortedMap(profile.stats.counters) { $0.signed($1) }
        writer.sortedMap(profile.interests) { $0.double($1) }
        writer.sortedStrings(profile.segments)
        writer.sortedMap(profile.consents) { writer, consent in
            writer.bool(consent.revokeMicros != nil)
            if let revoke = consent.revokeMicros { writer.signed(revoke) }
        }
        writer.signed(profile.metadata.insertMicros)
        writer.signed(profile.metadata.lastVisitMicros)
        writer.signed(profile.metadata.updateMicros)
        writer.bool(profile.active)
        return writer.bytes
    }

    /// The profile in `bytes`.
    ///
    /// - Throws: ``ModelError`` with code `unsupportedVersion` for a version other than 1,
    ///   `malformedRecord` naming the field and byte offset for anything else wrong.
    public static func decode(_ bytes: [UInt8]) throws(ModelError) -> Profile {
        try withReader(bytes, format: "ProfileRecord") { (reader) throws(ModelError) -> Profile in try decode(&reader) }
    }

    /// ``decode(_:)`` reading from `buffer`, which is not retained.
    public static func decode(_ buffer: UnsafeRawBufferPointer) throws(ModelError) -> Profile {
        var reader = BinaryReader(buffer, format: "ProfileRecord")
        return try decode(&reader)
    }

    private static func decode(_ reader: inout BinaryReader) throws(ModelError) -> Profile {
        try reader.expectVersion(version)
        let id = try reader.string("id")
        let idsStart = reader.index
        let ids = try reader.sortedStrings("ids")
        guard ids.contains(where: { compareUTF8($0, id) == 0 }) else {
            throw reader.error("ids", at: idsStart, "ids do not contain the profile's own id")
        }
        let traits = try reader.jsonObjectBody("traits", depth: 1)
        let pii = try reader.jsonObjectBody("pii", depth: 1)
        let visits = try reader.signed("stats.visits")
        let views = try reader.signed("stats.views")
        let counters = try reader.sortedMap("stats.counters", elementBytesMin: 2) { (reader) throws(ModelError) in
            try reader.signed("stats.counters")
        }
        let interests = try reader.sortedMap("interests", elementBytesMin: 9) { (reader) throws(ModelError) in
            try reader.double("interests")
        }
        let segments = try reader.sortedStrings("segments")
        let consents = try reader.sortedMap("consents", elementBytesMin: 2) { (reader) throws(ModelError) -> Consent in
            let revokeMicros: Int64? = if try reader.bool("consents") { try reader.signed("consents") } else { nil }
            return Consent(revokeMicros: revokeMicros)
        }
        let metadata = ProfileMetadata(
            insertMicros: try reader.signed("metadata.insert"),
            lastVisitMicros: try reader.signed("metadata.lastVisit"),
            updateMicros: try reader.signed("metadata.update")
        )
        let active = try reader.bool("active")
        try reader.expectEnd()
        return Profile(
            id: id, ids: ids, traits: traits, pii: pii,
            stats: ProfileStats(visits: visits, views: views, counters: counters), interests: interests,
            segments: segments, consents: consents, metadata: metadata, active: active
        )
    }
}
