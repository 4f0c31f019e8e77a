import CairnModel

/// A safe arithmetic expression over numbers and field references, parsed once and evaluated
/// against a run's data:
///
///     (event@properties.price - 2.5) * event@properties.quantity + max(profile@stats.visits, 1)
///
/// Grammar: `+ - * / %` with the usual precedence, unary minus, parentheses, numbers (`12`,
/// `0.5`, `1e3`), references (a reference ends at white space or at one of `+ - * / % ( ) ,`;
/// write keys holding those characters quoted, `event@properties["unit-price"]`), and the
/// functions `abs`, `min`, `max`, `round`, `floor`, `ceil`. Nothing else: no assignments, no
/// loops, no calls out. Expressions are at most 1,024 bytes and 32 levels deep.
///
/// Integer arithmetic stays exact (see ``Arithmetic``). A reference to a missing field or to a
/// non-number, a division by zero or an overflow is an evaluation error.
public struct Calculation: Sendable, Equatable {
    public static let bytesMax = 1_024
    public static let depthMax = 32

    indirect enum Node: Sendable, Equatable {
        case number(JSONValue)
        case reference(FieldReference)
        case negate(Node)
        case binary(Arithmetic.Operation, Node, Node)
        case call(String, [Node])
    }

    static let functions: [String: ClosedRange<Int>] = ["abs": 1...1, "min": 1...16, "max": 1...16, "round": 1...1, "floor": 1...1, "ceil": 1...1]

    let root: Node
    let nodeCount: Int

    /// Parses `text`.
    ///
    /// - Throws: ``LogicError`` `invalidConfig` naming the position and what was expected.
    public init(parsing text: String) throws(LogicError) {
        var parser = Parser(bytes: Array(text.utf8))
        guard parser.bytes.count <= Self.bytesMax else {
            throw LogicError(.invalidConfig, "the expression is \(parser.bytes.count) bytes; the limit is \(Self.bytesMax)")
        }
        root = try parser.parseExpression(depth: 0)
        parser.skipSpace()
        guard parser.index == parser.bytes.count else { throw parser.fail("an operator or the end") }
        nodeCount = parser.nodeCount
    }

    /// The value in `context`, charging one step per node of the expression; a message when it
    /// cannot be computed.
    func evaluate(in context: inout ActionContext) throws(LogicError) -> Result<JSONValue, CalculationFailure> {
        try context.charge(steps: nodeCount)
        do {
            return .success(try Self.evaluate(root, in: context))
        } catch {
            return .failure(error)
        }
    }

    private static func evaluate(_ node: Node, in context: ActionContext) throws(CalculationFailure) -> JSONValue {
        switch node {
        case .number(let value):
            return value
        case .reference(let reference):
            guard let value = context.value(of: reference) else { throw CalculationFailure(message: "\(reference) is missing") }
            guard value.doubleValue != nil else { throw CalculationFailure(message: "\(reference) holds \(value.kindName), not a number") }
            return value
        case .negate(let operand):
            let value = try evaluate(operand, in: context)
            guard let result = Arithmetic.apply(.subtract, .integer(0), value) else { throw CalculationFailure(message: "cannot negate \(value)") }
            return result
        case .binary(let operation, let left, let right):
            let a = try evaluate(left, in: context)
            let b = try evaluate(right, in: context)
            guard let result = Arithmetic.apply(operation, a, b) else {
                let isZero = b.doubleValue == 0 && (operation == .divide || operation == .remainder)
                throw CalculationFailure(message: isZero ? "division by zero" : "\(a) and \(b) give no finite number")
            }
            return result
        case .call(let name, let arguments):
            var values: [JSONValue] = []
            for argument in arguments { values.append(try evaluate(argument, in: context)) }
            return apply(name, values)
        }
    }

    private static func apply(_ name: String, _ values: [JSONValue]) -> JSONValue {
        func less(_ a: JSONValue, _ b: JSONValue) -> Bool { a.doubleValue! < b.doubleValue! }
        let first = values[0]
        switch name {
        case "min": return values.dropFirst().reduce(first) { less($1, $0) ? $1 : $0 }
        case "max": return values.dropFirst().reduce(first) { less($0, $1) ? $1 : $0 }
        case "abs":
            if case .integer(let value) = first, value != .min { return .integer(abs(value)) }
            return .number(abs(first.doubleValue!))
        default:
            guard case .number(let value) = first else { return first }
            let rule: FloatingPointRoundingRule = name == "round" ? .toNearestOrAwayFromZero : name == "floor" ? .down : .up
            return exactInteger(value.rounded(rule)).map { .integer($0) } ?? .number(value.rounded(rule))
        }
    }

    private struct Parser {
        let bytes: [UInt8]
        var index = 0
        var nodeCount = 0

        init(bytes: [UInt8]) {
            self.bytes = bytes
        }

        func fail(_ expected: String) -> LogicError {
            LogicError(.invalidConfig, "expression at position \(index): expected \(expected)")
        }

        mutating func skipSpace() {
            while index < bytes.count, bytes[index] == 0x20 || bytes[index] == 0x09 || bytes[index] == 0x0A || bytes[index] == 0x0D { index += 1 }
        }

        mutating func peek() -> UInt8? {
            skipSpace()
            return index < bytes.count ? bytes[index] : nil
        }

