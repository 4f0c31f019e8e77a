import CairnModel

/// The recursive-descent parser behind ``Condition/init(parsing:limits:)``.
///
/// ```
/// condition = or
/// or        = and { "OR" and }
/// and       = not { "AND" not }
/// not       = "NOT" not | "(" or ")" | predicate
/// predicate = operand ( COMPARE operand | "BETWEEN" operand "AND" operand
///                     | "IS" ["NOT"] "NULL" | ["NOT"] "EXISTS" | ["NOT"] "EMPTY"
///                     | "CONTAINS" operand | "STARTS" "WITH" operand | "ENDS" "WITH" operand )
///           | "true" | "false"
/// operand   = term { ("+" | "-") DURATION }
/// term      = REFERENCE | literal | ["-"] DURATION | "now" "(" [["+" | "-"] DURATION] ")"
///           | FUNCTION "(" operand ")"
/// literal   = STRING | ["-"] NUMBER | "true" | "false" | "null"
///           | "[" [literal { "," literal }] "]" | "{" [STRING ":" literal { "," ... }] "}"
/// ```
///
/// Every recursion (parentheses, `NOT`, calls, nested literals) counts one level against
/// ``Condition/Limits/depthMax``; chains of `AND`, `OR` and offsets are loops, not recursion.
struct ConditionParser {
    // Not private: the literal parsing in ConditionParser+Literals.swift reads and advances them.
    var lexer: ConditionLexer
    var token: ConditionToken
    private let limits: Condition.Limits

    static func parse(_ text: String, limits: Condition.Limits) throws(LogicError) -> Condition {
        let source = ConditionSource(text)
        guard source.bytes.count <= limits.textBytesMax else {
            throw LogicError(.conditionLimitExceeded, "the condition is \(source.bytes.count) bytes long; at most \(limits.textBytesMax) are allowed")
        }
        var parser = try ConditionParser(source, limits: limits)
        let condition = try parser.parseOr(depth: 0)
        guard parser.token.kind == .end else {
            throw parser.expected("AND, OR or the end of the condition")
        }
        return condition
    }

    private init(_ source: ConditionSource, limits: Condition.Limits) throws(LogicError) {
        lexer = ConditionLexer(source)
        token = try lexer.next()
        self.limits = limits
    }

    // MARK: - Conditions

    private mutating func parseOr(depth: Int) throws(LogicError) -> Condition {
        var items = [try parseAnd(depth: depth)]
        while token.isKeyword("OR") {
            try advance()
            items.append(try parseAnd(depth: depth))
        }
        return items.count == 1 ? items[0] : .any(items)
    }

    private mutating func parseAnd(depth: Int) throws(LogicError) -> Condition {
        var items = [try parseNot(depth: depth)]
        while token.isKeyword("AND") {
            try advance()
            items.append(try parseNot(depth: depth))
        }
        return items.count == 1 ? items[0] : .all(items)
    }

    private mutating func parseNot(depth: Int) throws(LogicError) -> Condition {
        if token.isKeyword("NOT") {
            try enter(depth)
            try advance()
            return .not(try parseNot(depth: depth + 1))
        }
        if token.isSymbol(.openParen) {
            try enter(depth)
            let open = token.start
            try advance()
            let inner = try parseOr(depth: depth + 1)
            guard token.isSymbol(.closeParen) else {
                throw expected("')' to close the '(' at offset \(scalarOffset(open)), or AND, OR")
            }
            try advance()
            return inner
        }
        return try parsePredicate(depth: depth)
    }

    private mutating func parsePredicate(depth: Int) throws(LogicError) -> Condition {
        let subject = try parseOperand(depth: depth, what: "a condition: a field (profile@...), a literal or a function, NOT, or '('")
        if case .symbol(let symbol) = token.kind, let comparison = symbol.comparison {
            try advance()
            return .comparison(subject, comparison, try parseOperand(depth: depth, what: "an operand after '\(symbol.rawValue)'"))
        }
        switch token.keyword {
        case "BETWEEN":
            try advance()
            let lower = try parseOperand(depth: depth, what: "the lower bound after BETWEEN")
            guard token.isKeyword("AND") else { throw expected("AND between the bounds of BETWEEN") }
            try advance()
            let upper = try parseOperand(depth: depth, what: "the upper bound after BETWEEN ... AND")
            return .between(subject, lower: lower, upper: upper)
        case "IS":
            try advance()
            var test = Condition.Test.isNull
            if token.isKeyword("NOT") {
                test = .isNotNull
                try advance()
            }
            guard token.isKeyword("NULL") else { throw expected(test == .isNull ? "NULL or NOT NULL after IS" : "NULL after IS NOT") }
            try advance()
            return .test(subject, test)
        case "EXISTS":
            try advance()
            return .test(subject, .exists)
        case "EMPTY":
            try advance()
            return .test(subject, .empty)
        case "NOT":
            try advance()
            if token.isKeyword("EXISTS") {
                try advance()
                return .test(subject, .notExists)
            }
            guard token.isKeyword("EMPTY") else { throw expected("EXISTS or EMPTY after NOT") }
            try advance()
            return .test(subject, .notEmpty)
        case "CONTAINS":
            try advance()
            return .comparison(subject, .contains, try parseOperand(depth: depth, what: "an operand after CONTAINS"))
        case "STARTS", "ENDS":
            let comparison: Condition.ComparisonOperator = token.isKeyword("STARTS") ? .startsWith : .endsWith
            try advance()
            guard token.isKeyword("WITH") else { throw expected("WITH after \(comparison == .startsWith ? "STARTS" : "ENDS")") }
            try advance()
            return .comparison(subject, comparison, try parseOperand(depth: depth, what: "an operand after \(comparison.rawValue)"))
        default:
            if case .literal(.bool(let value)) = subject { return .constant(value) }
            throw expected("an operator: == != < <= > >= BETWEEN IS EXISTS EMPTY CONTAINS STARTS WITH ENDS WITH, or NOT EXISTS, NOT EMPTY")
        }
    }

