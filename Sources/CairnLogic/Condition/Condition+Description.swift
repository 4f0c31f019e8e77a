import CairnModel

// The canonical text of conditions and operands. For every value the parser produces,
// `Condition(parsing: condition.description) == condition`. (Values built by hand may break
// the parser's invariants: an `all` of one condition, a `shifted` of a `shifted`, a non-finite
// double; their text then reads back differently or not at all.)

extension Condition {
    /// The canonical text: keywords in upper case, one space around operators, parentheses only
    /// where the structure needs them. It may be longer than the text that was parsed
    /// (`a==1` becomes `a == 1`).
    public var description: String {
        switch self {
        case .constant(let value):
            return value ? "true" : "false"
        case .comparison(let left, let comparison, let right):
            return "\(left) \(comparison.rawValue) \(right)"
        case .between(let subject, let lower, let upper):
            return "\(subject) BETWEEN \(lower) AND \(upper)"
        case .test(let subject, let test):
            return "\(subject) \(test.rawValue)"
        case .not(let inner):
            switch inner {
            case .all, .any: return "NOT (\(inner))"
            default: return "NOT \(inner)"
            }
        case .all(let items):
            return items.map { item in
                switch item {
                case .all, .any: "(\(item))"
                default: item.description
                }
            }.joined(separator: " AND ")
        case .any(let items):
            return items.map { item in
                if case .any = item { return "(\(item))" }
                return item.description
            }.joined(separator: " OR ")
        }
    }
}

extension Condition.Operand {
    /// The canonical text: `profile@traits.city`, `"text"`, `15m`, `now() - 15m`, `lowercase(x)`.
    public var description: String {
        switch self {
        case .field(let reference): reference.conditionText
        case .literal(let value): Self.literalText(value)
        case .duration(let micros): Self.durationText(micros)
        case .now: "now()"
        case .shifted(let base, let micros):
            "\(base) \(micros < 0 ? "-" : "+") \(Self.durationText(micros.magnitude))"
        case .call(let function, let argument): "\(function.rawValue)(\(argument))"
        }
    }

    /// `-15m`, `2h`, `7d`, `30s`: the largest unit that divides the duration exactly.
    static func durationText(_ micros: Int64) -> String {
        (micros < 0 ? "-" : "") + durationText(micros.magnitude)
    }

    private static func durationText(_ magnitude: UInt64) -> String {
        guard magnitude != 0 else { return "0s" }
        for (unit, unitMicros) in [("d", 86_400_000_000), ("h", 3_600_000_000), ("m", 60_000_000)] as [(String, UInt64)]
        where magnitude % unitMicros == 0 {
            return "\(magnitude / unitMicros)\(unit)"
        }
        // Whole seconds are all the parser makes; a finer duration built by hand is truncated.
        return "\(magnitude / 1_000_000)s"
    }

    /// Literals as the parser reads them: JSON's strings and numbers, `[a, b]`, `{"k": v}`.
    static func literalText(_ value: JSONValue) -> String {
        switch value {
        case .array(let elements):
            "[" + elements.map(literalText).joined(separator: ", ") + "]"
        case .object(let object):
            "{" + object.entries.map { entry in literalText(.string(entry.key)) + ": " + literalText(entry.value) }.joined(separator: ", ") + "}"
        default:
            String(decoding: value.serialized(), as: UTF8.self)
        }
    }
}
