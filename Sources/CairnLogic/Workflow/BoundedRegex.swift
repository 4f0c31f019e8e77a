/// A regular expression matched in time linear in its input (a Pike virtual machine: every
/// thread advances one character at a time, so there is no backtracking to blow up), with a
/// budget of steps that the caller charges to the run. Deterministic and free of I/O.
///
/// Syntax: literals; `.` (any character but a line feed); classes `[abc]`, `[^a-z]`; `\d \w \s`
/// and their negations `\D \W \S` (ASCII digits and word characters; white space is space, tab,
/// line feed, carriage return, form feed, vertical tab), also inside classes; escapes `\n \t \r`
/// and `\` before any punctuation; anchors `^` and `$` (start and end of the whole text); `\b`
/// and `\B`; groups `(…)` (captured, numbered from 1) and `(?:…)`; alternation `|`; quantifiers
/// `* + ? {n} {n,} {n,m}` (n, m ≤ 100), each lazy with a `?` after it. There are no
/// back-references and no look-around: both would need backtracking. Characters are Unicode
/// scalars; with `ignoreCase` they compare by their simple lower-case mapping.
///
/// Patterns are at most ``patternBytesMax`` bytes and compile to at most
/// ``instructionsMax`` instructions.
struct BoundedRegex: Sendable, Equatable {
    static let patternBytesMax = 512
    static let instructionsMax = 4_000
    static let repeatMax = 100

    enum Instruction: Sendable, Equatable {
        case scalar(Unicode.Scalar)
        case any
        case set(ScalarSet)
        case split(Int, Int)
        case jump(Int)
        case save(Int)
        case textStart
        case textEnd
        case wordBoundary(Bool)
        case match
    }

    struct ScalarSet: Sendable, Equatable {
        var ranges: [ClosedRange<UInt32>] = []
        var negated = false

        func contains(_ scalar: Unicode.Scalar, ignoreCase: Bool) -> Bool {
            func has(_ value: UInt32) -> Bool { ranges.contains { $0.contains(value) } }
            var found = has(scalar.value)
            if !found, ignoreCase {
                found = has(BoundedRegex.fold(scalar).value) || has(BoundedRegex.upper(scalar).value)
            }
            return found != negated
        }
    }

    /// Thrown when a match takes more steps than the budget allows.
    struct BudgetExceeded: Error {}

    let program: [Instruction]
    /// The capture groups, not counting group 0 (the whole match).
    let groupCount: Int
    let ignoreCase: Bool

    /// Compiles `pattern`; throws a message naming the position and what was wrong.
    init(_ pattern: String, ignoreCase: Bool = false) throws(LogicError) {
        guard pattern.utf8.count <= Self.patternBytesMax else {
            throw LogicError(.invalidConfig, "the pattern is \(pattern.utf8.count) bytes; the limit is \(Self.patternBytesMax)")
        }
        var parser = RegexParser(scalars: Array(pattern.unicodeScalars))
        let tree = try parser.parseAlternation(depth: 0)
        guard parser.index == parser.scalars.count else { throw parser.fail("unbalanced ')'") }
        var compiler = RegexCompiler()
        compiler.emit(.save(0))
        try compiler.compile(tree)
        compiler.emit(.save(1))
        compiler.emit(.match)
        program = compiler.program
        groupCount = parser.groupCount
        self.ignoreCase = ignoreCase
    }

