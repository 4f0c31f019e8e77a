#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CairnModel
import CairnTestSupport
import Testing
@testable import CairnLogic

/// Random and mutated condition texts: the parser never traps; it either parses (and then the
/// description reads back equal, and evaluation does not trap) or throws a `LogicError` that
/// names an offset. `CAIRN_TORTURE=1` runs 100 times as many; `CAIRN_SEED` replays a run.
@Suite("Condition fuzzing")
struct ConditionFuzzTests {
    static var iterations: Int { getenv("CAIRN_TORTURE") != nil ? 300_000 : 3_000 }

    @Test("random conditions print and parse back equal; mutated texts parse or throw")
    func fuzz() throws {
        let seed = SimulationSeed.make()
        print("ConditionFuzzTests.fuzz seed \(seed) iterations \(Self.iterations)")
        var generator = ConditionGenerator(seed: seed)
        var parsedMutants = 0
        var rejectedMutants = 0
        for iteration in 0..<Self.iterations {
            let condition = generator.condition(depth: 0)
            let text = condition.description
            let parsed = try #require(try? Condition(parsing: text), "seed \(seed) iteration \(iteration): \(text)")
            #expect(parsed == condition, "seed \(seed) iteration \(iteration): \(text)")
            _ = parsed.evaluate(generator.context())

            for _ in 0..<3 {
                let mutant = generator.mutate(text)
                switch Self.check(mutant, generator: &generator) {
                case .parsed: parsedMutants += 1
                case .rejected: rejectedMutants += 1
                case .failed(let problem):
                    Issue.record("seed \(seed) iteration \(iteration): \(problem) for \(String(reflecting: mutant))")
                    return
                }
            }
            let noise = generator.noise()
            if case .failed(let problem) = Self.check(noise, generator: &generator) {
                Issue.record("seed \(seed) iteration \(iteration): \(problem) for \(String(reflecting: noise))")
                return
            }
        }
        print("ConditionFuzzTests.fuzz mutants parsed \(parsedMutants), rejected \(rejectedMutants)")
        // Mutations must exercise both outcomes, or they test little.
        #expect(parsedMutants > Self.iterations / 10 && rejectedMutants > Self.iterations / 2, "seed \(seed)")
    }

    enum Outcome {
        case parsed, rejected
        case failed(String)
    }

    static func check(_ text: String, generator: inout ConditionGenerator) -> Outcome {
        let condition: Condition
        do {
            condition = try Condition(parsing: text)
        } catch {
            // Every error in a text this short points into it.
            guard error.message.hasPrefix("at offset "),
                  let offset = Int(error.message.dropFirst("at offset ".count).prefix { $0 != " " }),
                  offset <= text.unicodeScalars.count
            else {
                return .failed("an error without an offset in the text: \(error)")
            }
            return .rejected
        }
        let canonical = condition.description
        guard let again = try? Condition(parsing: canonical) else { return .failed("the description \(canonical) does not parse") }
        guard again == condition else { return .failed("the description \(canonical) parses to something else") }
        guard again.description == canonical else { return .failed("the description of \(canonical) changes") }
        _ = condition.evaluate(generator.context())
        return .parsed
    }
}

/// Random condition trees (in the parser's normal form), contexts and text mutations.
struct ConditionGenerator {
    var rng: SplitMix64

    init(seed: UInt64) {
        rng = SplitMix64(seed: seed)
    }

    mutating func pick<T>(_ choices: [T]) -> T {
        choices[rng.below(choices.count)]
    }

    // MARK: - Trees

    mutating func condition(depth: Int) -> Condition {
        let leaf = depth >= 4 || rng.chance(0.45)
        if leaf {
            switch rng.below(10) {
            case 0: return .constant(rng.chance(0.5))
            case 1, 2: return .test(operand(depth: depth), pick(Condition.Test.allCases))
            case 3: return .between(operand(depth: depth), lower: operand(depth: depth), upper: operand(depth: depth))
            default: return .comparison(operand(depth: depth), pick(Condition.ComparisonOperator.allCases), operand(depth: depth))
            }
        }
        switch rng.below(3) {
        case 0: return .not(condition(depth: depth + 1))
        case 1: return .all((0..<(2 + rng.below(3))).map { _ in condition(depth: depth + 1) })
        default: return .any((0..<(2 + rng.below(3))).map { _ in condition(depth: depth + 1) })
        }
    }

    mutating func operand(depth: Int) -> Condition.Operand {
        switch rng.below(12) {
        case 0, 1, 2, 3: return .field(reference())
        case 4, 5, 6: return .literal(literal(depth: depth))
        case 7: return .duration(micros: duration())
        case 8: return .now
        case 9:
            let base: Condition.Operand = pick([.now, .field(reference()), .literal(.string(ClientTime.iso8601(micros: Int64(rng.below(4_000_000_000)) * 1_000_000))), .duration(micros: duration())])
            return .shifted(base, micros: duration())
        default:
            return .call(pick(Condition.Operand.Function.allCases), depth >= 4 ? .field(reference()) : operand(depth: depth + 1))
        }
    }

    mutating func duration() -> Int64 {
        let units: [Int64] = [1_000_000, 60_000_000, 3_600_000_000, 86_400_000_000]
        return (Int64(rng.below(2000)) - 1000) * pick(units)
    }

