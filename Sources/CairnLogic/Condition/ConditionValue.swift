import CairnModel

/// What an operand evaluates to: a JSON value, or one of the two kinds only conditions have.
enum ConditionValue {
    case json(JSONValue)
    /// A point in time, microseconds since the Unix epoch (`now()`, `x - 15m`, `datetime(x)`).
    case time(Int64)
    /// A length of time in microseconds (`15m`).
    case duration(Int64)

    /// The value read as a time: a time as is; JSON as `ClientTime` reads it (ISO 8601 strings,
    /// epoch numbers or digit strings); nil for anything else, durations included.
    var asTime: Int64? {
        switch self {
        case .time(let micros): micros
        case .json(let value): ClientTime.parse(value)
        case .duration: nil
        }
    }

    var isTime: Bool {
        if case .time = self { return true }
        return false
    }

    // MARK: - Equality and order

    /// Whether the two are equal, or nil when they cannot be compared because one side is a
    /// time and the other does not read as one.
    static func equal(_ left: ConditionValue, _ right: ConditionValue) -> Bool? {
        if left.isTime || right.isTime {
            guard let a = left.asTime, let b = right.asTime else { return nil }
            return a == b
        }
        switch (left, right) {
        case (.json(let a), .json(let b)):
            // Tracardi's rule: an array on one side and anything else on the other asks whether
            // the array holds it.
            switch (a, b) {
            case (.array, .array): return equal(a, b)
            case (.array(let elements), _): return elements.contains { equal($0, b) }
            case (_, .array(let elements)): return elements.contains { equal(a, $0) }
            default: return equal(a, b)
            }
        default:
            return order(left, right) == 0
        }
    }

    /// -1, 0 or 1, or nil when the two have no order: numbers (and durations, in microseconds)
    /// among themselves, strings among themselves, times among themselves (the other side read
    /// as a time when one side is one).
    static func order(_ left: ConditionValue, _ right: ConditionValue) -> Int? {
        if left.isTime || right.isTime {
            guard let a = left.asTime, let b = right.asTime else { return nil }
            return a < b ? -1 : a == b ? 0 : 1
        }
        switch (left, right) {
        case (.duration(let a), .duration(let b)):
            return a < b ? -1 : a == b ? 0 : 1
        case (.duration(let a), .json(let b)):
            return compareNumbers(.integer(a), b)
        case (.json(let a), .duration(let b)):
            return compareNumbers(a, .integer(b))
        case (.json(.string(let a)), .json(.string(let b))):
            return compareStrings(a, b)
        case (.json(let a), .json(let b)):
            return compareNumbers(a, b)
        default:
            return nil
        }
    }

    /// Structural equality of JSON values, with numbers compared by value (`1 == 1.0`) and
    /// strings by Unicode scalars.
    static func equal(_ left: JSONValue, _ right: JSONValue) -> Bool {
        switch (left, right) {
        case (.null, .null): true
        case (.bool(let a), .bool(let b)): a == b
        case (.string(let a), .string(let b)): compareStrings(a, b) == 0
        case (.array(let a), .array(let b)): a.count == b.count && zip(a, b).allSatisfy { equal($0, $1) }
        case (.object(let a), .object(let b)):
            a.count == b.count && zip(a.entries, b.entries).allSatisfy { compareStrings($0.key, $1.key) == 0 && equal($0.value, $1.value) }
        default: compareNumbers(left, right) == 0
        }
    }

    /// Compares by Unicode scalar values, which for UTF-8 is the order of the bytes. (Swift's
    /// `String` comparison uses canonical equivalence instead, and is not what the data holds.)
    static func compareStrings(_ left: String, _ right: String) -> Int {
        var a = left.utf8.makeIterator()
        var b = right.utf8.makeIterator()
        while true {
            switch (a.next(), b.next()) {
            case (nil, nil): return 0
            case (nil, _): return -1
            case (_, nil): return 1
            case (let x?, let y?) where x != y: return x < y ? -1 : 1
            default: continue
            }
        }
    }

    /// Compares two numbers exactly, integers with doubles included; nil unless both are numbers.
    static func compareNumbers(_ left: JSONValue, _ right: JSONValue) -> Int? {
        switch (left, right) {
        case (.integer(let a), .integer(let b)): a < b ? -1 : a == b ? 0 : 1
        case (.number(let a), .number(let b)): a.isNaN || b.isNaN ? nil : a < b ? -1 : a == b ? 0 : 1
        case (.integer(let a), .number(let b)): compare(a, b)
        case (.number(let a), .integer(let b)): compare(b, a).map { -$0 }
        default: nil
        }
    }

    /// `integer` against `double` without rounding `integer` to a double.
    private static func compare(_ integer: Int64, _ double: Double) -> Int? {
        guard !double.isNaN else { return nil }
        if double >= 0x1p63 { return -1 }
        if double < -0x1p63 { return 1 }
        let whole = double.rounded(.towardZero)
        let wholeInteger = Int64(whole)
        if integer != wholeInteger { return integer < wholeInteger ? -1 : 1 }
        return double > whole ? -1 : double < whole ? 1 : 0
    }

    // MARK: - Text and membership

    /// `CONTAINS`: a substring of a string, an element of an array (by the same equality as `==`),
    /// or a key of an object.
    static func contains(_ container: ConditionValue, _ element: ConditionValue) -> Bool {
        guard case .json(let whole) = container else { return false }
        switch (whole, element) {
        case (.string(let text), .json(.string(let part))): return indexOf(Array(part.utf8), in: Array(text.utf8)) != nil
        case (.array(let elements), .json(let value)): return elements.contains { equal($0, value) }
        case (.array(let elements), .duration(let micros)): return elements.contains { compareNumbers($0, .integer(micros)) == 0 }
        case (.object(let object), .json(.string(let key))): return object[key] != nil
        default: return false
        }
    }

    /// `STARTS WITH` and `ENDS WITH`: strings only, by Unicode scalars.
    static func hasAffix(_ value: ConditionValue, _ affix: ConditionValue, atStart: Bool) -> Bool {
        guard case .json(.string(let text)) = value, case .json(.string(let part)) = affix else { return false }
        return atStart ? text.utf8.starts(with: part.utf8) : text.utf8.reversed().starts(with: part.utf8.reversed())
    }

    /// The first offset of `needle` in `haystack`. Both are whole UTF-8 strings, so a match
    /// always starts and ends on scalar boundaries.
    private static func indexOf(_ needle: [UInt8], in haystack: [UInt8]) -> Int? {
        guard needle.count <= haystack.count else { return nil }
        guard let first = needle.first else { return 0 }
        var start = 0
        while start + needle.count <= haystack.count {
            if haystack[start] == first, haystack[start..<start + needle.count].elementsEqual(needle) { return start }
            start += 1
        }
        return nil
    }
}
