import CairnModel
import Testing
@testable import CairnLogic

@Suite("Actions: templates, text operations, the calculator, hashing and masking")
struct ActionTextTests {
    @Test("template fills holes: strings as they are, missing as nothing, other values as JSON")
    func template() throws {
        let run = try runAction("template", ["template": "Hi {{ profile@traits.name }}! {{event@properties.items}} {{profile@traits.none}}{{event@properties.total}}", "to": "memory@text"])
        #expect(run.value == "Hi Jane! [\"a\",\"b\"] 120")
        #expect(run.result.memory["text"] == run.value)
        #expect(try runAction("template", ["template": "plain"]).value == "plain")
        #expect(configError("template", ["template": "{{ nowhere }}"])?.message.contains("expected ROOT@PATH") == true)
        #expect(configError("template", [:])?.message.contains("'template': is required") == true)
    }

    @Test("text-trim, text-lowercase and text-uppercase read from payload@ or from, and may write to")
    func caseAndTrim() throws {
        #expect(try runAction("text-trim", ["from": "event@properties.email"]).value == "Jane@Example.com")
        #expect(try runAction("text-lowercase", ["from": "event@properties.email", "to": "memory@e"]).result.memory["e"] == "  jane@example.com ")
        #expect(try runAction("text-uppercase", [:], input: WorkflowFixture.input(payload: "straße")).value == "STRASSE")
        #expect(try runAction("text-uppercase", ["from": "event@properties.none"]).port == "missing")
        #expect(configError("text-trim", ["from": "nowhere"])?.message.contains("config field 'from'") == true)
        #expect(configError("text-lowercase", ["to": "profile@stats.views"])?.message.contains("config field 'to'") == true)
    }

    @Test("text-split splits with a limit and can drop empty parts; text-join joins")
    func splitAndJoin() throws {
        #expect(try runAction("text-split", ["separator": ","], input: WorkflowFixture.input(payload: "a,b,,c")).value == ["a", "b", "", "c"])
        #expect(try runAction("text-split", ["separator": ",", "omitEmpty": true], input: WorkflowFixture.input(payload: "a,b,,c")).value == ["a", "b", "c"])
        #expect(try runAction("text-split", ["separator": ",", "limit": 2], input: WorkflowFixture.input(payload: "a,b,c")).value == ["a", "b,c"])
        #expect(try runAction("text-join", ["from": "event@properties.items", "separator": "+"]).value == "a+b")
        #expect(try runAction("text-join", ["separator": "-"], input: WorkflowFixture.input(payload: ["x", 1, nil, true])).value == "x-1--true")
        #expect(configError("text-split", [:])?.message.contains("'separator': is required") == true)
        #expect(configError("text-split", ["separator": ",", "limit": 0])?.message.contains("expected 1 to 10000") == true)
        #expect(configError("text-join", ["separator": 1])?.message.contains("'separator': expected a string") == true)
    }

    @Test("text longer than the limit fails the run")
    func textLimit() throws {
        let workflow = try Workflow(
            id: "w", nodes: [WorkflowNode(id: "s", action: "start"), WorkflowNode(id: "t", action: "text-trim")], edges: [WorkflowEdge(from: "s", to: "t")]
        ).validate(limits: WorkflowLimits(textBytesMax: 10))
        let error = try #require(workflow.run(WorkflowFixture.input(payload: "01234567890")).error)
        #expect(error.message == "node 't': the text is 11 bytes; the limit is 10")
    }

    @Test("calculator computes with precedence, functions, exact integers; data errors go by 'error'", arguments: [
        ("1 + 2 * 3", JSONValue.integer(7)), ("(1 + 2) * 3", 9), ("7 / 2", 3.5), ("8 / 2", 4), ("7 % 3", 1), ("-2 * -3", 6), ("1e3 + 0.5", 1000.5),
        ("event@properties.price * event@properties.quantity", 58.5), ("max(profile@stats.visits, 10, 3) - min(2, 1)", 9),
        ("abs(-4) + round(2.5) + floor(2.7) + ceil(2.1)", 12), ("profile@traits.visits/2", 2), (#"event@properties["total"]-20"#, 100),
    ])
    func calculator(expression: String, expected: JSONValue) throws {
        let run = try runAction("calculator", ["expression": .string(expression), "to": "memory@result"])
        #expect(run.value == expected)
        #expect(run.result.memory["result"] == expected)
    }

    @Test("calculator errors: bad expressions are config errors, bad data goes by 'error'")
    func calculatorErrors() throws {
        #expect(try runAction("calculator", ["expression": "1 / (event@properties.total - 120)"]).value == ["error": "division by zero"])
        #expect(try runAction("calculator", ["expression": "profile@traits.name * 2"]).value == ["error": "profile@traits.name holds a string, not a number"])
        #expect(try runAction("calculator", ["expression": "event@properties.nope + 1"]).port == "error")
        #expect(try runAction("calculator", ["expression": "9223372036854775807 + 1"]).port == "error")
        for (text, message) in [
            ("1 +", "expected a number, a reference"), ("(1", "expected ')'"), ("foo(1)", "one of the functions"), ("1 2", "an operator or the end"),
            ("min()", "expected a number"), ("abs(1, 2)", "1 argument(s) to abs"), ("profile@a..b", "expected a key"),
            (String(repeating: "(", count: 40) + "1" + String(repeating: ")", count: 40), "levels deep"),
        ] {
            let error = configError("calculator", ["expression": .string(text)])
            #expect(error?.message.contains(message) == true, "\(text): \(String(describing: error))")
        }
    }

    @Test("SHA-256 matches the standard test vectors")
    func sha256Vectors() {
        #expect(SHA256.hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(SHA256.hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(SHA256.hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq") == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
        #expect(SHA256.hex(String(repeating: "a", count: 1_000_000)) == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    @Test("hash replaces or copies a value as its digest, with an optional salt")
    func hash() throws {
        let run = try runAction("hash", ["from": "profile@pii.email", "to": "profile@pii.email"])
        #expect(run.profile.pii["email"] == .string(SHA256.hex("jane@example.com")))
        #expect(try runAction("hash", ["salt": "s-"], input: WorkflowFixture.input(payload: "x")).value == .string(SHA256.hex("s-x")))
        #expect(try runAction("hash", ["from": "memory@none"]).port == "missing")
        #expect(configError("hash", ["algorithm": "md5"])?.message.contains("expected one of sha256, got 'md5'") == true)
    }

    @Test("mask hides a text but for its ends; short texts are masked whole")
    func mask() throws {
        #expect(try runAction("mask", ["field": "profile@pii.email", "keepStart": 2, "keepEnd": 2]).profile.pii["email"] == "ja************om")
        #expect(try runAction("mask", ["field": "profile@traits.name", "keepStart": 3, "keepEnd": 3, "character": "#"]).profile.traits["name"] == "####")
        #expect(try runAction("mask", ["field": "profile@traits.visits"]).port == "missing")
        #expect(configError("mask", ["field": "profile@pii.email", "character": "**"])?.message.contains("expected one character") == true)
        #expect(configError("mask", ["field": "profile@pii.email", "keepEnd": -1])?.message.contains("expected 0 to 100") == true)
    }
}
