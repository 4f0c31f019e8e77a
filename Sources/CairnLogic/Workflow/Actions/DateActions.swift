import CairnModel

// Date actions. The time they start from is the event's time, or the time at `from` (an ISO
// 8601 string or epoch number, read as `ClientTime` reads client times); when `from` points at
// nothing that is a time they send the payload on `missing`. No action reads a clock.

/// `from` (reference, optional) and `utcOffsetMinutes` (integer −1,440 to 1,440, default 0):
/// the fixed offset from UTC that calendar fields are taken at.
struct DateSource: Sendable {
    let from: FieldReference?
    let offsetMinutes: Int64

    init(config: ActionConfig, withOffset: Bool = true) throws(LogicError) {
        from = try config.optionalReference("from")
        offsetMinutes = try withOffset ? config.integer("utcOffsetMinutes", in: -1_440...1_440, default: 0) : 0
    }

    func micros(in context: ActionContext) -> Int64? {
        guard let from else { return context.nowMicros }
        return context.value(of: from).flatMap(ClientTime.parse)
    }
}

/// `date-offset`: the time some days, hours, minutes and seconds after (or, negative, before)
/// the event's time, as ISO 8601 in UTC.
///
/// Config: `from`, `days` (−36,500 to 36,500), `hours`, `minutes`, `seconds` (integers, ±10^9;
/// all default 0), `to` (writable reference, optional). Ports out: `payload`, `missing`.
public struct DateOffsetAction: WorkflowAction {
    public static let name = "date-offset"
    public static let summary = "Adds days, hours, minutes and seconds to the event's time."
    public static let outputPorts = ["payload", "missing"]

    let source: DateSource
    let offsetMicros: Int64
    let to: FieldReference?

    public init(config: ActionConfig) throws(LogicError) {
        source = try DateSource(config: config, withOffset: false)
        let days = try config.integer("days", in: -36_500...36_500, default: 0)
        let hours = try config.integer("hours", in: -1_000_000_000...1_000_000_000, default: 0)
        let minutes = try config.integer("minutes", in: -1_000_000_000...1_000_000_000, default: 0)
        let seconds = try config.integer("seconds", in: -1_000_000_000...1_000_000_000, default: 0)
        offsetMicros = (((days * 24 + hours) * 60 + minutes) * 60 + seconds) * 1_000_000
        to = try config.optionalWritableReference("to")
    }

    public func run(_ context: inout ActionContext) throws(LogicError) -> ActionOutput {
        guard let micros = source.micros(in: context) else { return .on("missing", context.payload) }
        let shifted = micros + offsetMicros
        guard ClientTime.microsRange.contains(shifted) else { throw context.failure("the time would fall outside the years 1 to 9999") }
        let result = JSONValue.string(ClientTime.iso8601(micros: shifted))
        if let to { try context.set(to, to: result) }
        return .on("payload", result)
    }
}

/// `date-format`: the event's time as text in a format (see ``DateFormat``).
///
/// Config: `from`, `format` (string, required, e.g. `%Y-%m-%d %H:%M`), `utcOffsetMinutes`,
/// `to` (writable reference, optional). Ports out: `payload`, `missing`.
public struct DateFormatAction: WorkflowAction {
    public static let name = "date-format"
    public static let summary = "Formats the event's time, e.g. '%Y-%m-%d %H:%M'."
    public static let outputPorts = ["payload", "missing"]

    let source: DateSource
    let format: DateFormat
    let to: FieldReference?

    public init(config: ActionConfig) throws(LogicError) {
        source = try DateSource(config: config)
        let text = try config.string("format")
        do {
            format = try DateFormat(parsing: text)
        } catch {
            throw config.error("format", error.message)
        }
        to = try config.optionalWritableReference("to")
    }

    public func run(_ context: inout ActionContext) throws(LogicError) -> ActionOutput {
        guard let micros = source.micros(in: context) else { return .on("missing", context.payload) }
        let result = JSONValue.string(format.format(micros: micros, offsetMinutes: source.offsetMinutes))
        if let to { try context.set(to, to: result) }
        return .on("payload", result)
    }
}

/// `day-of-week`: the weekday of the event's time, as a lower-case English name (`monday`).
///
/// Config: `from`, `utcOffsetMinutes`, `to` (writable reference, optional). Ports out:
/// `weekday` (Monday to Friday) or `weekend`, each with the name; `missing`.
public struct DayOfWeekAction: WorkflowAction {
    public static let name = "day-of-week"
    public static let summary = "Branches on the weekday of the event's time."
    public static let outputPorts = ["weekday", "weekend", "missing"]

    let source: DateSource
    let to: FieldReference?

    public init(config: ActionConfig) throws(LogicError) {
        source = try DateSource(config: config)
        to = try config.optionalWritableReference("to")
    }

    public func run(_ context: inout ActionContext) throws(LogicError) -> ActionOutput {
        guard let micros = source.micros(in: context) else { return .on("missing", context.payload) }
        let weekday = CalendarTime(micros: micros, offsetMinutes: source.offsetMinutes).weekday
        let name = JSONValue.string(CalendarTime.weekdayNames[Int(weekday) - 1])
        if let to { try context.set(to, to: name) }
        return .on(weekday >= 6 ? "weekend" : "weekday", name)
    }
}
