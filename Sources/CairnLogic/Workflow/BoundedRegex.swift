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
