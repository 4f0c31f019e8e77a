/// A map from strings to values that keeps its keys sorted, so that iterating, encoding and
/// printing it never depend on hash order.
///
/// Keys are ordered and compared by their UTF-8 bytes (which is Unicode code point order), not by
/// `String`'s canonical-equivalence rules: `"é"` precomposed and `"e\u{301}"` are two different
/// keys here, as they are two different keys in JSON. Inserting an existing key replaces its value
/// ("last wins"), which is also how duplicate keys in JSON text are resolved.
///
/// Lookups are binary searches (O(log n)); insertions and removals shift the tail (O(n)). The maps
/// in events and profiles are small, so this beats hashing and keeps one obvious canonical order.
///
/// ```swift
/// var counters: SortedMap<Int64> = ["views": 3, "clicks": 1]
/// counters["orders"] = 2
/// counters.keys   // ["clicks", "orders", "views"]
/// ```
public struct SortedMap<Value> {
    /// One key and its value.
    public struct Entry {
        public var key: String
        public var value: Value

        public init(key: String, value: Value) {
            self.key = key
            self.value = value
        }
    }

    /// The entries in ascending key order, each key once.
    public private(set) var entries: [Entry]

    /// An empty map.
    public init() {
        entries = []
    }

    /// A map of `pairs`; when a key occurs more than once, the last pair wins.
    public init(_ pairs: some Sequence<(String, Value)>) {
        self.init(unsortedEntries: pairs.map { Entry(key: $0.0, value: $0.1) })
    }

    /// A map of `entries` in any order; for duplicate keys the later entry wins.
    init(unsortedEntries: [Entry]) {
        var entries = unsortedEntries
        var hasDuplicates = false
        if entries.count <= 32 {
            // Insertion sort: stable (equal keys keep their order), and fastest for the small,
            // nearly sorted objects of real payloads.
            var index = 1
            while index < entries.count {
                let comparison = compareUTF8(entries[index - 1].key, entries[index].key)
                if comparison <= 0 {
                    hasDuplicates = hasDuplicates || comparison == 0
                    index += 1
                    continue
                }
                let entry = entries[index]
                var hole = index
                while hole > 0 {
                    let comparison = compareUTF8(entries[hole - 1].key, entry.key)
                    if comparison <= 0 {
                        hasDuplicates = hasDuplicates || comparison == 0
                        break
                    }
                    entries[hole] = entries[hole - 1]
                    hole -= 1
                }
                entries[hole] = entry
                index += 1
            }
        } else {
            // Large objects: O(n log n), ordering equal keys by position to stay stable.
            let order = entries.indices.sorted { left, right in
                let comparison = compareUTF8(unsortedEntries[left].key, unsortedEntries[right].key)
                return comparison != 0 ? comparison < 0 : left < right
            }
            entries = order.map { unsortedEntries[$0] }
            hasDuplicates = zip(entries, entries.dropFirst()).contains { compareUTF8($0.key, $1.key) == 0 }
        }
        if hasDuplicates {
            // Of equal keys, now adjacent and in input order, keep the last.
            var unique: [Entry] = []
            unique.reserveCapacity(entries.count)
            for entry in entries {
                if let last = unique.last, compareUTF8(last.key, entry.key) == 0 {
                    unique[unique.count - 1] = entry
                } else {
                    unique.append(entry)
                }
            }
            entries = unique
        }
        self.entries = entries
    }

    /// A map whose entries the caller guarantees to be strictly ascending by key (UTF-8 byte
    /// order), for builders that produce keys in order; checked in debug builds only.
    public init(trustedSortedEntries: [Entry]) {
        assert(zip(trustedSortedEntries, trustedSortedEntries.dropFirst()).allSatisfy { compareUTF8($0.key, $1.key) < 0 })
        entries = trustedSortedEntries
    }

    public var count: Int { entries.count }
    public var isEmpty: Bool { entries.isEmpty }
    /// The keys in ascending order.
    public var keys: [String] { entries.map(\.key) }
    /// The values in ascending key order.
    public var values: [Value] { entries.map(\.value) }

    /// The value for `key`, or nil. Setting nil removes the key.
    public subscript(key: String) -> Value? {
        get {
            switch search(key) {
            case .found(let index): entries[index].value
            case .insertionPoint: nil
            }
        }
        set {
            switch (search(key), newValue) {
            case (.found(let index), let value?): entries[index].value = value
            case (.found(let index), nil): entries.remove(at: index)
            case (.insertionPoint(let index), let value?): entries.insert(Entry(key: key, value: value), at: index)
            case (.insertionPoint, nil): break
            }
        }
    }

