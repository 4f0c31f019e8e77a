import CairnModel
import Testing

@Suite("JSON text: strict parsing and canonical serialization")
struct JSONParserTests {
    @Test("Valid documents parse to the expected values")
    func validDocuments() throws {
        #expect(try json("null") == .null)
        #expect(try json(" \t\r\ntrue ") == .bool(true))
        #expect(try json("false") == .bool(false))
        #expect(try json("0") == .integer(0))
        #expect(try json("-0") == .integer(0))
        #expect(try json("42") == .integer(42))
        #expect(try json("-9223372036854775808") == .integer(.min))
        #expect(try json("9223372036854775807") == .integer(.max))
        #expect(try json("9223372036854775808") == .number(9_223_372_036_854_775_808.0))
        #expect(try json("-9223372036854775809") == .number(-9_223_372_036_854_775_809.0))
        #expect(try json("1.0") == .number(1.0))
        #expect(try json("1e2") == .number(100.0))
        #expect(try json("44.99") == .number(44.99))
        #expect(try json("-0.0") == .number(-0.0))
        #expect(try json("0.1") == .number(0.1))
        #expect(try json("1E-7") == .number(1e-7))
        #expect(try json("2.2250738585072014e-308") == .number(2.2250738585072014e-308))
        #expect(try json("123456789012345678901234567890") == .number(1.2345678901234568e29))
        #expect(try json("1e-400") == .number(0.0))
        #expect(try json(#""a\"b\\c\/d\b\f\n\r\t""#) == .string("a\"b\\c/d\u{8}\u{C}\n\r\t"))
        #expect(try json(#""\u00e9\u20AC\ud83c\udfd4""#) == .string("é€🏔"))
        #expect(try json(#""Zoë – 🏔️""#) == .string("Zoë – 🏔️"))
        #expect(try json(#"[1,[2,[]],{}]"#) == [1, [2, []], [:]])
        #expect(try json(#"{"b":1,"a":{"c":[true,null]}}"#) == ["a": ["c": [true, nil]], "b": 1])
    }

    @Test("Doubles are correctly rounded on the fast and the slow path")
    func doublesMatchTheStandardLibrary() throws {
        var random = SeededRandom(seed: Randomized.seed)
        for _ in 0..<Randomized.iterations(2000) {
            let mantissa = Int64.random(in: -99_999_999_999_999_999...99_999_999_999_999_999, using: &random)
            let digits = Int.random(in: 0...18, using: &random)
            let exponent = Int.random(in: -30...30, using: &random)
            var text = String(mantissa.magnitude)
            if digits > 0, digits < text.count { text.insert(".", at: text.index(text.endIndex, offsetBy: -digits)) }
            if text.hasPrefix(".") { text = "0" + text }
            text = (mantissa < 0 ? "-" : "") + text + "e\(exponent)"
            let parsed = try json(text)
            #expect(parsed == .number(try #require(Double(text))), "\(text)")
        }
    }

    @Test("Duplicate keys: the last one wins")
    func duplicateKeys() throws {
        #expect(try json(#"{"a":1,"b":2,"a":3}"#) == ["a": 3, "b": 2])
        #expect(try json(#"{"a":1,"a":{"x":1}}"#) == ["a": ["x": 1]])
    }

    @Test("Lone surrogates in escapes are replaced with U+FFFD; invalid raw UTF-8 is rejected")
    func surrogatesAndUTF8() throws {
        #expect(try json(#""a\ud800b""#) == .string("a\u{FFFD}b"))
        #expect(try json(#""\udc00""#) == .string("\u{FFFD}"))
        #expect(try json(#""\ud800\u0041""#) == .string("\u{FFFD}A"))
        #expect(try json(#""\ud800""#) == .string("\u{FFFD}"))
        for bad: [UInt8] in [[0x22, 0xC3, 0x22], [0x22, 0xFF, 0x22], [0x22, 0xED, 0xA0, 0x80, 0x22], [0x22, 0x5C, 0x6E, 0xC0, 0xAF, 0x22]] {
            let error = try #require(throws: ModelError.self) { try JSONParser.parse(bad) }
            #expect(error.code == .invalidJSON)
            #expect(error.message.contains("UTF-8"))
        }
    }