    /// The first match in `text` at or after scalar offset `start`: for group 0 (the whole
    /// match) and each capture group, its range of scalar offsets, or nil for a group that did
    /// not take part. Nil when there is no match.
    ///
    /// - Throws: ``BudgetExceeded`` when `budget` (steps left, lowered as the match runs) runs out.
    func firstMatch(in text: [Unicode.Scalar], from start: Int, budget: inout Int) throws(BudgetExceeded) -> [Range<Int>?]? {
        let input = ignoreCase ? text.map(Self.fold) : text
        var visited = [Int](repeating: -1, count: program.count)
        var current: [Thread] = []
        var next: [Thread] = []
        var matched: [Int]?
        let empty = [Int](repeating: -1, count: 2 * (groupCount + 1))
        var position = start
        while position <= input.count {
            if matched == nil {
                try addThread(to: &current, pc: 0, captures: empty, at: position, input: input, visited: &visited, budget: &budget)
            }
            // With no thread left, a match found is final; without one, the search goes on at
            // the next position.
            if current.isEmpty, matched != nil { break }
            threads: for thread in current {
                budget -= 1
                if budget < 0 { throw BudgetExceeded() }
                let accepts: Bool
                switch program[thread.pc] {
                case .match:
                    matched = thread.captures
                    break threads
                case .scalar(let scalar):
                    accepts = position < input.count && input[position] == (ignoreCase ? Self.fold(scalar) : scalar)
                case .any:
                    accepts = position < input.count && input[position] != "\n"
                case .set(let set):
                    accepts = position < input.count && set.contains(text[position], ignoreCase: ignoreCase)
                default:
                    preconditionFailure("only consuming instructions and match are queued")
                }
                if accepts {
                    try addThread(to: &next, pc: thread.pc + 1, captures: thread.captures, at: position + 1, input: input, visited: &visited, budget: &budget)
                }
            }
            swap(&current, &next)
            next.removeAll(keepingCapacity: true)
            position += 1
        }
        guard let captures = matched else { return nil }
        return (0...groupCount).map { group in
            let lower = captures[2 * group]
            let upper = captures[2 * group + 1]
            return lower >= 0 && upper >= lower ? lower..<upper : nil
        }
    }

    private struct Thread {
        let pc: Int
        let captures: [Int]
    }

    /// Adds the thread at `pc` and every thread reachable from it without consuming a
    /// character, in priority order, each instruction once per position.
    private func addThread(
        to list: inout [Thread], pc: Int, captures: [Int], at position: Int, input: [Unicode.Scalar], visited: inout [Int], budget: inout Int
    ) throws(BudgetExceeded) {
        var stack = [Thread(pc: pc, captures: captures)]
        while let thread = stack.popLast() {
            guard visited[thread.pc] != position else { continue }
            visited[thread.pc] = position
            budget -= 1
            if budget < 0 { throw BudgetExceeded() }
            switch program[thread.pc] {
            case .jump(let target):
                stack.append(Thread(pc: target, captures: thread.captures))
            case .split(let first, let second):
                stack.append(Thread(pc: second, captures: thread.captures))
                stack.append(Thread(pc: first, captures: thread.captures))
            case .save(let slot):
                var captures = thread.captures
                captures[slot] = position
                stack.append(Thread(pc: thread.pc + 1, captures: captures))
            case .textStart:
                if position == 0 { stack.append(Thread(pc: thread.pc + 1, captures: thread.captures)) }
            case .textEnd:
                if position == input.count { stack.append(Thread(pc: thread.pc + 1, captures: thread.captures)) }
            case .wordBoundary(let wanted):
                let before = position > 0 && Self.isWord(input[position - 1])
                let after = position < input.count && Self.isWord(input[position])
                if (before != after) == wanted { stack.append(Thread(pc: thread.pc + 1, captures: thread.captures)) }
            case .scalar, .any, .set, .match:
                list.append(thread)
            }
        }
    }

    static func isWord(_ scalar: Unicode.Scalar) -> Bool {
        scalar.isASCII && (scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) || scalar == "_")
    }

    static func fold(_ scalar: Unicode.Scalar) -> Unicode.Scalar {
        let mapped = scalar.properties.lowercaseMapping.unicodeScalars
        return mapped.count == 1 ? mapped.first! : scalar
    }

    static func upper(_ scalar: Unicode.Scalar) -> Unicode.Scalar {
        let mapped = scalar.properties.uppercaseMapping.unicodeScalars
        return mapped.count == 1 ? mapped.first! : scalar
    }
}

/// A parsed pattern, before compiling.
private indirect enum RegexNode {
    case empty
    case scalar(Unicode.Scalar)
    case any
    case set(BoundedRegex.ScalarSet)
    case group(RegexNode, Int?)
    case sequence([RegexNode])
    case alternation([RegexNode])
    case repetition(RegexNode, min: Int, max: Int?, greedy: Bool)
    case textStart
    case textEnd
    case wordBoundary(Bool)
}

private struct RegexParser {
    let scalars: [Unicode.Scalar]
    var index = 0
    var groupCount = 0
    static let depthMax = 32

    init(scalars: [Unicode.Scalar]) {
        self.scalars = scalars
    }