    mutating func reference() -> FieldReference {
        let keys = ["traits", "age", "a", "first name", "a.b", "x-y", "é", "[", "\"", "", "AND", "0", "k\u{7f}"]
        let path: [FieldReference.Component] = (0..<rng.below(4)).map { _ in
            rng.chance(0.2) ? .index(rng.below(13)) : .key(pick(keys))
        }
        return FieldReference(root: pick(FieldReference.Root.allCases), path: path)
    }

    mutating func literal(depth: Int) -> JSONValue {
        switch rng.below(depth >= 3 ? 6 : 8) {
        case 0: return .null
        case 1: return .bool(rng.chance(0.5))
        case 2: return .integer(rng.chance(0.1) ? Int64(bitPattern: rng.next()) : Int64(rng.below(200)) - 100)
        case 3:
            while true {
                let double = rng.chance(0.5) ? Double(bitPattern: rng.next()) : Double(Int(rng.below(2000)) - 1000) / 8
                if double.isFinite { return .number(double) }
            }
        case 4, 5: return .string(string())
        case 6: return .array((0..<rng.below(4)).map { _ in literal(depth: depth + 1) })
        default: return .object(JSONObject((0..<rng.below(4)).map { _ in (string(), literal(depth: depth + 1)) }))
        }
    }

    mutating func string() -> String {
        let scalars: [Unicode.Scalar] = ["a", "Z", " ", "'", "\"", "\\", "\n", "\u{0}", "\u{1f}", "é", "😀", "\u{2028}", "\u{7f}", "@", "(", "]"]
        var text = ""
        for _ in 0..<rng.below(6) { text.unicodeScalars.append(pick(scalars)) }
        return text
    }

    /// A context with random values under a few paths the generated references use.
    mutating func context() -> ConditionTestContext {
        var roots: [FieldReference.Root: JSONValue] = [:]
        for root in FieldReference.Root.allCases where rng.chance(0.8) {
            var members: [(String, JSONValue)] = []
            for key in ["traits", "age", "a", "é", "AND"] where rng.chance(0.5) {
                members.append((key, rng.chance(0.3) ? .object(JSONObject([("age", literal(depth: 1)), ("a", literal(depth: 1))])) : literal(depth: 1)))
            }
            roots[root] = .object(JSONObject(members))
        }
        let now: Int64 = rng.chance(0.05) ? pick([.max, .min, 0]) : Int64(rng.below(4_000_000_000)) * 1_000_000
        return ConditionTestContext(roots: roots, nowMicros: now)
    }

    // MARK: - Texts

    static let snippets = [
        " AND ", " OR ", "NOT ", "(", ")", "\"", "'", "\\", "[", "]", "{", "}", ",", ":", "@", "profile@", "event@a.b",
        "-", "+", "15m", "-2h", "7d", "==", "=", "!", "!=", "<>", "=>", "<", ">=", "1e", "1.5h", ".", "\u{0}", "é", "😀",
        "\\u", "\\uD800", "\\uDC00", "now(", "now()", "lowercase(", "datetime(", "9999999999999999999999", "1e999", "-0.0",
        " BETWEEN ", " IS ", " NULL", " EXISTS", " EMPTY", " CONTAINS ", " STARTS WITH ", " ENDS WITH", "true", "null", " ",
        "[\"", "\"]", "0", "-9223372036854775808", "99999999999999d",
    ]

    /// `text` with one to four random edits.
    mutating func mutate(_ text: String) -> String {
        var scalars = Array(text.unicodeScalars)
        for _ in 0..<(1 + rng.below(4)) {
            let position = rng.below(scalars.count + 1)
            switch rng.below(9) {
            case 6:
                scalars.insert(contentsOf: pick([" ", "\n", "\t", "  "]).unicodeScalars, at: position)
            case 7 where position < scalars.count && scalars[position].properties.isAlphabetic:
                // Keywords read in any case; roots and keys do not.
                let flipped = scalars[position].properties.isUppercase ? scalars[position].properties.lowercaseMapping : scalars[position].properties.uppercaseMapping
                scalars.replaceSubrange(position...position, with: flipped.unicodeScalars)
            case 8:
                let swaps = [("==", "!="), (">", "<="), (" AND ", " OR "), ("EXISTS", "EMPTY"), ("15m", "2h"), ("now()", "now(-1d)"), ("IS NULL", "IS NOT NULL")]
                let (from, to) = pick(swaps)
                var text = ""
                text.unicodeScalars.append(contentsOf: scalars)
                scalars = Array(text.replacing(from, with: to, maxReplacements: 1).unicodeScalars)
            case 0 where !scalars.isEmpty:
                let end = min(scalars.count, position + 1 + rng.below(8))
                scalars.removeSubrange(min(position, scalars.count - 1)..<end)
            case 1, 2:
                scalars.insert(contentsOf: pick(Self.snippets).unicodeScalars, at: position)
            case 3 where position < scalars.count:
                scalars[position] = pick(Array(pick(Self.snippets).unicodeScalars) + ["x"])
            case 4 where !scalars.isEmpty:
                let start = rng.below(scalars.count)
                let slice = scalars[start..<min(scalars.count, start + 1 + rng.below(12))]
                scalars.insert(contentsOf: slice, at: position)
            default:
                scalars = Array(scalars.prefix(position))
            }
        }
        var result = ""
        result.unicodeScalars.append(contentsOf: scalars)
        return result
    }

    /// Snippets strung together at random.
    mutating func noise() -> String {
        (0..<rng.below(12)).map { _ in pick(Self.snippets) }.joined()
    }
}
