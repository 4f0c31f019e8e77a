import CairnModel
import Testing
@testable import CairnLogic

@Suite("Condition parsing")
struct ConditionParserTests {
    static func field(_ text: String) -> Condition.Operand {
        .field(try! FieldReference(parsing: text))
    }

    static let age = field("profile@traits.age")
    static let city = field("profile@traits.city")

    @Test("texts parse into the expected tree", arguments: [
        ("profile@traits.age >= 18", Condition.comparison(age, .greaterOrEqual, .literal(18))),
        (#"profile@traits.city == 'Zürich'"#, .comparison(city, .equal, .literal("Zürich"))),
        ("profile@traits.age BETWEEN 18 AND 65", .between(age, lower: .literal(18), upper: .literal(65))),
        ("profile@traits.age IS NULL", .test(age, .isNull)),
        ("profile@traits.age IS NOT NULL", .test(age, .isNotNull)),
        ("profile@traits.age EXISTS", .test(age, .exists)),
        ("profile@traits.age NOT EXISTS", .test(age, .notExists)),
        ("profile@traits.age EMPTY", .test(age, .empty)),
        ("profile@traits.age NOT EMPTY", .test(age, .notEmpty)),
        (#"profile@traits.city CONTAINS "ü""#, .comparison(city, .contains, .literal("ü"))),
        (#"profile@traits.city STARTS WITH "Z""#, .comparison(city, .startsWith, .literal("Z"))),
        (#"profile@traits.city ENDS WITH "h""#, .comparison(city, .endsWith, .literal("h"))),
        ("profile@traits.age != -1.5", .comparison(age, .notEqual, .literal(-1.5))),
        ("profile@traits.age < -9223372036854775808", .comparison(age, .less, .literal(.integer(.min)))),
        ("profile@traits.age > 1e3", .comparison(age, .greater, .literal(1000.0))),
        ("profile@traits.age <= 99999999999999999999", .comparison(age, .lessOrEqual, .literal(1e20))),
        (#"profile@traits.tags == [1, "a", [true, null], {"k": -2}]"#,
         .comparison(field("profile@traits.tags"), .equal, .literal([1, "a", [true, nil], ["k": -2]]))),
        ("event@time > now() - 15m", .comparison(field("event@time"), .greater, .shifted(.now, micros: -900_000_000))),
        ("event@time > now(-15m)", .comparison(field("event@time"), .greater, .shifted(.now, micros: -900_000_000))),
        ("event@time > now(-1d) + 2h - 30s", .comparison(field("event@time"), .greater, .shifted(.now, micros: -79_230_000_000))),
        ("event@time <= now()", .comparison(field("event@time"), .lessOrEqual, .now)),
        ("session@duration > 7d", .comparison(field("session@duration"), .greater, .duration(micros: 604_800_000_000))),
        ("session@duration > -2h", .comparison(field("session@duration"), .greater, .duration(micros: -7_200_000_000))),
        (#"lowercase(profile@traits.city) == uppercase("x")"#, .comparison(.call(.lowercase, city), .equal, .call(.uppercase, .literal("x")))),
        (#"datetime(event@properties.time) < profile@x + 1d"#,
         .comparison(.call(.datetime, field("event@properties.time")), .less, .shifted(field("profile@x"), micros: 86_400_000_000))),
        (#"profile@traits["first name"] == "Ada""#, .comparison(field(#"profile@traits["first name"]"#), .equal, .literal("Ada"))),
        ("event@properties.items[1].sku==\"b\"", .comparison(field("event@properties.items[1].sku"), .equal, .literal("b"))),
        ("true", .constant(true)),
        ("NOT false", .not(.constant(false))),
        ("true == profile@traits.flag", .comparison(.literal(true), .equal, field("profile@traits.flag"))),
        ("memory@ EXISTS", .test(field("memory@"), .exists)),
    ])
    func parses(text: String, expected: Condition) throws {
        let condition = try Condition(parsing: text)
        #expect(condition == expected)
        #expect(try Condition(parsing: condition.description) == condition, "\(condition)")
    }

    @Test("NOT binds tighter than AND, AND tighter than OR; parentheses group", arguments: [
        ("a@x EXISTS OR a@y EXISTS AND a@z EXISTS", "OR[x, AND[y, z]]"),
        ("a@x EXISTS AND a@y EXISTS OR a@z EXISTS", "OR[AND[x, y], z]"),
        ("NOT a@x EXISTS AND a@y EXISTS", "AND[NOT x, y]"),
        ("NOT (a@x EXISTS AND a@y EXISTS)", "NOT AND[x, y]"),
        ("NOT NOT a@x EXISTS OR a@y EXISTS", "OR[NOT NOT x, y]"),
        ("(a@x EXISTS OR a@y EXISTS) AND a@z EXISTS", "AND[OR[x, y], z]"),
        ("a@x EXISTS AND (a@y EXISTS AND a@z EXISTS)", "AND[x, AND[y, z]]"),
        ("a@x EXISTS AND a@y EXISTS AND a@z EXISTS", "AND[x, y, z]"),
        ("((((a@x EXISTS))))", "x"),
        ("a@x EXISTS OR (a@y EXISTS OR a@z EXISTS) OR a@x EXISTS", "OR[x, OR[y, z], x]"),
    ])
    func precedence(text: String, shape: String) throws {
        // `a@` is not a root: the shapes are written with a stand-in root, swapped in here.
        let condition = try Condition(parsing: text.replacing("a@", with: "memory@"))
        #expect(Self.shape(condition) == shape)
        #expect(try Condition(parsing: condition.description) == condition)
    }

    /// The tree with each test written as its field's name.
    static func shape(_ condition: Condition) -> String {
        switch condition {
        case .test(.field(let reference), _): reference.path.map { component in
            if case .key(let key) = component { return key }
            return "?"
        }.joined()
        case .not(let inner): "NOT " + shape(inner)
        case .all(let items): "AND[" + items.map(shape).joined(separator: ", ") + "]"
        case .any(let items): "OR[" + items.map(shape).joined(separator: ", ") + "]"
        default: condition.description
        }
    }

    @Test("keywords and function names are case-insensitive", arguments: [
        ("profile@traits.age between 1 and 2 or profile@traits.age is not null",
         "profile@traits.age BETWEEN 1 AND 2 OR profile@traits.age IS NOT NULL"),
        ("not profile@traits.age Exists and profile@traits.age not empty",
         "NOT profile@traits.age EXISTS AND profile@traits.age NOT EMPTY"),
        (#"profile@traits.city starts with "a" Or profile@traits.city Ends With "b" oR profile@traits.city contains "c""#,
         #"profile@traits.city STARTS WITH "a" OR profile@traits.city ENDS WITH "b" OR profile@traits.city CONTAINS "c""#),
        ("profile@traits.age is null AND profile@traits.flag == TRUE and profile@traits.x == Null", "profile@traits.age IS NULL AND profile@traits.flag == true AND profile@traits.x == null"),
        ("LOWERCASE(profile@traits.city) == 'x' AND event@time < NOW(-15M)", #"lowercase(profile@traits.city) == "x" AND event@time < now() - 15m"#),
        ("TRUE", "true"),
    ])
    func caseInsensitive(text: String, canonical: String) throws {
        let condition = try Condition(parsing: text)
        #expect(condition.description == canonical)
        #expect(try Condition(parsing: canonical) == condition)
    }

    @Test("the description is canonical and reads back equal", arguments: [
        ("profile@traits.age>=18", "profile@traits.age >= 18"),
        ("profile@traits.age => 18 AND profile@traits.age =< 20 AND profile@traits.age <> 19", "profile@traits.age >= 18 AND profile@traits.age <= 20 AND profile@traits.age != 19"),
        (#"event@a == 'it\'s "x"'"#, #"event@a == "it's \"x\"""#),
        (#"event@a == "tab\tnew\nline\u00e9\ud83d\ude00\/""#, "event@a == \"tab\\tnew\\nlineé😀/\""),
        ("event@a == 007", "event@a == 7"),
        ("event@a == 1.50", "event@a == 1.5"),
        ("event@a == 1E2", "event@a == 100.0"),
        ("event@a == -0.0", "event@a == -0.0"),
        ("event@a == [ ]", "event@a == []"),
        (#"event@a == {"b":1,"a":[2]}"#, #"event@a == {"a": [2], "b": 1}"#),
        ("event@a > now() - 60m", "event@a > now() - 1h"),
        ("event@a > now() + 90m", "event@a > now() + 90m"),
        ("event@a > now() + 15m - 15m", "event@a > now() + 0s"),
        ("event@a > 86400s", "event@a > 1d"),
        ("event@a > now(0s)", "event@a > now() + 0s"),
        (#"profile@traits["city"] EXISTS"#, "profile@traits.city EXISTS"),
        (#"profile@traits["a=b"] EXISTS"#, #"profile@traits["a=b"] EXISTS"#),
        ("profile@x-y.é EXISTS", "profile@x-y.é EXISTS"),
        ("(profile@a EXISTS OR profile@b EXISTS) AND NOT (profile@c EXISTS OR profile@d EXISTS)",
         "(profile@a EXISTS OR profile@b EXISTS) AND NOT (profile@c EXISTS OR profile@d EXISTS)"),
        ("(profile@a EXISTS AND profile@b EXISTS) OR profile@c EXISTS", "profile@a EXISTS AND profile@b EXISTS OR profile@c EXISTS"),
        ("\n\tprofile@a\r\nEXISTS  ", "profile@a EXISTS"),
    ])
    func canonical(text: String, canonical: String) throws {
        let condition = try Condition(parsing: text)
        #expect(condition.description == canonical)
        let again = try Condition(parsing: canonical)
        #expect(again == condition)
        #expect(again.description == canonical)
    }

    @Test("errors name the offset, the text there and what was expected", arguments: [
        ("", "at offset 0 (the end of the text): expected a condition"),
        ("profile@traits.age", "at offset 18 (the end of the text): expected an operator"),
        ("profile@traits.age = 5", #"at offset 19 (near "= 5"): a single '=' is not an operator; expected '=='"#),
        ("profile@traits.age == ", "at offset 22 (the end of the text): expected an operand after '=='"),
        ("profile@a == 1 profile@b == 2", #"at offset 15 (near "profile@b == 2"): expected AND, OR or the end of the condition; found the field profile@b"#),
        ("(profile@a EXISTS", "at offset 17 (the end of the text): expected ')' to close the '(' at offset 0"),
        ("profile@a EXISTS)", #"at offset 16 (near ")"): expected AND, OR or the end"#),
        ("profile@a BETWEEN 1 OR 2", #"at offset 20 (near "OR 2"): expected AND between the bounds of BETWEEN"#),
        ("profile@a IS 5", #"at offset 13 (near "5"): expected NULL or NOT NULL after IS"#),
        ("profile@a NOT NULL", #"at offset 14 (near "NULL"): expected EXISTS or EMPTY after NOT"#),
        ("profile@a STARTS 'x'", "expected WITH after STARTS"),
        ("profile@a == 'abc", #"at offset 13 (near "'abc"): unterminated string"#),
        (#"profile@a == "a\qb""#, #"at offset 15 (near "\\qb\""): unknown escape"#),
        (#"profile@a == "\ud800""#, "a high surrogate must be followed by a low one"),
        (#"profile@a == "\u12""#, "expected four hex digits"),
        ("profile@a == foo", #"at offset 13 (near "foo"): unknown name 'foo': expected a field with its root (profile@foo"#),
        ("user@a EXISTS", #"at offset 0 (near "user@a EXISTS"): invalid field reference: 'user@a': unknown root 'user'"#),
        ("profile@a..b EXISTS", "invalid field reference: 'profile@a..b' at position 10: expected a key"),
        ("profile@a[x] EXISTS", "invalid field reference"),
        ("profile@a > 1.5h", "a duration is a whole number of units"),
        ("profile@a > 15y", #"at offset 14 (near "y"): expected a duration unit"#),
        ("profile@a > 99999999999d", "duration out of range"),
        ("profile@a > 1e999", "number out of range"),
        ("profile@a > 1.", "expected a digit after '.'"),
        ("profile@a > now() - 5", "expected a duration such as 15m, 2h, 30s or 7d after '-'"),
        ("profile@a > now(5)", "expected ')' or a duration such as -15m in now(...)"),
        ("profile@a > lowercase(1, 2)", "expected ')' after the argument of lowercase(...) (it takes one)"),
        ("profile@a > lowercase", "expected '(' after the function lowercase"),
        ("profile@a == [1, profile@b]", "expected a literal in an array or object"),
        ("profile@a == [1 2]", "expected ',' or ']' in an array"),
        ("profile@a == {a: 1}", "expected a quoted key in an object"),
        ("profile@a == - x", "expected a number or a duration after '-'"),
        ("profile@a ! profile@b", "expected '!=' (negation is the keyword NOT)"),
        ("profile@a == #", ##"at offset 13 (near "#"): unexpected character"##),
        ("AND profile@a EXISTS", #"at offset 0 (near "AND profile@a EXISTS"): expected a condition"#),
        ("NOT", "at offset 3 (the end of the text): expected a condition"),
        ("profile@é == 'x' 'y'", #"at offset 17 (near "'y'"): expected AND, OR"#),
        ("profile@a == 'ü' AND", "at offset 20 (the end of the text)"),
    ])
    func rejects(text: String, message: String) {
        let error = #expect(throws: LogicError.self) { try Condition(parsing: text) }
        #expect(error?.code == .invalidCondition)
        #expect(error?.message.contains(message) == true, "\(String(describing: error))")
    }

    @Test("the examples of docs/conditions.md parse and read back equal", arguments: [
        "profile@traits.plan == \"pro\" AND event@properties.total > 100",
        "event@type == \"purchase\" AND NOT profile@stats.orders EXISTS",
        "profile@metadata.time.visit.last < now() - 30d",
        "profile@traits.age BETWEEN 18 AND 65",
        "profile@segments == \"vip\" OR profile@stats.orders >= 3",
        "lowercase(event@properties.country) == \"ch\" AND event@properties.total > 99.5",
        "event@type == \"page-view\" AND event@properties.url STARTS WITH \"https://shop.\"",
        "profile@consents.marketing IS NOT NULL AND NOT profile@traits.email EMPTY",
        "(event@type == \"purchase\" OR event@type == \"refund\") AND event@properties.items NOT EMPTY",
        "datetime(profile@traits.birthday) > now() - 6570d",
        "event@properties.tags CONTAINS \"sale\" AND session@context[\"utm source\"] EXISTS",
        "not profile@x exists and profile@y Between 1 AND 2",
        "x BETWEEN 1 AND 5 AND y EXISTS".replacing("x ", with: "memory@x ").replacing("y ", with: "memory@y "),
        "datetime(event@properties.time) < \"2026-01-01T12:30:00+01:00\"",
    ])
    func documentedExamples(text: String) throws {
        let condition = try Condition(parsing: text)
        #expect(try Condition(parsing: condition.description) == condition)
    }

    @Test("the text length and the nesting depth are limited")
    func limits() throws {
        let limits = Condition.Limits.default
        #expect(limits.textBytesMax == 65_536 && limits.depthMax == 64)

        let clause = "profile@traits.age > 1 AND "
        let long = String(repeating: clause, count: 65_536 / clause.utf8.count) + "true"
        let padded = long + String(repeating: " ", count: 65_536 - long.utf8.count)
        #expect(padded.utf8.count == 65_536)
        #expect(try Condition(parsing: padded).description.hasPrefix("profile@traits.age > 1 AND"))
        let tooLong = #expect(throws: LogicError.self) { try Condition(parsing: padded + " ") }
        #expect(tooLong?.code == .conditionLimitExceeded)
        #expect(tooLong?.message == "the condition is 65537 bytes long; at most 65536 are allowed")

        for (open, close) in [("(", ")"), ("NOT (", ")"), ("lowercase(", ")")] {
            let inner = open == "lowercase(" ? "profile@a" : "profile@a EXISTS"
            let suffix = open == "lowercase(" ? " EXISTS" : ""
            func nested(_ depth: Int) -> String {
                String(repeating: open, count: depth) + inner + String(repeating: close, count: depth) + suffix
            }
            // NOT ( counts two levels.
            let levels = open == "NOT (" ? 32 : 64
            #expect(throws: Never.self) { try Condition(parsing: nested(levels)) }
            let error = #expect(throws: LogicError.self) { try Condition(parsing: nested(levels + 1)) }
            #expect(error?.code == .conditionLimitExceeded)
            #expect(error?.message.contains("nesting deeper than 64 levels") == true, "\(String(describing: error))")
        }
        let arrays = "profile@a == " + String(repeating: "[", count: 65) + String(repeating: "]", count: 65)
        let arrayError = #expect(throws: LogicError.self) { try Condition(parsing: arrays) }
        #expect(arrayError?.message == #"at offset 77 (near "[]]]]]]]]]]]]]]]]]]]"...): nesting deeper than 64 levels"#)
        let small = Condition.Limits(textBytesMax: 20, depthMax: 2)
        #expect(throws: LogicError.self) { try Condition(parsing: "(((profile@a EXISTS)))", limits: small) }
        #expect(throws: Never.self) { try Condition(parsing: "((profile@a EXISTS))", limits: small) }
    }
}
