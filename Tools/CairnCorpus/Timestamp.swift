/// A calendar date and time of day in UTC, computed from microseconds since
/// the Unix epoch with integer arithmetic only (no `Date`, no time zones).
struct Timestamp: Equatable {
    var year: Int
    var month: Int
    var day: Int
    var hour: Int
    var minute: Int
    var second: Int
    var microsecond: Int

    /// Splits `micros` (microseconds since 1970-01-01T00:00:00Z) into calendar fields.
    ///
    /// Uses the proleptic Gregorian calendar; negative values (before 1970)
    /// are handled with floor division.
    init(micros: Int64) {
        let perDay: Int64 = 86_400_000_000
        var days = micros / perDay
        var rest = micros % perDay
        if rest < 0 {
            rest += perDay
            days -= 1
        }
        let inDay = Int(rest)
        microsecond = inDay % 1_000_000
        let seconds = inDay / 1_000_000
        hour = seconds / 3600
        minute = seconds / 60 % 60
        second = seconds % 60

        // Days since 1970-01-01 to a civil date, counting in 400-year eras
        // that start on 0000-03-01 so the leap day falls at the end of a year.
        let shifted = Int(days) + 719_468
        let era = (shifted >= 0 ? shifted : shifted - 146_096) / 146_097
        let dayOfEra = shifted - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let marchMonth = (5 * dayOfYear + 2) / 153
        day = dayOfYear - (153 * marchMonth + 2) / 5 + 1
        month = marchMonth < 10 ? marchMonth + 3 : marchMonth - 9
        year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
    }
}

extension JSONWriter {
    /// Appends `micros` as a quoted RFC 3339 UTC time with microseconds,
    /// e.g. `"2026-01-01T00:00:00.000000Z"`.
    mutating func timestamp(micros: Int64) {
        let time = Timestamp(micros: micros)
        byte(UInt8(ascii: "\""))
        padded(time.year, width: 4)
        byte(UInt8(ascii: "-"))
        padded(time.month, width: 2)
        byte(UInt8(ascii: "-"))
        padded(time.day, width: 2)
        byte(UInt8(ascii: "T"))
        padded(time.hour, width: 2)
        byte(UInt8(ascii: ":"))
        padded(time.minute, width: 2)
        byte(UInt8(ascii: ":"))
        padded(time.second, width: 2)
        byte(UInt8(ascii: "."))
        padded(time.microsecond, width: 6)
        byte(UInt8(ascii: "Z"))
        byte(UInt8(ascii: "\""))
    }
}