    // MARK: - Operands

    /// A term, then any number of `+ DURATION` / `- DURATION`, summed into one offset.
    private mutating func parseOperand(depth: Int, what: String) throws(LogicError) -> Condition.Operand {
        let term = try parseTerm(depth: depth, what: what)
        var offset: Int64?
        while case .symbol(let symbol) = token.kind, symbol == .plus || symbol == .minus {
            let operatorStart = token.start
            try advance()
            guard case .duration(let micros) = token.kind else {
                throw expected("a duration such as 15m, 2h, 30s or 7d after '\(symbol.rawValue)' (only times can be added to)")
            }
            let (sum, overflow) = (offset ?? 0).addingReportingOverflow(symbol == .plus ? micros : -micros)
            guard !overflow else { throw lexer.source.error(at: operatorStart, "time offset out of range") }
            offset = sum
            try advance()
        }
        guard let offset else { return term }
        if case .shifted(let base, let micros) = term {
            // now(-15m) - 1h: one offset on `now`.
            let (sum, overflow) = micros.addingReportingOverflow(offset)
            guard !overflow else { throw lexer.source.error(at: token.start, "time offset out of range") }
            return .shifted(base, micros: sum)
        }
        return .shifted(term, micros: offset)
    }

    private mutating func parseTerm(depth: Int, what: String) throws(LogicError) -> Condition.Operand {
        switch token.kind {
        case .reference(let reference):
            try advance()
            return .field(reference)
        case .duration(let micros):
            try advance()
            return .duration(micros: micros)
        case .symbol(.minus):
            let minus = token.start
            try advance()
            if case .duration(let micros) = token.kind {
                try advance()
                return .duration(micros: -micros)
            }
            guard case .number = token.kind else { throw expected("a number or a duration after '-'") }
            return .literal(try parseNumber(negative: true, signStart: minus))
        case .word(let word):
            switch word.lowercased() {
            case "true", "false", "null":
                return .literal(try parseLiteral(depth: depth))
            default:
                return try parseCall(depth: depth, what: what)
            }
        case .string, .number, .symbol(.openBracket), .symbol(.openBrace):
            return .literal(try parseLiteral(depth: depth))
        default:
            throw expected(what)
        }
    }

    /// `now()`, `now(-15m)`, `lowercase(x)`, `uppercase(x)`, `datetime(x)`.
    private mutating func parseCall(depth: Int, what: String) throws(LogicError) -> Condition.Operand {
        guard case .word(let name) = token.kind else { throw expected(what) }
        let nameToken = token
        let functions = "now, " + Condition.Operand.Function.allCases.map(\.rawValue).joined(separator: ", ")
        let lowered = name.lowercased()
        guard lowered == "now" || Condition.Operand.Function(rawValue: lowered) != nil else {
            if let keyword = token.keyword, Self.keywords.contains(keyword) { throw expected(what) }
            throw lexer.source.error(at: nameToken.start, "unknown name '\(name)': expected a field with its root (profile@\(name), event@\(name), ...) or a function (\(functions))")
        }
        try advance()
        guard token.isSymbol(.openParen) else { throw expected("'(' after the function \(lowered)") }
        try enter(depth)
        try advance()
        if lowered == "now" {
            var offset: Int64?
            let sign = token.isSymbol(.minus) ? "-" : token.isSymbol(.plus) ? "+" : nil
            if sign != nil { try advance() }
            if case .duration(let micros) = token.kind {
                offset = sign == "-" ? -micros : micros
                try advance()
            } else if let sign {
                throw expected("a duration after '\(sign)' in now(...)")
            }
            guard token.isSymbol(.closeParen) else { throw expected(offset == nil ? "')' or a duration such as -15m in now(...)" : "')' after the offset of now(...)") }
            try advance()
            return offset.map { .shifted(.now, micros: $0) } ?? .now
        }
        let function = Condition.Operand.Function(rawValue: lowered)!  // checked above
        let argument = try parseOperand(depth: depth + 1, what: "the argument of \(lowered)(...)")
        guard token.isSymbol(.closeParen) else { throw expected("')' after the argument of \(lowered)(...) (it takes one)") }
        try advance()
        return .call(function, argument)
    }

    // MARK: - Tokens

    static let keywords: Set<String> = ["AND", "OR", "NOT", "BETWEEN", "IS", "NULL", "EXISTS", "EMPTY", "CONTAINS", "STARTS", "ENDS", "WITH"]

    mutating func advance() throws(LogicError) {
        token = try lexer.next()
    }

    /// Counts one more level of nesting at `depth`, or throws when that is too deep.
    func enter(_ depth: Int) throws(LogicError) {
        guard depth < limits.depthMax else {
            throw LogicError(.conditionLimitExceeded, "\(lexer.source.location(token.start)): nesting deeper than \(limits.depthMax) levels")
        }
    }

    /// An error at the current token: "expected X, found Y".
    func expected(_ what: String) -> LogicError {
        lexer.source.error(at: token.start, "expected \(what); found \(token.summary)")
    }

    private func scalarOffset(_ byteOffset: Int) -> Int {
        lexer.source.bytes[..<byteOffset].reduce(0) { count, byte in count + (byte & 0xC0 == 0x80 ? 0 : 1) }
    }
}
