import CairnModel
import Testing
@testable import CairnLogic

@Suite("Actions: bounded regular expressions")
struct ActionRegexTests {
    /// The whole match and groups of the first match of `pattern` in `text`, as strings.
    static func match(_ pattern: String, _ text: String, ignoreCase: Bool = false) throws -> [String?]? {
        let regex = try BoundedRegex(pattern, ignoreCase: ignoreCase)
        let scalars = Array(text.unicodeScalars)
        var budget = 1_000_000
        guard let match = try regex.firstMatch(in: scalars, from: 0, budget: &budget) else { return nil }
        return match.map { range in range.map { String(String.UnicodeScalarView(scalars[$0])) } }
    }

    @Test("the matcher follows leftmost-first semantics with greedy and lazy quantifiers", arguments: [
        ("a+", "baaa", ["aaa"]), ("a+?", "baaa", ["a"]), ("(a|ab)(c|bcd)", "abcd", ["abcd", "a", "bcd"]), ("x*", "abc", [""]),
        (#"(\d+)-(\d+)"#, "tel 12-345", ["12-345", "12", "345"]), ("^ab$", "ab", ["ab"]), (#"\bcat\b"#, "concat cat", ["cat"]),
        ("[^a-c]+", "abcxyz", ["xyz"]), (#"[\w.]+@[\w.]+"#, "mail jane.doe@example.com now", ["jane.doe@example.com"]),
        ("a{2,3}", "aaaa", ["aaa"]), ("a{2}", "aaaa", ["aa"]), ("(?:ab)+", "ababx", ["abab"]), ("(a)|(b)", "b", ["b", nil, "b"]),
        (#"\.\*\$"#, "x.*$", [".*$"]), ("é.", "café!", ["é!"]), ("[]a]+", "]a]", ["]a]"]), (#"[\d\s]+"#, "a1 2b", ["1 2"]),
    ] as [(String, String, [String?])])
    func matches(pattern: String, text: String, expected: [String?]) throws {
        #expect(try Self.match(pattern, text) == expected)
    }

    @Test("no match, anchors and case folding")
    func noMatchAndCase() throws {
        #expect(try Self.match("^b", "ab") == nil)
        #expect(try Self.match("a$", "ab") == nil)
        #expect(try Self.match("HELLO", "say hello", ignoreCase: true) == ["hello"])
        #expect(try Self.match("[A-Z]+", "abc", ignoreCase: true) == ["abc"])
    }

    @Test("bad patterns are refused naming the position", arguments: [
        ("(a", "expected ')'"), ("a)", "unbalanced ')'"), ("*a", "nothing to repeat"), ("a**", "a quantifier after a quantifier"),
        ("[a", "expected ']'"), ("[z-a]", "wrong way round"), (#"\q"#, "unknown escape"), ("a{3,1}", "wrong way round"),
        ("a{1000}", "at most 100"), ("(?=a)", "only (?: groups"), ("^*", "an anchor cannot be repeated"), (#"\1"#, "unknown escape"),
    ])
    func refuses(pattern: String, message: String) {
        let error = #expect(throws: LogicError.self) { try BoundedRegex(pattern) }
        #expect(error?.message.contains(message) == true, "\(String(describing: error))")
    }

    @Test("a pattern that backtracks exponentially elsewhere runs in linear time here")
    func linearTime() throws {
        let regex = try BoundedRegex("(a+)+b")
        let text = Array(String(repeating: "a", count: 5_000).unicodeScalars)
        var budget = 10_000_000
        #expect(try regex.firstMatch(in: text, from: 0, budget: &budget) == nil)
        #expect(budget > 0)
        var small = 100
        #expect(throws: BoundedRegex.BudgetExceeded.self) { try regex.firstMatch(in: text, from: 0, budget: &small) }
    }

    @Test("regex-match branches and sends the match and groups")
    func matchAction() throws {
        let run = try runAction("regex-match", ["pattern": #"([A-Z]+)-(\d+)"#, "from": "event@properties.sku"])
        #expect(run.port == "true")
        #expect(run.value == ["match": "AB-123", "groups": ["AB", "123"]])
        #expect(try runAction("regex-match", ["pattern": "^x", "from": "event@properties.sku"]).port == "false")
        #expect(try runAction("regex-match", ["pattern": "x", "from": "memory@none"]).port == "false")
        #expect(configError("regex-match", ["pattern": "(", "from": "event@id"])?.message.contains("config field 'pattern'") == true)
        #expect(configError("regex-match", [:])?.message.contains("'pattern': is required") == true)
    }

    @Test("regex-extract takes a group of the first or every match")
    func extractAction() throws {
        #expect(try runAction("regex-extract", ["pattern": #"(\d+)"#, "group": 1, "from": "event@properties.sku", "to": "memory@n"]).result.memory["n"] == "123")
        #expect(try runAction("regex-extract", ["pattern": #"\w"#, "all": true], input: WorkflowFixture.input(payload: "a-b-c")).value == ["a", "b", "c"])
        #expect(try runAction("regex-extract", ["pattern": "z"], input: WorkflowFixture.input(payload: "abc")).port == "missing")
        #expect(configError("regex-extract", ["pattern": "(a)", "group": 2])?.message.contains("expected 0 to 1, got 2") == true)
    }

    @Test("regex-replace replaces with groups, all or the first")
    func replaceAction() throws {
        #expect(try runAction("regex-replace", ["pattern": #"(\w+)@(\w+)"#, "replacement": "$2 at $1 $$"], input: WorkflowFixture.input(payload: "jane@host, bob@mail")).value
            == "host at jane $, mail at bob $")
        #expect(try runAction("regex-replace", ["pattern": "a", "replacement": "o", "all": false], input: WorkflowFixture.input(payload: "banana")).value == "bonana")
        #expect(try runAction("regex-replace", ["pattern": "x*", "replacement": "-"], input: WorkflowFixture.input(payload: "ab")).value == "-a-b-")
        #expect(configError("regex-replace", ["pattern": "a", "replacement": "$1"])?.message.contains("'$1' names no group") == true)
        #expect(configError("regex-replace", ["pattern": "a"])?.message.contains("'replacement': is required") == true)
    }

    @Test("a regex run past the step limit stops the run")
    func stepLimit() throws {
        let workflow = try Workflow(
            id: "w", nodes: [WorkflowNode(id: "s", action: "start"), WorkflowNode(id: "r", action: "regex-match", config: ["pattern": "(a+)+b"])],
            edges: [WorkflowEdge(from: "s", to: "r")]
        ).validate(limits: WorkflowLimits(stepsMax: 1_000))
        let error = try #require(workflow.run(WorkflowFixture.input(payload: .string(String(repeating: "a", count: 2_000)))).error)
        #expect(error.code == .limitExceeded)
        #expect(error.message.contains("node 'r'"))
    }
}
