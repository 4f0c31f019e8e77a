import CairnModel

/// A parsed condition of the condition language, such as `profile@traits.age >= 18 AND
/// event@properties.plan STARTS WITH "pro"`. The language is described in `docs/conditions.md`.
///
/// Values are built by ``init(parsing:limits:)`` and checked against data with
/// ``evaluate(_:)``. Both are pure: no clock, no randomness, nothing shared; a condition is an
/// immutable value and may be evaluated from any number of tasks at once.
///
/// ```swift
/// let condition = try Condition(parsing: #"profile@traits.plan == "pro" AND event@time > now() - 15m"#)
/// if condition.evaluate(context) { ... }
/// ```
///
/// ``description`` is the canonical text: keywords in upper case, one space around operators,
/// parentheses only where precedence needs them. It parses back to an equal condition.
public indirect enum Condition: Sendable, Equatable, CustomStringConvertible {
    /// `true` or `false` written on its own.
    case constant(Bool)
    /// `left OPERATOR right`: `==`, `!=`, `<`, `<=`, `>`, `>=`, `CONTAINS`, `STARTS WITH`,
    /// `ENDS WITH`.
    case comparison(Operand, ComparisonOperator, Operand)
    /// `value BETWEEN lower AND upper`, both bounds included.
    case between(Operand, lower: Operand, upper: Operand)
    /// `value IS NULL`, `value EXISTS`, `value NOT EMPTY`, ...
    case test(Operand, Test)
    /// `NOT condition`.
    case not(Condition)
    /// `a AND b AND ...`: at least two conditions, all of which must hold.
    case all([Condition])
    /// `a OR b OR ...`: at least two conditions, one of which must hold.
    case any([Condition])

    /// A binary operator between two operands.
    public enum ComparisonOperator: String, Sendable, CaseIterable {
        case equal = "=="
        case notEqual = "!="
        case less = "<"
        case lessOrEqual = "<="
        case greater = ">"
        case greaterOrEqual = ">="
        case contains = "CONTAINS"
        case startsWith = "STARTS WITH"
        case endsWith = "ENDS WITH"
    }

    /// A test of one operand. Each has its exact negation beside it.
    public enum Test: String, Sendable, CaseIterable {
        case isNull = "IS NULL"
        case isNotNull = "IS NOT NULL"
        case exists = "EXISTS"
        case notExists = "NOT EXISTS"
        case empty = "EMPTY"
        case notEmpty = "NOT EMPTY"
    }

    /// Bounds on the text ``init(parsing:limits:)`` accepts.
    public struct Limits: Sendable, Hashable {
        /// The longest text, in UTF-8 bytes.
        public var textBytesMax: Int
        /// The deepest nesting of parentheses, `NOT`s, function calls and array or object
        /// literals; `NOT (a == [1])` has depth 3.
        public var depthMax: Int

        /// Creates limits. Traps if either is not positive or `depthMax` is over
        /// ``depthMaxSupported`` (a programmer error).
        public init(textBytesMax: Int, depthMax: Int) {
            precondition(textBytesMax > 0, "textBytesMax must be positive")
            precondition(depthMax > 0 && depthMax <= Self.depthMaxSupported, "depthMax out of range")
            self.textBytesMax = textBytesMax
            self.depthMax = depthMax
        }

        /// 64 KiB and 64 levels: far above any hand-written condition, far below a stack overflow
        /// in the parser, the printer or the evaluator (all of which recurse on nesting).
        public static let `default` = Limits(textBytesMax: 64 << 10, depthMax: 64)

        /// The deepest nesting any limits may allow.
        public static let depthMaxSupported = 256
    }

    /// Parses `text`.
    ///
    /// - Throws: ``LogicError`` with code `invalidCondition` naming the offset (in Unicode
    ///   scalars from the start, counting from 0), the text near it and what was expected; or
    ///   `conditionLimitExceeded` when the text is longer or nests deeper than `limits`.
    public init(parsing text: String, limits: Limits = .default) throws(LogicError) {
        self = try ConditionParser.parse(text, limits: limits)
    }
}
