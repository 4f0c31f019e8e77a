import CairnModel

extension Condition {
    /// One side of a comparison: a field, a literal, a duration, the event's time, or a function of
    /// other operands.
    public indirect enum Operand: Sendable, Equatable, CustomStringConvertible {
        /// `profile@traits.city`: the field's value, or nothing when it is missing.
        case field(FieldReference)
        /// `"text"`, `12`, `-1.5`, `true`, `null`, `[1, "a"]`, `{"k": 1}`.
        case literal(JSONValue)
        /// `15m`, `-2h`: a length of time in microseconds.
        case duration(micros: Int64)
        /// `now()`: the time of the event being processed, from the evaluation context.
        case now
        /// `operand + 15m`, `operand - 1d`, `now(-15m)`: the operand read as a time, moved by `micros`.
        /// The parser adds up a chain of offsets (`now() - 1d + 2h`) into one, so the operand is
        /// never itself `shifted`.
        case shifted(Operand, micros: Int64)
        /// `lowercase(x)`, `uppercase(x)`, `datetime(x)`.
        case call(Function, Operand)

        /// A function of one operand.
        public enum Function: String, Sendable, CaseIterable {
            /// The string in lower case (Unicode default case mapping, independent of locale).
            case lowercase
            /// The string in upper case.
            case uppercase
            /// The value read as a time: an ISO 8601 string or epoch seconds, milliseconds or
            /// microseconds, as `ClientTime` reads them.
            case datetime
        }
    }
}
