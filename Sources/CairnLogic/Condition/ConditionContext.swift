import CairnModel

/// What a condition is evaluated against: the values of field references, and the time of the
/// event being processed.
///
/// Implementations resolve references against the profile, event, session, payload and memory
/// the caller holds (``FieldReference/resolve(in:)`` does the walking). They must be
/// deterministic: the same references give the same values for the whole evaluation.
public protocol ConditionContext {
    /// The value at `reference`, or nil when the field is missing (a JSON `null` is a value).
    func value(of reference: FieldReference) -> JSONValue?
    /// The event's time in microseconds since the Unix epoch: what `now()` means. Never the wall
    /// clock, so evaluating an event again gives the same answer.
    var nowMicros: Int64 { get }
}
