import CairnModel

// Literals: strings, numbers, true, false, null, arrays and objects of them.
extension ConditionParser {
    mutating func parseLiteral(depth: Int) throws(LogicError) -> JSONValue {
        switch token.kind {
        case .string(let value):
            try advance()
            return .string(value)
        case .number:
            return try parseNumber(negative: false, signStart: token.start)
        case .symbol(.minus):
            let minus = token.start
            try advance()
            guard case .number = token.kind else { throw expected("a number after '-'") }
            return try parseNumber(negative: true, signStart: minus)
        case .word(let word) where ["true", "false", "null"].contains(word.lowercased()):
            try advance()
            switch word.lowercased() {
            case "true": return .bool(true)
            case "false": return .bool(false)
            default: return .null
            }
        case .symbol(.openBracket):
            try enter(depth)
            try advance()
            var elements: [JSONValue] = []
            if !token.isSymbol(.closeBracket) {
                while true {
                    elements.append(try parseLiteral(depth: depth + 1))
                    if token.isSymbol(.closeBracket) { break }
                    guard token.isSymbol(.comma) else { throw expected("',' or ']' in an array") }
                    try advance()
                }
            }
            try advance()
            return .array(elements)
        case .symbol(.openBrace):
            try enter(depth)
            try advance()
            var members: [(String, JSONValue)] = []
            if !token.isSymbol(.closeBrace) {
                while true {
                    guard case .string(let key) = token.kind else { throw expected("a quoted key in an object") }
                    try advance()
                    guard token.isSymbol(.colon) else { throw expected("':' after an object's key") }
                    try advance()
                    members.append((key, try parseLiteral(depth: depth + 1)))
                    if token.isSymbol(.closeBrace) { break }
                    guard token.isSymbol(.comma) else { throw expected("',' or '}' in an object") }
                    try advance()
                }
            }
            try advance()
            return .object(JSONObject(members))
        default:
            throw expected("a literal in an array or object: a string, a number, true, false, null, [...] or {...}")
        }
    }

    /// The number token as an integer when it has no fraction or exponent and fits `Int64`,
    /// otherwise as a double (as ``JSONParser`` reads numbers).
    mutating func parseNumber(negative: Bool, signStart: Int) throws(LogicError) -> JSONValue {
        guard case .number(let digits) = token.kind else { throw expected("a number") }
        let text = negative ? "-" + digits : digits
        if digits.utf8.allSatisfy(ConditionLexer.isDigit), let integer = Int64(text) {
            try advance()
            return .integer(integer)
        }
        guard let double = Double(text), double.isFinite else {
            throw lexer.source.error(at: signStart, "number out of range")
        }
        try advance()
        return .number(double)
    }
}
