/// A time in microseconds since the Unix epoch broken into calendar fields (proleptic
/// Gregorian), at a fixed offset from UTC. Pure arithmetic: no time zone database, no clock.
struct CalendarTime: Sendable, Equatable {
    let year: Int64
    let month: Int64
    let day: Int64
    let hour: Int64
    let minute: Int64
    let second: Int64
    let microsecond: Int64
    /// ISO weekday: 1 is Monday, 7 is Sunday.
    let weekday: Int64
    /// 1 for January 1st.
    let dayOfYear: Int64
    let offsetMinutes: Int64

    static let weekdayNames = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
    static let monthNames = ["january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november", "december"]

    init(micros: Int64, offsetMinutes: Int64 = 0) {
        let perDay: Int64 = 86_400_000_000
        let local = micros + offsetMinutes * 60_000_000
        var days = local / perDay
        var rest = local % perDay
        if rest < 0 {
            rest += perDay
            days -= 1
        }
        (year, month, day) = Self.civil(days: days)
        hour = rest / 3_600_000_000
        minute = rest / 60_000_000 % 60
        second = rest / 1_000_000 % 60
        microsecond = rest % 1_000_000
        weekday = ((days % 7 + 7) % 7 + 3) % 7 + 1  // 1970-01-01 was a Thursday
        dayOfYear = days - Self.days(year: year, month: 1, day: 1) + 1
        self.offsetMinutes = offsetMinutes
    }

    /// Days since 1970-01-01 of a date: the era-based method (400-year eras starting on March 1st,
    /// so a leap day is the last day of its year).
    static func days(year: Int64, month: Int64, day: Int64) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * ((month + 9) % 12) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    /// The date `days` after 1970-01-01; the inverse of ``days(year:month:day:)``.
    static func civil(days: Int64) -> (Int64, Int64, Int64) {
        let shifted = days + 719_468
        let era = (shifted >= 0 ? shifted : shifted - 146_096) / 146_097
        let dayOfEra = shifted - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1_460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let marchMonth = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * marchMonth + 2) / 5 + 1
        let month = marchMonth < 10 ? marchMonth + 3 : marchMonth - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }
}

/// A `strftime`-like format, checked when parsed: `%Y` year, `%m` month, `%d` day, `%H` hour,
/// `%M` minute, `%S` second, `%f` microseconds (6 digits), `%j` day of the year (3 digits),
/// `%u` ISO weekday (1 Monday … 7 Sunday), `%a`/`%A` weekday name (`Mon`/`Monday`), `%b`/`%B`
/// month name (`Jan`/`January`), `%s` seconds since the epoch, `%z` the offset (`+0200`), `%%` a
/// percent sign. Names are English.
struct DateFormat: Sendable, Equatable {
    enum Piece: Sendable, Equatable {
        case text(String)
        case field(Character)
    }

    static let fields: Set<Character> = ["Y", "m", "d", "H", "M", "S", "f", "j", "u", "a", "A", "b", "B", "s", "z"]

    let pieces: [Piece]

    init(parsing format: String) throws(LogicError) {
        var pieces: [Piece] = []
        var text = ""
        var characters = format.makeIterator()
        while let character = characters.next() {
            guard character == "%" else {
                text.append(character)
                continue
            }
            guard let field = characters.next() else { throw LogicError(.invalidConfig, "'%' at the end of the format; write '%%' for a percent sign") }
            if field == "%" {
                text.append("%")
                continue
            }
            guard Self.fields.contains(field) else {
                throw LogicError(.invalidConfig, "'%\(field)' is not a format field; fields are %Y %m %d %H %M %S %f %j %u %a %A %b %B %s %z %%")
            }
            if !text.isEmpty { pieces.append(.text(text)) }
            text = ""
            pieces.append(.field(field))
        }
        if !text.isEmpty { pieces.append(.text(text)) }
        self.pieces = pieces
    }

    func format(micros: Int64, offsetMinutes: Int64) -> String {
        let time = CalendarTime(micros: micros, offsetMinutes: offsetMinutes)
        func padded(_ value: Int64, _ width: Int) -> String {
            let digits = String(value.magnitude)
            return (value < 0 ? "-" : "") + String(repeating: "0", count: max(0, width - digits.count)) + digits
        }
        func capitalized(_ name: String, _ length: Int? = nil) -> String {
            let cut = length.map { String(name.prefix($0)) } ?? name
            return cut.prefix(1).uppercased() + cut.dropFirst()
        }
        var result = ""
        for piece in pieces {
            switch piece {
            case .text(let text): result += text
            case .field(let field):
                switch field {
                case "Y": result += padded(time.year, 4)
                case "m": result += padded(time.month, 2)
                case "d": result += padded(time.day, 2)
                case "H": result += padded(time.hour, 2)
                case "M": result += padded(time.minute, 2)
                case "S": result += padded(time.second, 2)
                case "f": result += padded(time.microsecond, 6)
                case "j": result += padded(time.dayOfYear, 3)
                case "u": result += String(time.weekday)
                case "a": result += capitalized(CalendarTime.weekdayNames[Int(time.weekday) - 1], 3)
                case "A": result += capitalized(CalendarTime.weekdayNames[Int(time.weekday) - 1])
                case "b": result += capitalized(CalendarTime.monthNames[Int(time.month) - 1], 3)
                case "B": result += capitalized(CalendarTime.monthNames[Int(time.month) - 1])
                case "s": result += String(micros >= 0 || micros % 1_000_000 == 0 ? micros / 1_000_000 : micros / 1_000_000 - 1)
                default:
                    let offset = offsetMinutes.magnitude
                    result += (offsetMinutes < 0 ? "-" : "+") + padded(Int64(offset / 60), 2) + padded(Int64(offset % 60), 2)
                }
            }
        }
        return result
    }
}
