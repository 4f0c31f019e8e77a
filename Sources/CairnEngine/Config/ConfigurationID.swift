/// Ids of configuration objects.
///
/// Ids are chosen when an object is created and stored with it in the log, never computed while
/// folding the log, so the fold stays pure.
public enum ConfigurationID {
    /// 128 random bits as 32 lower-case hex digits: unguessable, as an event source's id is also
    /// the key a client sends with its events.
    public static func random(using generator: inout some RandomNumberGenerator) -> String {
        let high = generator.next() as UInt64
        let low = generator.next() as UInt64
        return hex(high) + hex(low)
    }

    /// ``random(using:)`` with the system's generator.
    public static func random() -> String {
        var generator = SystemRandomNumberGenerator()
        return random(using: &generator)
    }

    /// The id derived from a name, as Tracardi derives a segment's: trimmed, lower-cased, each
    /// space turned into `-` (`"Frequent Buyers"` → `"frequent-buyers"`).
    public static func derived(fromName name: String) -> String {
        let trimmed = name.trimmingWhiteSpace()
        return String(String.UnicodeScalarView(trimmed.lowercased().unicodeScalars.map { $0 == " " ? "-" : $0 }))
    }

    private static func hex(_ value: UInt64) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }
}

extension String {
    /// The string without leading and trailing white space.
    func trimmingWhiteSpace() -> String {
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { !$0.properties.isWhitespace }),
              let last = scalars.lastIndex(where: { !$0.properties.isWhitespace })
        else { return "" }
        return String(scalars[first...last])
    }
}
