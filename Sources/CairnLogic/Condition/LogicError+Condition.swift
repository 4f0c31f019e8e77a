extension LogicError.Code {
    /// A condition's text does not parse; the message names the offset, the text near it and
    /// what was expected there.
    public static let invalidCondition = LogicError.Code("invalidCondition")
    /// A condition's text is longer, or nests deeper, than ``Condition/Limits`` allow.
    public static let conditionLimitExceeded = LogicError.Code("conditionLimitExceeded")
}