        mutating func node(_ node: Node) -> Node {
            nodeCount += 1
            return node
        }

        mutating func parseExpression(depth: Int) throws(LogicError) -> Node {
            guard depth < Calculation.depthMax else { throw fail("an expression less than \(Calculation.depthMax) levels deep") }
            var left = try parseTerm(depth: depth)
            while let byte = peek(), byte == UInt8(ascii: "+") || byte == UInt8(ascii: "-") {
                index += 1
                let right = try parseTerm(depth: depth)
                left = node(.binary(byte == UInt8(ascii: "+") ? .add : .subtract, left, right))
            }
            return left
        }

        mutating func parseTerm(depth: Int) throws(LogicError) -> Node {
            var left = try parseUnary(depth: depth)
            while let byte = peek() {
                let operation: Arithmetic.Operation
                switch byte {
                case UInt8(ascii: "*"): operation = .multiply
                case UInt8(ascii: "/"): operation = .divide
                case UInt8(ascii: "%"): operation = .remainder
                default: return left
                }
                index += 1
                let right = try parseUnary(depth: depth)
                left = node(.binary(operation, left, right))
            }
            return left
        }

        mutating func parseUnary(depth: Int) throws(LogicError) -> Node {
            if peek() == UInt8(ascii: "-") {
                index += 1
                guard depth + 1 < Calculation.depthMax else { throw fail("an expression less than \(Calculation.depthMax) levels deep") }
                return node(.negate(try parseUnary(depth: depth + 1)))
            }
            return try parsePrimary(depth: depth)
        }

        mutating func parsePrimary(depth: Int) throws(LogicError) -> Node {
            guard let byte = peek() else { throw fail("a number, a reference, a function or '('") }
            if byte == UInt8(ascii: "(") {
                index += 1
                let inner = try parseExpression(depth: depth + 1)
                guard peek() == UInt8(ascii: ")") else { throw fail("')'") }
                index += 1
                return inner
            }
            if (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || byte == UInt8(ascii: ".") {
                return try parseNumber()
            }
            let start = index
            while index < bytes.count, isWordByte(bytes[index]) { index += 1 }
            guard index > start else { throw fail("a number, a reference, a function or '('") }
            let word = String(decoding: bytes[start..<index], as: UTF8.self)
            if index < bytes.count, bytes[index] == UInt8(ascii: "@") {
                return try parseReference(from: start)
            }
            guard let arity = Calculation.functions[word] else {
                index = start
                throw fail("a number, a reference (ROOT@PATH) or one of the functions \(Calculation.functions.keys.sorted().joined(separator: ", "))")
            }
            guard peek() == UInt8(ascii: "(") else { throw fail("'(' after \(word)") }
            index += 1
            var arguments = [try parseExpression(depth: depth + 1)]
            while peek() == UInt8(ascii: ",") {
                index += 1
                arguments.append(try parseExpression(depth: depth + 1))
            }
            guard peek() == UInt8(ascii: ")") else { throw fail("',' or ')'") }
            index += 1
            guard arity.contains(arguments.count) else {
                throw fail("\(arity.lowerBound == arity.upperBound ? "\(arity.lowerBound)" : "\(arity.lowerBound) to \(arity.upperBound)") argument(s) to \(word)")
            }
            return node(.call(word, arguments))
        }

        mutating func parseNumber() throws(LogicError) -> Node {
            let start = index
            while index < bytes.count, isNumberByte(bytes[index], after: index > start ? bytes[index - 1] : nil) { index += 1 }
            let text = String(decoding: bytes[start..<index], as: UTF8.self)
            if let integer = Int64(text) { return node(.number(.integer(integer))) }
            guard let number = Double(text), number.isFinite else {
                index = start
                throw fail("a number")
            }
            return node(.number(.number(number)))
        }

        mutating func parseReference(from start: Int) throws(LogicError) -> Node {
            index += 1  // '@'
            while index < bytes.count {
                let byte = bytes[index]
                if byte == UInt8(ascii: "\"") {
                    index += 1
                    while index < bytes.count, bytes[index] != UInt8(ascii: "\"") { index += bytes[index] == UInt8(ascii: "\\") ? 2 : 1 }
                    index += 1
                    continue
                }
                if byte <= 0x20 || "+-*/%(),".utf8.contains(byte) { break }
                index += 1
            }
            index = min(index, bytes.count)
            let text = String(decoding: bytes[start..<index], as: UTF8.self)
            do {
                return node(.reference(try FieldReference(parsing: text)))
            } catch {
                throw LogicError(.invalidConfig, "expression at position \(start): \(error.message)")
            }
        }

        func isWordByte(_ byte: UInt8) -> Bool {
            (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte) || byte == UInt8(ascii: "_")
        }

        func isNumberByte(_ byte: UInt8, after previous: UInt8?) -> Bool {
            if (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "e") || byte == UInt8(ascii: "E") {
                return true
            }
            return (byte == UInt8(ascii: "+") || byte == UInt8(ascii: "-")) && (previous == UInt8(ascii: "e") || previous == UInt8(ascii: "E"))
        }
    }
}

/// Why a calculation could not be computed.
struct CalculationFailure: Error, Sendable {
    let message: String
}
