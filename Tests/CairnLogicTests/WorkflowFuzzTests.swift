#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CairnModel
import CairnTestSupport
import Testing
@testable import CairnLogic

/// Seeded randomized checks: the regular-expression matcher against the standard library's
/// backtracking engine, and the engine's determinism over many inputs. Each test prints its
/// seed; `CAIRN_SEED` replays one, `CAIRN_TORTURE=1` runs 100 times as many cases.
@Suite("Workflow fuzzing")
struct WorkflowFuzzTests {
    static var cases: Int { getenv("CAIRN_TORTURE") != nil ? 150_000 : 1_500 }

    /// A random pattern over a, b, c whose repeated parts cannot match the empty string (where
    /// backtracking and automaton engines legitimately differ).
    static func pattern(_ random: inout SplitMix64, depth: Int = 0) -> String {
        var text = ""
        for _ in 0..<(1 + Int(random.next() % 3)) {
            var atom: String
            switch random.next() % 6 {
            case 0: atom = "a"
            case 1: atom = "b"
            case 2: atom = "."
            case 3: atom = ["[ab]", "[^a]", "[a-c]", #"\w"#][Int(random.next() % 4)]
            case 4 where depth < 2:
                let branches = (0..<(1 + Int(random.next() % 2))).map { _ in pattern(&random, depth: depth + 1) }
                atom = (random.next() % 2 == 0 ? "(" : "(?:") + branches.joined(separator: "|") + ")"
            default: atom = "c"
            }
            // Inside groups only non-nullable repetition.
            let quantifiers = depth == 0 ? ["", "", "*", "+", "?", "{1,2}", "*?", "+?", "??"] : ["", "", "+", "{2}", "+?"]
            atom += quantifiers[Int(random.next() % UInt64(quantifiers.count))]
            text += atom
        }
        return text
    }

    @Test("the bounded matcher finds the same first match and groups as the standard library")
    func regexAgreesWithStandardLibrary() throws {
        let seed = SimulationSeed.make()
        print("WorkflowFuzzTests.regexAgreesWithStandardLibrary seed \(seed) cases \(Self.cases)")
        var random = SplitMix64(seed: seed)
        for index in 0..<Self.cases {
            let pattern = Self.pattern(&random)
            let text = String((0..<Int(random.next() % 12)).map { _ in "abc".randomElement(using: &random)! })
            let mine = try BoundedRegex(pattern)
            var budget = 1_000_000
            let scalars = Array(text.unicodeScalars)
            let found = try mine.firstMatch(in: scalars, from: 0, budget: &budget)
            let standard = try Regex(pattern)
            let expected = try standard.firstMatch(in: text)
            let offsets = { (range: Range<String.Index>?) -> Range<Int>? in
                range.map { text.unicodeScalars.distance(from: text.startIndex, to: $0.lowerBound)..<text.unicodeScalars.distance(from: text.startIndex, to: $0.upperBound) }
            }
            let expectedGroups = expected.map { match in (0..<match.output.count).map { offsets(match.output[$0].range) } }
            #expect(found == expectedGroups, "case \(index), seed \(seed): /\(pattern)/ on '\(text)'")
        }
    }

    @Test("random inputs run deterministically, and the graph's listing order changes nothing")
    func deterministicOverRandomInputs() throws {
        let workflow = try WorkflowEngineTests.build(WorkflowEngineTests.busyNodes, WorkflowEngineTests.busyEdges)
        let reordered = try WorkflowEngineTests.build(WorkflowEngineTests.busyNodes.reversed(), WorkflowEngineTests.busyEdges.reversed())
        let seed = SimulationSeed.make()
        print("WorkflowFuzzTests.deterministicOverRandomInputs seed \(seed) cases \(Self.cases / 5)")
        var random = SplitMix64(seed: seed)
        for index in 0..<Self.cases / 5 {
            var event = WorkflowFixture.event
            event.properties["price"] = random.next() % 2 == 0 ? .integer(Int64(random.next() % 1_000)) : .number(Double(random.next() % 10_000) / 7)
            event.properties["quantity"] = random.next() % 5 == 0 ? "many" : .integer(Int64(random.next() % 9))
            var profile = WorkflowFixture.profile
            profile.traits["city"] = ["Oslo", "Zürich", "", "東京"][Int(random.next() % 4)]
            if random.next() % 3 == 0 { profile.addSegment("s\(random.next() % 3)") }
            let time = WorkflowFixture.time + Int64(random.next() % 10_000_000_000_000)
            let state: JSONObject = random.next() % 2 == 0 ? [:] : ["threshold:count": [.integer(time - 1)]]
            let input = WorkflowInput(event: event, profile: profile, session: WorkflowFixture.session, state: state, nowMicros: time)
            let first = workflow.run(input).jsonValue.text
            #expect(workflow.run(input).jsonValue.text == first, "case \(index), seed \(seed)")
            #expect(reordered.run(input).jsonValue.text == first, "case \(index), seed \(seed)")
        }
    }
}
