/// Reads the times clients send into microseconds since the Unix epoch, and writes them back.
///
/// The forms accepted are those seen from real clients (see the fixtures in
/// `shared/fixtures/clients`):
///
/// | form | example | seen from |
/// |---|---|---|
/// | ISO 8601 with `Z` and a fraction | `"2026-11-29T09:21:12.569Z"` | tracardi-js `time.create`, `context.time.local` |
/// | ISO 8601 with a numeric offset | `"2026-11-29T09:20:45.087465+00:00"` | Segment and PostHog Python clients |
/// | ISO 8601 without an offset, space separator | `"2026-11-29 09:20:42.207621"` | tracardi-track-client `metadata.time.insert` (naive UTC) |
/// | epoch milliseconds as a string | `"1795944072575"` | tracardi-js `x-timestamp` header |
/// | epoch seconds or milliseconds as a number | `1795944072`, `1795944072575`, `1795944072.575` | common SDKs |
/// | an object with `create` | `{"create": "2026-..."}` | tracardi-js event `time` |
///
/// ISO 8601: `YYYY-MM-DD`, then `T`, `t` or a space, then `HH:MM:SS`, then optionally `.` or `,`
/// and 1-9 fraction digits (digits past microseconds are truncated), then optionally `Z`, `z`,
/// `±HH:MM`, `±HHMM` or `±HH`. A time without an offset is taken as UTC. Fields are range-checked
/// (`2026-02-30` and `24:00:00` are invalid; leap seconds are not accepted).
///
/// Epoch numbers (integers, decimals, or strings of them) are told apart by magnitude: below
/// 10^11 they are seconds, below 10^14 milliseconds, below 10^17 microseconds (10^11 seconds is
/// the year 5138; 10^11 milliseconds is 1973).
///
/// Anything else, and any time outside ``microsRange``, reads as nil: a bad client time is not
/// an error, the event simply has no client time.
public enum ClientTime {
    /// 0001-01-01T00:00:00Z through 9999-12-31T23:59:59.999999Z, in microseconds.
    public static let microsRange: ClosedRange<Int64> = -62_135_596_800_000_000...253_402_300_799_999_999

    /// The time in `value`, or nil if it is in no accepted form.
    public static func parse(_ value: JSONValue) -> Int64? {
        switch value {
        case .string(let text): return parse(text)
        case .integer(let integer): return epoch(integer: integer, fractionDigits: [])
        case .number(let number):
            guard number.isFinite else { return nil }
            if number == number.rounded(.towardZero), abs(number) < 9.2e18 {
                return epoch(integer: Int64(number), fractionDigits: [])
            }
            return parseDecimal(Array(number.description.utf8))
        case .object(let object): return object["create"].flatMap { $0.objectValue == nil ? parse($0) : nil }
        default: return nil
        }
    }

    /// The time in `text` (ISO 8601 or epoch digits), or nil.
    public static func parse(_ text: String) -> Int64? {
        let bytes = Array(text.utf8)
        if bytes.count >= 19, bytes[4] == UInt8(ascii: "-") {
            return parseISO8601(bytes)
        }
        return parseDecimal(bytes)
    }

    /// `micros` as ISO 8601 in UTC with six fraction digits: `2026-01-01T00:00:00.172029Z`.
    public static func iso8601(micros: Int64) -> String {
        let perDay: Int64 = 86_400_000_000
        var days = micros / perDay
        var rest = micros % perDay
        if rest < 0 {
            rest += perDay
            days -= 1
        }
        let (year, month, day) = civil(fromDays: days)
        let seconds = rest / 1_000_000
        let fraction = rest % 1_000_000
        let negative = year < 0
        let yearDigits = Swift.max(4, decimalWidth(negative ? -year : year))
        // [-]YYYY-MM-DDTHH:MM:SS.ffffffZ, written digit by digit (the projector renders times
        // on its hot path).
        let count = (negative ? 1 : 0) + yearDigits + 23
        return String(unsafeUninitializedCapacity: count) { buffer in
            var index = 0
            func put(_ value: Int64, _ width: Int) {
                var value = value
                for position in stride(from: index + width - 1, through: index, by: -1) {
                    buffer[position] = UInt8(ascii: "0") + UInt8(value % 10)
                    value /= 10
                }
                index += width
            }
            func put(_ byte: Unicode.Scalar) {
                buffer[index] = UInt8(ascii: byte)
                index += 1
            }
            if negative { put("-") }
            put(negative ? -year : year, yearDigits)
            put("-"); put(month, 2); put("-"); put(day, 2)
            put("T"); put(seconds / 3600, 2); put(":"); put(seconds / 60 % 60, 2); put(":"); put(seconds % 60, 2)
            put("."); put(fraction, 6); put("Z")
            return index
        }
    }

    private static func decimalWidth(_ value: Int64) -> Int {
        var width = 1
        var rest = value / 10
        while rest > 0 {
            width += 1
            rest /= 10
        }
        return width
    }

    // MARK: - Epoch numbers