    func fail(_ message: String) -> LogicError {
        LogicError(.invalidConfig, "pattern at character \(index): \(message)")
    }

    var peek: Unicode.Scalar? { index < scalars.count ? scalars[index] : nil }

    mutating func parseAlternation(depth: Int) throws(LogicError) -> RegexNode {
        guard depth < Self.depthMax else { throw fail("groups nested more than \(Self.depthMax) deep") }
        var branches = [try parseSequence(depth: depth)]
        while peek == "|" {
            index += 1
            branches.append(try parseSequence(depth: depth))
        }
        return branches.count == 1 ? branches[0] : .alternation(branches)
    }

    mutating func parseSequence(depth: Int) throws(LogicError) -> RegexNode {
        var items: [RegexNode] = []
        while let scalar = peek, scalar != "|", scalar != ")" {
            items.append(try parseRepetition(depth: depth))
        }
        return items.isEmpty ? .empty : items.count == 1 ? items[0] : .sequence(items)
    }

    mutating func parseRepetition(depth: Int) throws(LogicError) -> RegexNode {
        let atom = try parseAtom(depth: depth)
        guard let scalar = peek else { return atom }
        var bounds: (Int, Int?)
        switch scalar {
        case "*": bounds = (0, nil); index += 1
        case "+": bounds = (1, nil); index += 1
        case "?": bounds = (0, 1); index += 1
        case "{": bounds = try parseBounds()
        default: return atom
        }
        switch atom {
        case .textStart, .textEnd, .wordBoundary: throw fail("an anchor cannot be repeated")
        default: break
        }
        var greedy = true
        if peek == "?" {
            greedy = false
            index += 1
        }
        if let next = peek, "*+?{".unicodeScalars.contains(next) { throw fail("a quantifier after a quantifier") }
        return .repetition(atom, min: bounds.0, max: bounds.1, greedy: greedy)
    }

    mutating func parseBounds() throws(LogicError) -> (Int, Int?) {
        index += 1  // "{"
        func number() -> Int? {
            let start = index
            var value = 0
            while let scalar = peek, ("0"..."9").contains(scalar), index - start < 4 {
                value = value * 10 + Int(scalar.value - 48)
                index += 1
            }
            return index > start ? value : nil
        }
        guard let low = number() else { throw fail("expected a number after '{'") }
        var high: Int? = low
        if peek == "," {
            index += 1
            high = number()
        }
        guard peek == "}" else { throw fail("expected '}'") }
        index += 1
        guard low <= BoundedRegex.repeatMax, (high ?? low) <= BoundedRegex.repeatMax else { throw fail("repetition counts are at most \(BoundedRegex.repeatMax)") }
        if let high, high < low { throw fail("{\(low),\(high)} has its counts the wrong way round") }
        return (low, high)
    }

    mutating func parseAtom(depth: Int) throws(LogicError) -> RegexNode {
        let scalar = scalars[index]
        index += 1
        switch scalar {
        case "(":
            var number: Int?
            if peek == "?" {
                guard index + 1 < scalars.count, scalars[index + 1] == ":" else { throw fail("only (?: groups are supported") }
                index += 2
            } else {
                groupCount += 1
                number = groupCount
            }
            let inner = try parseAlternation(depth: depth + 1)
            guard peek == ")" else { throw fail("expected ')'") }
            index += 1
            return .group(inner, number)
        case "[": return .set(try parseSet())
        case ".": return .any
        case "^": return .textStart
        case "$": return .textEnd
        case "\\": return try parseEscape(inSet: false)
        case "*", "+", "?", "{": 
            index -= 1
            throw fail("nothing to repeat before '\(scalar)'")
        default: return .scalar(scalar)
        }
    }

