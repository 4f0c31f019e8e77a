import CairnModel

extension Condition {
    /// Whether the condition holds for `context`.
    ///
    /// Never traps and never throws: a missing field, a value of the wrong kind or a time that
    /// does not parse makes a comparison false (see `docs/conditions.md`, "Missing fields and
    /// types"). `AND` and `OR` stop at the first condition that decides them. Reads the context
    /// only; pure otherwise.
    public func evaluate(_ context: some ConditionContext) -> Bool {
        switch self {
        case .constant(let value):
            return value
        case .comparison(let left, let comparison, let right):
            guard let a = left.value(in: context), let b = right.value(in: context) else { return false }
            switch comparison {
            case .equal: return ConditionValue.equal(a, b) == true
            case .notEqual: return ConditionValue.equal(a, b) == false
            case .less: return ConditionValue.order(a, b).map { $0 < 0 } ?? false
            case .lessOrEqual: return ConditionValue.order(a, b).map { $0 <= 0 } ?? false
            case .greater: return ConditionValue.order(a, b).map { $0 > 0 } ?? false
            case .greaterOrEqual: return ConditionValue.order(a, b).map { $0 >= 0 } ?? false
            case .contains: return ConditionValue.contains(a, b)
            case .startsWith: return ConditionValue.hasAffix(a, b, atStart: true)
            case .endsWith: return ConditionValue.hasAffix(a, b, atStart: false)
            }
        case .between(let subject, let lower, let upper):
            guard var value = subject.value(in: context), var low = lower.value(in: context), var high = upper.value(in: context) else {
                return false
            }
            if value.isTime || low.isTime || high.isTime {
                // One time among the three makes all three times.
                guard let v = value.asTime, let l = low.asTime, let h = high.asTime else { return false }
                (value, low, high) = (.time(v), .time(l), .time(h))
            }
            guard let fromLow = ConditionValue.order(low, value), let toHigh = ConditionValue.order(value, high) else { return false }
            return fromLow <= 0 && toHigh <= 0
        case .test(let subject, let test):
            let value = subject.value(in: context)
            switch test {
            case .isNull: return Self.isNull(value)
            case .isNotNull: return !Self.isNull(value)
            case .exists: return value != nil
            case .notExists: return value == nil
            case .empty: return Self.isEmpty(value)
            case .notEmpty: return !Self.isEmpty(value)
            }
        case .not(let inner):
            return !inner.evaluate(context)
        case .all(let items):
            return items.allSatisfy { $0.evaluate(context) }
        case .any(let items):
            return items.contains { $0.evaluate(context) }
        }
    }

    private static func isNull(_ value: ConditionValue?) -> Bool {
        switch value {
        case nil, .json(.null)?: true
        default: false
        }
    }

    private static func isEmpty(_ value: ConditionValue?) -> Bool {
        switch value {
        case nil, .json(.null)?: true
        case .json(.string(let text))?: text.isEmpty
        case .json(.array(let elements))?: elements.isEmpty
        case .json(.object(let object))?: object.isEmpty
        default: false
        }
    }
}

extension Condition.Operand {
    /// What the operand evaluates to in `context`, or nil when it has no value: a missing field,
    /// a function of something it does not apply to, a time that does not parse, an offset that
    /// overflows.
    func value(in context: some ConditionContext) -> ConditionValue? {
        switch self {
        case .field(let reference):
            return context.value(of: reference).map(ConditionValue.json)
        case .literal(let value):
            return .json(value)
        case .duration(let micros):
            return .duration(micros)
        case .now:
            return .time(context.nowMicros)
        case .shifted(let base, let offset):
            guard let value = base.value(in: context) else { return nil }
            if case .duration(let micros) = value {
                let (sum, overflow) = micros.addingReportingOverflow(offset)
                return overflow ? nil : .duration(sum)
            }
            guard let time = value.asTime else { return nil }
            let (sum, overflow) = time.addingReportingOverflow(offset)
            return overflow ? nil : .time(sum)
        case .call(let function, let argument):
            guard let value = argument.value(in: context) else { return nil }
            switch function {
            case .lowercase:
                guard case .json(.string(let text)) = value else { return nil }
                return .json(.string(text.lowercased()))
            case .uppercase:
                guard case .json(.string(let text)) = value else { return nil }
                return .json(.string(text.uppercased()))
            case .datetime:
                return value.asTime.map(ConditionValue.time)
            }
        }
    }
}