    /// `[-]digits[.digits]`, classified by magnitude.
    private static func parseDecimal(_ bytes: [UInt8]) -> Int64? {
        var index = 0
        let negative = bytes.first == UInt8(ascii: "-")
        if negative { index += 1 }
        let integerStart = index
        while index < bytes.count, isDigit(bytes[index]) { index += 1 }
        let integerDigits = bytes[integerStart..<index]
        guard !integerDigits.isEmpty, integerDigits.count <= 18 else { return nil }
        var fraction: ArraySlice<UInt8> = []
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            index += 1
            let fractionStart = index
            while index < bytes.count, isDigit(bytes[index]) { index += 1 }
            fraction = bytes[fractionStart..<index]
            guard !fraction.isEmpty else { return nil }
        }
        guard index == bytes.count else { return nil }
        var integer: Int64 = 0
        for digit in integerDigits { integer = integer * 10 + Int64(digit - UInt8(ascii: "0")) }
        return epoch(integer: negative ? -integer : integer, fractionDigits: fraction, negative: negative)
    }

    /// `integer` (and a decimal fraction) in seconds, milliseconds or microseconds by magnitude.
    private static func epoch(integer: Int64, fractionDigits: ArraySlice<UInt8>, negative: Bool? = nil) -> Int64? {
        let magnitude = integer.magnitude
        let microsPerUnit: Int64
        switch magnitude {
        case ..<100_000_000_000: microsPerUnit = 1_000_000
        case ..<100_000_000_000_000: microsPerUnit = 1_000
        case ..<100_000_000_000_000_000: microsPerUnit = 1
        default: return nil
        }
        // The fraction's digits down to the microsecond, truncated.
        var fractionMicros: Int64 = 0
        var scale = microsPerUnit
        for digit in fractionDigits {
            scale /= 10
            if scale == 0 { break }
            fractionMicros += Int64(digit - UInt8(ascii: "0")) * scale
        }
        let isNegative = negative ?? (integer < 0)
        let micros = integer * microsPerUnit + (isNegative ? -fractionMicros : fractionMicros)
        return microsRange.contains(micros) ? micros : nil
    }

    // MARK: - ISO 8601

    private static func parseISO8601(_ bytes: [UInt8]) -> Int64? {
        func number(_ start: Int, _ count: Int) -> Int? {
            guard start + count <= bytes.count else { return nil }
            var value = 0
            for position in start..<start + count {
                guard isDigit(bytes[position]) else { return nil }
                value = value * 10 + Int(bytes[position] - UInt8(ascii: "0"))
            }
            return value
        }
        func byte(_ position: Int, is allowed: String) -> Bool {
            position < bytes.count && allowed.utf8.contains(bytes[position])
        }
        guard let year = number(0, 4), byte(4, is: "-"), let month = number(5, 2), byte(7, is: "-"),
              let day = number(8, 2), byte(10, is: "Tt "), let hour = number(11, 2), byte(13, is: ":"),
              let minute = number(14, 2), byte(16, is: ":"), let second = number(17, 2)
        else { return nil }
        guard year >= 1, (1...12).contains(month), day >= 1, day <= daysIn(month: month, year: year),
              hour <= 23, minute <= 59, second <= 59
        else { return nil }
        var index = 19
        var fractionMicros: Int64 = 0
        if byte(index, is: ".,") {
            index += 1
            var scale: Int64 = 100_000
            let start = index
            while index < bytes.count, isDigit(bytes[index]) {
                fractionMicros += Int64(bytes[index] - UInt8(ascii: "0")) * scale
                scale /= 10
                index += 1
            }
            guard index > start, index - start <= 9 else { return nil }
        }
        var offsetSeconds = 0
        if byte(index, is: "Zz") {
            index += 1
        } else if byte(index, is: "+-") {
            let sign = bytes[index] == UInt8(ascii: "-") ? -1 : 1
            guard let hours = number(index + 1, 2), hours <= 23 else { return nil }
            index += 3
            var minutes = 0
            if byte(index, is: ":") {
                guard let value = number(index + 1, 2) else { return nil }
                minutes = value
                index += 3
            } else if let value = number(index, 2) {
                minutes = value
                index += 2
            }
            guard minutes <= 59 else { return nil }
            offsetSeconds = sign * (hours * 3600 + minutes * 60)
        }
        guard index == bytes.count else { return nil }
        let days = Int64(daysFromCivil(year: year, month: month, day: day))
        let seconds = days * 86_400 + Int64(hour * 3600 + minute * 60 + second - offsetSeconds)
        let micros = seconds * 1_000_000 + fractionMicros
        return microsRange.contains(micros) ? micros : nil
    }

    private static func isDigit(_ byte: UInt8) -> Bool {
        byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
    }

    private static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm: 400-year
    /// eras starting on 0000-03-01, so the leap day falls at the end of a year).
    static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
        let shiftedYear = month <= 2 ? year - 1 : year
        let era = (shiftedYear >= 0 ? shiftedYear : shiftedYear - 399) / 400
        let yearOfEra = shiftedYear - era * 400
        let dayOfYear = (153 * ((month + 9) % 12) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    /// The proleptic Gregorian date `days` after 1970-01-01 (the inverse of `daysFromCivil`).
    static func civil(fromDays days: Int64) -> (year: Int64, month: Int64, day: Int64) {
        let shifted = days + 719_468
        let era = (shifted >= 0 ? shifted : shifted - 146_096) / 146_097
        let dayOfEra = shifted - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let marchMonth = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * marchMonth + 2) / 5 + 1
        let month = marchMonth < 10 ? marchMonth + 3 : marchMonth - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }
}
