// Parsing and compiling the patterns of `BoundedRegex`: text → `RegexNode` tree → instructions.

/// A parsed pattern, before compiling.
indirect enum RegexNode {
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

/// Recursive descent over the pattern's scalars, at most `depthMax` groups deep.
struct RegexParser {
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

/// Compiles a tree into the instructions of a Pike virtual machine: alternation and repetition
/// become prioritized splits, counted repetition is unrolled (bounded by `repeatMax` and
/// `instructionsMax`).
struct RegexCompiler {
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
