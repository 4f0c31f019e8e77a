import CairnModel
import Testing
@testable import CairnLogic

@Suite("Actions: dates from the event's time")
struct ActionDateTests {
    @Test("date-offset moves the event's time or a given time")
    func offset() throws {
        #expect(try runAction("date-offset", ["days": 1, "hours": -2, "minutes": 30, "seconds": 15, "to": "memory@when"]).result.memory["when"] == "2026-03-05T08:50:45.000000Z")
        #expect(try runAction("date-offset", ["from": "profile@metadata.time.insert", "days": -365]).value == "2025-03-03T10:20:30.000000Z")
        #expect(try runAction("date-offset", ["from": "memory@none"]).port == "missing")
        #expect(try runAction("date-offset", ["from": "profile@traits.name"]).port == "missing")
        #expect(configError("date-offset", ["days": 100_000])?.message.contains("expected -36500 to 36500") == true)
        #expect(configError("date-offset", ["weeks": 1])?.message.contains("config field 'weeks' is not known") == true)
    }

    @Test("date-format writes the fields of the format at a fixed offset", arguments: [
        ("%Y-%m-%d %H:%M:%S.%f", Int64(0), "2026-03-04 10:20:30.000000"), ("%a %A %b %B %u %j", 0, "Wed Wednesday Mar March 3 063"),
        ("%H:%M %z", 90, "11:50 +0130"), ("%d %H %z", -660, "03 23 -1100"), ("%s %%", 0, "1772619630 %"),
    ])
    func format(format: String, offset: Int64, expected: String) throws {
        #expect(try runAction("date-format", ["format": .string(format), "utcOffsetMinutes": .integer(offset)]).value == .string(expected))
    }

    @Test("date-format refuses unknown fields and offsets")
    func formatErrors() {
        #expect(configError("date-format", ["format": "%Q"])?.message.contains("'%Q' is not a format field") == true)
        #expect(configError("date-format", ["format": "50%"])?.message.contains("'%' at the end") == true)
        #expect(configError("date-format", ["format": "%Y", "utcOffsetMinutes": 2_000])?.message.contains("expected -1440 to 1440") == true)
    }

    @Test("day-of-week branches on weekday and weekend, at the offset given")
    func dayOfWeek() throws {
        let run = try runAction("day-of-week", ["to": "memory@day"])
        #expect(run.port == "weekday")
        #expect(run.value == "wednesday")
        #expect(run.result.memory["day"] == "wednesday")
        let saturday = WorkflowFixture.input(payload: "2026-03-07T23:30:00Z")
        #expect(try runAction("day-of-week", ["from": "payload@"], input: saturday).port == "weekend")
        #expect(try runAction("day-of-week", ["from": "payload@", "utcOffsetMinutes": 60], input: saturday).value == "sunday")
        #expect(try runAction("day-of-week", ["from": "payload@", "utcOffsetMinutes": 60], input: WorkflowFixture.input(payload: "2026-03-08T23:30:00Z")).port == "weekday")
        #expect(configError("day-of-week", ["from": 5])?.message.contains("config field 'from'") == true)
    }

    @Test("calendar fields agree with known dates, before and after the epoch and across leap years")
    func calendar() throws {
        let format = try DateFormat(parsing: "%Y-%m-%d")
        for (text, weekday, dayOfYear) in [("1970-01-01T00:00:00Z", 4, 1), ("2000-02-29T12:00:00Z", 2, 60), ("1969-12-31T23:59:59Z", 3, 365), ("2024-12-31T00:00:00Z", 2, 366)] {
            let micros = ClientTime.parse(text)!
            let time = CalendarTime(micros: micros)
            #expect(time.weekday == Int64(weekday), "\(text)")
            #expect(time.dayOfYear == Int64(dayOfYear), "\(text)")
            #expect(format.format(micros: micros, offsetMinutes: 0) == String(text.prefix(10)))
        }
    }
}