    mutating func parseEscape(inSet: Bool) throws(LogicError) -> RegexNode {
        guard let scalar = peek else { throw fail("expected a character after '\\'") }
        index += 1
        func set(_ ranges: [ClosedRange<UInt32>], negated: Bool) -> RegexNode {
            .set(BoundedRegex.ScalarSet(ranges: ranges, negated: negated))
        }
        let digits: [ClosedRange<UInt32>] = [48...57]
        let word: [ClosedRange<UInt32>] = [48...57, 65...90, 95...95, 97...122]
        let space: [ClosedRange<UInt32>] = [9...13, 32...32]
        switch scalar {
        case "d": return set(digits, negated: false)
        case "D": return set(digits, negated: true)
        case "w": return set(word, negated: false)
        case "W": return set(word, negated: true)
        case "s": return set(space, negated: false)
        case "S": return set(space, negated: true)
        case "n": return .scalar("\n")
        case "t": return .scalar("\t")
        case "r": return .scalar("\r")
        case "b" where !inSet: return .wordBoundary(true)
        case "B" where !inSet: return .wordBoundary(false)
        default:
            guard scalar.isASCII, !scalar.properties.isAlphabetic, !("0"..."9").contains(scalar) else {
                index -= 1
                throw fail("unknown escape '\\\(scalar)'")
            }
            return .scalar(scalar)
        }
    }

    mutating func parseSet() throws(LogicError) -> BoundedRegex.ScalarSet {
        var set = BoundedRegex.ScalarSet()
        if peek == "^" {
            set.negated = true
            index += 1
        }
        var first = true
        while let scalar = peek, scalar != "]" || first {
            first = false
            index += 1
            var low: UInt32
            if scalar == "\\" {
                switch try parseEscape(inSet: true) {
                case .scalar(let escaped): low = escaped.value
                case .set(let inner) where !inner.negated:
                    set.ranges += inner.ranges
                    continue
                default:
                    throw fail("a negated class (\\D, \\W, \\S) inside [...] is not supported")
                }
            } else {
                low = scalar.value
            }
            if peek == "-", index + 1 < scalars.count, scalars[index + 1] != "]" {
                index += 1
                var high = scalars[index].value
                index += 1
                if high == 92 {  // "\"
                    guard case .scalar(let escaped) = try parseEscape(inSet: true) else { throw fail("expected a character after '-'") }
                    high = escaped.value
                }
                guard high >= low else { throw fail("the range is the wrong way round") }
                set.ranges.append(low...high)
            } else {
                set.ranges.append(low...low)
            }
        }
        guard peek == "]" else { throw fail("expected ']'") }
        index += 1
        return set
    }
}

private struct RegexCompiler {
    var program: [BoundedRegex.Instruction] = []

    mutating func emit(_ instruction: BoundedRegex.Instruction) {
        program.append(instruction)
    }

    mutating func placeholder() -> Int {
        program.append(.match)
        return program.count - 1
    }

    mutating func compile(_ node: RegexNode) throws(LogicError) {
        guard program.count <= BoundedRegex.instructionsMax else {
            throw LogicError(.invalidConfig, "the pattern compiles to more than \(BoundedRegex.instructionsMax) instructions")
        }
        switch node {
        case .empty: break
        case .scalar(let scalar): emit(.scalar(scalar))
        case .any: emit(.any)
        case .set(let set): emit(.set(set))
        case .textStart: emit(.textStart)
        case .textEnd: emit(.textEnd)
        case .wordBoundary(let wanted): emit(.wordBoundary(wanted))
        case .group(let inner, let number):
            if let number { emit(.save(2 * number)) }
            try compile(inner)
            if let number { emit(.save(2 * number + 1)) }
        case .sequence(let items):
            for item in items { try compile(item) }
        case .alternation(let branches):
            var jumps: [Int] = []
            for (position, branch) in branches.enumerated() {
                if position < branches.count - 1 {
                    let split = placeholder()
                    try compile(branch)
                    jumps.append(placeholder())
                    program[split] = .split(split + 1, program.count)
                } else {
                    try compile(branch)
                }
            }
            for jump in jumps { program[jump] = .jump(program.count) }
        case .repetition(let inner, let min, let max, let greedy):
            for _ in 0..<min { try compile(inner) }
            if let max {
                // Each optional copy skips to the end when not taken: x{1,3} is x(x(x)?)?.
                var splits: [Int] = []
                for _ in min..<max {
                    splits.append(placeholder())
                    try compile(inner)
                }
                for split in splits { program[split] = greedy ? .split(split + 1, program.count) : .split(program.count, split + 1) }
            } else {
                let split = placeholder()
                try compile(inner)
                emit(.jump(split))
                program[split] = greedy ? .split(split + 1, program.count) : .split(program.count, split + 1)
            }
        }
    }
}
