import CairnModel

/// Arithmetic on JSON numbers that keeps integers exact: two integers give an integer when the
/// exact result is one (an overflow or an inexact division falls back to a decimal only for
/// division; an overflow otherwise is no result), anything with a decimal gives a decimal.
/// No result (nil) for non-numbers, division by zero and non-finite results.
enum Arithmetic {
    enum Operation: Sendable, Equatable {
        case add, subtract, multiply, divide, remainder
    }

    static func apply(_ operation: Operation, _ left: JSONValue, _ right: JSONValue) -> JSONValue? {
        if case .integer(let a) = left, case .integer(let b) = right {
            switch operation {
            case .add:
                let (sum, overflow) = a.addingReportingOverflow(b)
                return overflow ? nil : .integer(sum)
            case .subtract:
                let (difference, overflow) = a.subtractingReportingOverflow(b)
                return overflow ? nil : .integer(difference)
            case .multiply:
                let (product, overflow) = a.multipliedReportingOverflow(by: b)
                return overflow ? nil : .integer(product)
            case .divide:
                guard b != 0 else { return nil }
                let (quotient, overflow) = a.dividedReportingOverflow(by: b)
                if !overflow, a % b == 0 { return .integer(quotient) }
            case .remainder:
                guard b != 0 else { return nil }
                let (remainder, overflow) = a.remainderReportingOverflow(dividingBy: b)
                return overflow ? nil : .integer(remainder)
            }
        }
        guard let a = left.doubleValue, let b = right.doubleValue else { return nil }
        let result: Double
        switch operation {
        case .add: result = a + b
        case .subtract: result = a - b
        case .multiply: result = a * b
        case .divide:
            guard b != 0 else { return nil }
            result = a / b
        case .remainder:
            guard b != 0 else { return nil }
            result = a.truncatingRemainder(dividingBy: b)
        }
        return result.isFinite ? .number(result) : nil
    }
}
