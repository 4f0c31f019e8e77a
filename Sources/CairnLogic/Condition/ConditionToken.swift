/// One token of a condition's text.
struct ConditionToken: Equatable {
    enum Kind: Equatable {
        /// A name: a keyword (`AND`, `between`), a literal word (`true`, `NULL`) or a function
        /// (`lowercase`), as written.
        case word(String)
        /// `profile@traits.city`, already parsed.
        case reference(FieldReference)
        /// A quoted string, escapes resolved.
        case string(String)
        /// An unsigned number as written: `12`, `0.5`, `1e-07`.
        case number(String)
        /// An unsigned duration: `15m` is 900,000,000.
        case duration(micros: Int64)
        case symbol(Symbol)
        case end
    }

    enum Symbol: String, Equatable {
        case openParen = "(", closeParen = ")", openBracket = "[", closeBracket = "]"
        case openBrace = "{", closeBrace = "}", comma = ",", colon = ":", plus = "+", minus = "-"
        case equal = "==", notEqual = "!=", less = "<", lessOrEqual = "<=", greater = ">", greaterOrEqual = ">="

        /// The comparison this symbol stands for, if it is one.
        var comparison: Condition.ComparisonOperator? {
            switch self {
            case .equal: .equal
            case .notEqual: .notEqual
            case .less: .less
            case .lessOrEqual: .lessOrEqual
            case .greater: .greater
            case .greaterOrEqual: .greaterOrEqual
            default: nil
            }
        }
    }

    let kind: Kind
    /// The UTF-8 offset of the token's first byte.
    let start: Int

    /// The word in upper case, if this is a word; keywords are compared this way.
    var keyword: String? {
        if case .word(let word) = kind { return word.uppercased() }
        return nil
    }

    func isKeyword(_ name: String) -> Bool { keyword == name }

    func isSymbol(_ symbol: Symbol) -> Bool { kind == .symbol(symbol) }

    /// The token as an error message names it.
    var summary: String {
        switch kind {
        case .word(let word): "'\(word)'"
        case .reference(let reference): "the field \(reference.conditionText)"
        case .string: "a string"
        case .number(let text): "the number \(text)"
        case .duration: "a duration"
        case .symbol(let symbol): "'\(symbol.rawValue)'"
        case .end: "the end of the text"
        }
    }
}
