/// A customer profile: the projection of every event that identified the same person.
///
/// Field names follow Tracardi's profile. Every collection has one canonical order, so equal
/// profiles encode to identical bytes: ``ids`` and ``segments`` are sorted by UTF-8 bytes and
/// unique (the type keeps them so), maps are ``SortedMap``s. Times are microseconds since the
/// Unix epoch and come from events, never from a clock.
public struct Profile: Sendable, Hashable {
    /// The profile's own id.
    public let id: String
    /// Every id merged into this profile, ``id`` included; sorted and unique.
    public private(set) var ids: [String]
    /// What is known about the customer (Tracardi's `traits`).
    public var traits: JSONObject
    /// Personal data about the customer (Tracardi's `pii`), kept apart from `traits` to be
    /// encrypted per subject like ``Event/personal``.
    public var pii: JSONObject
    /// Visit, view and custom counters.
    public var stats: ProfileStats
    /// Interest name → strength, as in Tracardi's `interests`.
    public var interests: SortedMap<Double>
    /// The segments the profile is in; sorted and unique.
    public private(set) var segments: [String]
    /// Consent type id → grant, as in Tracardi's `consents`.
    public var consents: SortedMap<Consent>
    /// When the profile was created, last visited and last updated.
    public var metadata: ProfileMetadata
    /// False once the profile has been merged into another one.
    public var active: Bool

    /// A new, empty profile first seen at `insertMicros`.
    public init(id: String, insertMicros: Int64) {
        self.init(id: id, metadata: ProfileMetadata(insertMicros: insertMicros, lastVisitMicros: insertMicros, updateMicros: insertMicros))
    }

    /// A profile with the given fields. `ids` and `segments` may come in any order and with
    /// duplicates; they are sorted and made unique, and `id` is added to `ids`.
    public init(
        id: String, ids: [String] = [], traits: JSONObject = [:], pii: JSONObject = [:],
        stats: ProfileStats = ProfileStats(), interests: SortedMap<Double> = [:], segments: [String] = [],
        consents: SortedMap<Consent> = [:], metadata: ProfileMetadata, active: Bool = true
    ) {
        self.id = id
        self.ids = sortedUnique(ids + [id])
        self.traits = traits
        self.pii = pii
        self.stats = stats
        self.interests = interests
        self.segments = sortedUnique(segments)
        self.consents = consents
        self.metadata = metadata
        self.active = active
    }

    /// Records that `otherID` now belongs to this profile.
    public mutating func addID(_ otherID: String) {
        ids = insertSorted(otherID, into: ids)
    }

    /// Puts the profile into `segment`.
    public mutating func addSegment(_ segment: String) {
        segments = insertSorted(segment, into: segments)
    }

    /// Takes the profile out of `segment`, if it was in it.
    public mutating func removeSegment(_ segment: String) {
        segments.removeAll { compareUTF8($0, segment) == 0 }
    }

    private func insertSorted(_ string: String, into strings: [String]) -> [String] {
        var result = strings
        let index = result.firstIndex { compareUTF8($0, string) >= 0 } ?? result.endIndex
        if index < result.endIndex, compareUTF8(result[index], string) == 0 { return result }
        result.insert(string, at: index)
        return result
    }
}

/// Counters kept on a profile (Tracardi's `stats`).
public struct ProfileStats: Sendable, Hashable {
    /// Sessions started.
    public var visits: Int64
    /// Page views.
    public var views: Int64
    /// Named counters, e.g. purchases.
    public var counters: SortedMap<Int64>

    public init(visits: Int64 = 0, views: Int64 = 0, counters: SortedMap<Int64> = [:]) {
        self.visits = visits
        self.views = views
        self.counters = counters
    }
}

/// A profile's times, in microseconds since the Unix epoch (Tracardi's `metadata.time`).
public struct ProfileMetadata: Sendable, Hashable {
    /// When the profile was created (`insert`).
    public var insertMicros: Int64
    /// When its latest visit started (`visit.last`).
    public var lastVisitMicros: Int64
    /// When it last changed (`update`).
    public var updateMicros: Int64

    public init(insertMicros: Int64, lastVisitMicros: Int64, updateMicros: Int64) {
        self.insertMicros = insertMicros
        self.lastVisitMicros = lastVisitMicros
        self.updateMicros = updateMicros
    }
}

/// A consent the customer granted (Tracardi's `ConsentRevoke`).
public struct Consent: Sendable, Hashable {
    /// When the consent lapses, in microseconds since the Unix epoch; nil if it does not.
    public var revokeMicros: Int64?

    public init(revokeMicros: Int64? = nil) {
        self.revokeMicros = revokeMicros
    }
}

extension Profile {
    /// A JSON rendering for command-line output, with Tracardi's field names; times as ISO 8601:
    ///
    /// ```json
    /// {"active":true,"consents":{"marketing":{"revoke":null}},"id":"p1","ids":["p0","p1"],
    ///  "interests":{"hiking":2.5},"metadata":{"time":{"insert":"…","update":"…","visit":{"last":"…"}}},
    ///  "pii":{…},"segments":["buyers"],"stats":{"counters":{"purchases":2},"views":9,"visits":3},
    ///  "traits":{…}}
    /// ```
    public var jsonValue: JSONValue {
        [
            "id": .string(id),
            "ids": .array(ids.map { .string($0) }),
            "metadata": [
                "time": [
                    "insert": .string(ClientTime.iso8601(micros: metadata.insertMicros)),
                    "update": .string(ClientTime.iso8601(micros: metadata.updateMicros)),
                    "visit": ["last": .string(ClientTime.iso8601(micros: metadata.lastVisitMicros))],
                ],
            ],
            "stats": [
                "visits": .integer(stats.visits),
                "views": .integer(stats.views),
                "counters": .object(stats.counters.mapValues { .integer($0) }),
            ],
            "traits": .object(traits),
            "pii": .object(pii),
            "segments": .array(segments.map { .string($0) }),
            "interests": .object(interests.mapValues { .number($0) }),
            "consents": .object(consents.mapValues { consent in
                ["revoke": consent.revokeMicros.map { .string(ClientTime.iso8601(micros: $0)) } ?? .null]
            }),
            "active": .bool(active),
        ]
    }
}
