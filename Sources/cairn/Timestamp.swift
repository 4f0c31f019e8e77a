import CairnModel

/// Record timestamps (microseconds since the Unix epoch) on the command line: printed as ISO 8601
/// in UTC, read as an integer of microseconds or as ISO 8601 (the same forms the event model
/// accepts from clients).
enum Timestamp {
    /// `2026-01-01T00:00:00.000000Z`
    static func iso8601(_ micros: Int64) -> String {
        ClientTime.iso8601(micros: micros)
    }

    /// Microseconds from an integer, or from an ISO 8601 time.
    static func parse(_ text: String) -> Int64? {
        if let micros = Int64(text) { return micros }
        guard text.contains("-") && text.contains(":") else { return nil }
        return ClientTime.parse(text)
    }
}