    /// Whether `key` is present.
    public func contains(_ key: String) -> Bool {
        if case .found = search(key) { return true }
        return false
    }

    /// Removes `key` and returns its value, if it was present.
    @discardableResult
    public mutating func removeValue(forKey key: String) -> Value? {
        guard case .found(let index) = search(key) else { return nil }
        return entries.remove(at: index).value
    }

    /// The entries for which `isIncluded` is true, still sorted.
    public func filter(_ isIncluded: (Entry) throws -> Bool) rethrows -> SortedMap {
        SortedMap(trustedSortedEntries: try entries.filter(isIncluded))
    }

    /// The same keys with transformed values.
    public func mapValues<T>(_ transform: (Value) throws -> T) rethrows -> SortedMap<T> {
        SortedMap<T>(trustedSortedEntries: try entries.map { .init(key: $0.key, value: try transform($0.value)) })
    }

    private enum SearchResult {
        case found(Int)
        case insertionPoint(Int)
    }

    private func search(_ key: String) -> SearchResult {
        var low = 0
        var high = entries.count
        while low < high {
            let middle = (low + high) / 2
            let comparison = compareUTF8(entries[middle].key, key)
            if comparison == 0 { return .found(middle) }
            if comparison < 0 { low = middle + 1 } else { high = middle }
        }
        return .insertionPoint(low)
    }
}

extension SortedMap: RandomAccessCollection {
    public var startIndex: Int { entries.startIndex }
    public var endIndex: Int { entries.endIndex }
    public subscript(position: Int) -> Entry { entries[position] }
}

extension SortedMap: ExpressibleByDictionaryLiteral {
    /// A map of the literal's pairs; for duplicate keys the last pair wins.
    public init(dictionaryLiteral elements: (String, Value)...) {
        self.init(elements)
    }
}

extension SortedMap.Entry: Sendable where Value: Sendable {}
extension SortedMap: Sendable where Value: Sendable {}

extension SortedMap.Entry: Equatable where Value: Equatable {
    /// Keys are equal when their UTF-8 bytes are.
    public static func == (left: Self, right: Self) -> Bool {
        left.value == right.value && compareUTF8(left.key, right.key) == 0
    }
}

extension SortedMap: Equatable where Value: Equatable {
    public static func == (left: Self, right: Self) -> Bool { left.entries == right.entries }
}

extension SortedMap.Entry: Hashable where Value: Hashable {
    public func hash(into hasher: inout Hasher) {
        hasher.combine(key.utf8.count)
        for byte in key.utf8 { hasher.combine(byte) }
        hasher.combine(value)
    }
}

extension SortedMap: Hashable where Value: Hashable {
    public func hash(into hasher: inout Hasher) { hasher.combine(entries) }
}

/// Compares the UTF-8 bytes of two strings: negative, zero or positive like `memcmp`.
///
/// Byte order is code point order, and unlike `String`'s `<` it does not treat canonically
/// equivalent strings as equal, so it is the order of keys in canonical JSON and binary records.
func compareUTF8(_ left: String, _ right: String) -> Int {
    // Native strings, small or large, have contiguous UTF-8: compare it in place.
    let result = left.utf8.withContiguousStorageIfAvailable { leftBytes in
        right.utf8.withContiguousStorageIfAvailable { rightBytes in compareBytes(leftBytes, rightBytes) }
    }
    if let result = result ?? nil { return result }
    var left = left
    var right = right
    return left.withUTF8 { leftBytes in
        right.withUTF8 { rightBytes in compareBytes(leftBytes, rightBytes) }
    }
}

/// `memcmp`-style comparison of two byte buffers, shorter-is-smaller on a common prefix.
func compareBytes(_ left: UnsafeBufferPointer<UInt8>, _ right: UnsafeBufferPointer<UInt8>) -> Int {
    let common = min(left.count, right.count)
    var index = 0
    while index < common {
        let a = left[index]
        let b = right[index]
        if a != b { return a < b ? -1 : 1 }
        index += 1
    }
    return left.count == right.count ? 0 : (left.count < right.count ? -1 : 1)
}

/// Whether `strings` is strictly ascending by UTF-8 bytes (sorted, no duplicates).
func isStrictlyAscending(_ strings: [String]) -> Bool {
    zip(strings, strings.dropFirst()).allSatisfy { compareUTF8($0, $1) < 0 }
}

/// `strings` sorted by UTF-8 bytes, duplicates removed.
func sortedUnique(_ strings: some Sequence<String>) -> [String] {
    var result: [String] = []
    for string in strings.sorted(by: { compareUTF8($0, $1) < 0 }) {
        if let last = result.last, compareUTF8(last, string) == 0 { continue }
        result.append(string)
    }
    return result
}