    @Test("Invalid documents are rejected with the byte position and what was expected", arguments: [
        ("", 0, "expected a JSON value"),
        ("   ", 3, "expected a JSON value"),
        ("{", 1, "expected a string key"),
        (#"{"a" 1}"#, 5, "expected ':'"),
        (#"{"a":1,}"#, 7, "expected a string key"),
        ("[1,]", 3, "expected a JSON value"),
        ("[1 2]", 3, "expected ',' or ']'"),
        (#"{"a":1"#, 6, "expected ',' or '}'"),
        ("01", 0, "leading zeros"),
        ("-", 1, "expected a digit after '-'"),
        ("1.", 2, "expected a digit after '.'"),
        ("1e", 2, "expected a digit in the exponent"),
        (".5", 0, "expected a JSON value"),
        ("+1", 0, "expected a JSON value"),
        ("NaN", 0, "expected a JSON value"),
        ("Infinity", 0, "expected a JSON value"),
        ("-Infinity", 1, "expected a digit after '-'"),
        ("1e400", 0, "out of the range"),
        ("tru", 3, "expected 'true'"),
        ("nul", 3, "expected 'null'"),
        ("[1] x", 4, "expected the end of the input"),
        ("'a'", 0, "expected a JSON value"),
        (#""abc"#, 0, "unterminated string"),
        ("\"a\tb\"", 2, "control characters must be escaped"),
        (#""\x""#, 1, "expected one of"),
        (#""\u12G4""#, 3, "four hexadecimal digits"),
        ("// c\n1", 0, "expected a JSON value"),
        ("\u{FEFF}1", 0, "byte order mark"),
    ])
    func invalidDocuments(text: String, offset: Int, expected: String) throws {
        let error = try #require(throws: ModelError.self) { try json(text) }
        #expect(error.code == .invalidJSON)
        #expect(error.offset == offset, "\(error)")
        #expect(error.message.contains(expected), "\(error)")
        #expect(error.description.hasPrefix("JSON at byte \(offset): "), "\(error)")
    }

    @Test("Nesting and size limits are enforced")
    func limits() throws {
        let deep = String(repeating: "[", count: 65) + String(repeating: "]", count: 65)
        let error = try #require(throws: ModelError.self) { try json(deep) }
        #expect(error.code == .limitExceeded)
        let ok = String(repeating: "[", count: 64) + String(repeating: "]", count: 64)
        _ = try json(ok)
        let limits = JSONParser.Limits(bytesMax: 8, depthMax: 2)
        #expect(throws: ModelError.self) { try JSONParser.parse(Array("[[[1]]]".utf8), limits: limits) }
        let tooLarge = try #require(throws: ModelError.self) { try JSONParser.parse(Array("\"123456789\"".utf8), limits: limits) }
        #expect(tooLarge.code == .limitExceeded)
        #expect(tooLarge.message.contains("11 bytes; the limit is 8"))
        // A very deep document fails cleanly, without exhausting the stack.
        let veryDeep = [UInt8](repeating: UInt8(ascii: "["), count: 100_000)
        #expect(throws: ModelError.self) { try JSONParser.parse(veryDeep) }
    }

    @Test("Serialization is canonical: compact, sorted keys, minimal escapes, round-trip doubles")
    func canonicalForm() throws {
        #expect(canonical(try json(#" { "b" : [ 1 , 2.50 ] , "a" : "x" } "#)) == #"{"a":"x","b":[1,2.5]}"#)
        #expect(canonical(.string("q\"b\\s/\u{1}\u{1F}\n\t é")) == #""q\"b\\s/\u0001\u001f\n\t é""#)
        #expect(canonical(.number(1.0)) == "1.0")
        #expect(canonical(.number(0.1)) == "0.1")
        #expect(canonical(.number(1e-7)) == "1e-07")
        #expect(canonical(.number(1e22)) == "1e+22")
        #expect(canonical(.number(-0.0)) == "-0.0")
        #expect(canonical(.number(.nan)) == "null")
        #expect(canonical(.number(.infinity)) == "null")
        #expect(canonical(.integer(.min)) == "-9223372036854775808")
        // Keys sort by UTF-8 bytes: upper case before lower case, ASCII before everything else.
        #expect(canonical(["é": 1, "z": 2, "Z": 3, "": 4]) == #"{"":4,"Z":3,"z":2,"é":1}"#)
    }

    @Test("Canonical text does not depend on the order of keys in the input")
    func keyOrderIndependence() throws {
        var random = SeededRandom(seed: Randomized.seed)
        for line in CorpusSamples.lines {
            let value = try json(line)
            let expected = value.serialized()
            for _ in 0..<20 {
                let shuffled = shuffledText(value, using: &random)
                let reparsed = try JSONParser.parse(Array(shuffled.utf8))
                #expect(reparsed.serialized() == expected)
                #expect(reparsed == value)
            }
        }
    }

    @Test("parse → serialize → parse is the identity on corpus lines, fixtures and random values")
    func roundTrips() throws {
        for line in CorpusSamples.lines {
            let value = try json(line)
            #expect(try JSONParser.parse(value.serialized()) == value)
        }
        let seed = Randomized.seed
        var random = SeededRandom(seed: seed)
        for _ in 0..<Randomized.iterations(500) {
            let value = RandomJSON.value(depth: 0, using: &random)
            let text = value.serialized()
            let parsed = try JSONParser.parse(text)
            #expect(parsed == value, "seed \(seed): \(String(decoding: text, as: UTF8.self))")
            #expect(parsed.serialized() == text)
        }
    }

    @Test("Dot-path access")
    func dotPaths() throws {
        let value = try json(#"{"context":{"page":{"url":"u","n":1}},"a.b":2}"#)
        #expect(value.value(at: ["context", "page", "url"]) == "u")
        #expect(value.value(atDotPath: "context.page.n") == 1)
        #expect(value.value(at: ["a.b"]) == 2)
        #expect(value.value(atDotPath: "a.b") == nil)
        #expect(value.value(at: ["context", "page", "url", "x"]) == nil)
        #expect(value.value(at: []) == value)
        #expect(value.objectValue?.string(at: ["context", "page", "url"]) == "u")
        #expect(value["context"]?["page"]?["n"]?.integerValue == 1)
    }

    /// `value` as JSON text with every object's keys in a random order and random whitespace.
    private func shuffledText(_ value: JSONValue, using random: inout SeededRandom) -> String {
        let space = [" ", "", "\n", "\t", ""].randomElement(using: &random) ?? ""
        switch value {
        case .array(let elements):
            return "[" + elements.map { shuffledText($0, using: &random) }.joined(separator: "," + space) + "]"
        case .object(let object):
            let members = object.entries.shuffled(using: &random).map {
                canonical(.string($0.key)) + space + ":" + shuffledText($0.value, using: &random)
            }
            return "{" + space + members.joined(separator: ",") + "}"
        default:
            return canonical(value)
        }
    }
}

/// Random JSON values for round-trip and fuzz tests.
enum RandomJSON {
    static func value(depth: Int, using random: inout SeededRandom) -> JSONValue {
        switch Int.random(in: 0..<(depth > 3 ? 6 : 8), using: &random) {
        case 0: return .null
        case 1: return .bool(Bool.random(using: &random))
        case 2: return .integer(Int64.random(in: .min ... .max, using: &random) >> Int64.random(in: 0...63, using: &random))
        case 3:
            let double = Double(bitPattern: random.next())
            return .number(double.isFinite ? double : Double.random(in: -1e6...1e6, using: &random))
        case 4, 5: return .string(string(using: &random))
        case 6: return .array((0..<Int.random(in: 0...4, using: &random)).map { _ in value(depth: depth + 1, using: &random) })
        default:
            let pairs = (0..<Int.random(in: 0...5, using: &random)).map { _ in
                (string(using: &random), value(depth: depth + 1, using: &random))
            }
            return .object(JSONObject(pairs))
        }
    }

    static func string(using random: inout SeededRandom) -> String {
        let pieces = ["a", "B", "é", "\"", "\\", "\n", "\u{1}", "🏔", "\u{7F}", "/", " ", "€", "\u{2028}", "é"]
        return (0..<Int.random(in: 0...6, using: &random)).map { _ in pieces.randomElement(using: &random) ?? "" }.joined()
    }
}
