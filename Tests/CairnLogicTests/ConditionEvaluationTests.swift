import CairnModel
import Testing
@testable import CairnLogic

@Suite("Condition evaluation")
struct ConditionEvaluationTests {
    /// Each case against ``ConditionTestContext/sample``, where `now()` is 2026-01-01T12:00:00Z.
    static let cases: [(String, Bool)] = [
        // == and !=: numbers by value, strings by scalars, no coercion between kinds.
        ("profile@traits.age == 30", true),
        ("profile@traits.age == 30.0", true),
        ("profile@traits.age == 31", false),
        (#"profile@traits.age == "30""#, false),
        (#"profile@traits.age != "30""#, true),
        ("profile@traits.age != 31", true),
        ("profile@traits.age != 30", false),
        ("event@properties.total == event@properties.price", true),
        ("event@properties.big > 9007199254740992.0", true),
        ("event@properties.big == 9007199254740992.0", false),
        ("9223372036854775807 < 9.223372036854775807e18", true),
        ("-9223372036854775808 == -9.223372036854775808e18", true),
        ("-9223372036854775808 > -9.223372036854775808e18", false),
        ("0 == -0.0", true),
        (#"profile@traits.city == "Zürich""#, true),
        (#"profile@traits.city == "zürich""#, false),
        ("profile@traits.flag == true", true),
        ("profile@traits.flag == 1", false),
        ("profile@traits.flag != false", true),
        ("profile@traits.none == null", true),
        ("profile@traits.none != null", false),
        ("profile@traits.age != null", true),
        (#"profile@traits.nested == {"a": {"b": 1.0}}"#, true),
        (#"profile@traits.nested == {"a": {"b": 2}}"#, false),
        ("profile@traits.list == []", true),
        (#"profile@traits.tags == ["vip", "beta", 3]"#, true),
        (#"profile@traits.tags == ["vip"]"#, false),
        // Tracardi's rule: an array against a single value asks whether the array holds it.
        (#"profile@traits.tags == "vip""#, true),
        (#""vip" == profile@traits.tags"#, true),
        (#"profile@traits.tags == "gold""#, false),
        (#"profile@traits.tags != "gold""#, true),
        (#"profile@traits.tags != "vip""#, false),
        (#"memory@step.result == "ok""#, true),
        (#"session@id == "s-1""#, true),
        // A missing field makes every comparison false, != included.
        ("profile@traits.missing == 1", false),
        ("profile@traits.missing != 1", false),
        ("profile@traits.missing == null", false),
        ("profile@traits.missing != null", false),
        ("profile@traits.missing > 1", false),
        ("profile@traits.missing <= 1", false),
        ("payload@anything != 0", false),
        ("profile@traits.age != profile@traits.missing", false),
        ("NOT profile@traits.missing == 1", true),
        // Order: numbers with numbers, strings with strings, by Unicode scalars; nothing else.
        ("profile@traits.age > 18", true),
        ("profile@traits.age >= 30", true),
        ("profile@traits.age > 30", false),
        ("profile@traits.age < 30.5", true),
        ("profile@traits.age <= 29", false),
        ("profile@traits.age <= 30", true),
        ("profile@traits.age >= 30.5", false),
        ("profile@traits.score > 4", true),
        ("profile@traits.score < 4.5", false),
        ("event@properties.negative < -2.5", true),
        (#"profile@traits.name > "Ada""#, true),
        (#"profile@traits.name < "Ada""#, false),
        (#""Zebra" < "apple""#, true),
        (#""é" > "z""#, true),
        (#"profile@traits.age > "20""#, false),
        (#"profile@traits.age < "20""#, false),
        ("profile@traits.flag > false", false),
        ("profile@traits.tags > 1", false),
        ("profile@traits.nested <= profile@traits.nested", false),
        // BETWEEN includes both bounds.
        ("profile@traits.age BETWEEN 18 AND 30", true),
        ("profile@traits.age BETWEEN 30.0 AND 30", true),
        ("profile@traits.age BETWEEN 31 AND 40", false),
        ("profile@traits.age BETWEEN 40 AND 18", false),
        (#"profile@traits.name BETWEEN "A" AND "B""#, true),
        (#"profile@traits.age BETWEEN "1" AND 100"#, false),
        ("profile@traits.missing BETWEEN 1 AND 2", false),
        ("profile@traits.age BETWEEN profile@traits.missing AND 100", false),
        ("event@properties.time BETWEEN now() - 1h AND now()", true),
        ("event@properties.time BETWEEN now() - 30s AND now()", false),
        ("event@properties.epoch BETWEEN now(-1m) AND now(-1m)", true),
        // IS NULL: missing or null; EXISTS: present, even as null.
        ("profile@traits.none IS NULL", true),
        ("profile@traits.missing IS NULL", true),
        ("profile@traits.age IS NULL", false),
        ("profile@traits.none IS NOT NULL", false),
        ("profile@traits.missing IS NOT NULL", false),
        ("profile@traits.age IS NOT NULL", true),
        ("profile@traits.none EXISTS", true),
        ("profile@traits.missing EXISTS", false),
        ("profile@traits.tags[2] EXISTS", true),
        ("profile@traits.tags[3] EXISTS", false),
        ("profile@traits.none NOT EXISTS", false),
        ("profile@traits.missing NOT EXISTS", true),
        // EMPTY: "", [], {}, null or missing.
        ("profile@traits.blank EMPTY", true),
        ("profile@traits.list EMPTY", true),
        ("profile@traits.map EMPTY", true),
        ("profile@traits.none EMPTY", true),
        ("profile@traits.missing EMPTY", true),
        ("profile@traits.age EMPTY", false),
        ("profile@traits.flag EMPTY", false),
        ("profile@traits.name EMPTY", false),
        ("profile@traits.name NOT EMPTY", true),
        ("profile@traits.tags NOT EMPTY", true),
        ("profile@traits.blank NOT EMPTY", false),
        ("profile@traits.missing NOT EMPTY", false),
        // CONTAINS: substring, element, key.
        (#"profile@traits.name CONTAINS "Love""#, true),
        (#"profile@traits.name CONTAINS "love""#, false),
        (#"profile@traits.name CONTAINS """#, true),
        (#"profile@traits.city CONTAINS "ü""#, true),
        (#"profile@traits.tags CONTAINS "vip""#, true),
        ("profile@traits.tags CONTAINS 3.0", true),
        (#"profile@traits.tags CONTAINS "gold""#, false),
        (#"profile@traits.tags CONTAINS "vi""#, false),
        (#"profile@traits.nested CONTAINS "a""#, true),
        (#"profile@traits.nested CONTAINS "b""#, false),
        (#"event@properties.items CONTAINS {"sku": "b"}"#, true),
        ("profile@traits.age CONTAINS 3", false),
        (#"profile@traits.missing CONTAINS "a""#, false),
        (#""a" CONTAINS profile@traits.missing"#, false),
        // STARTS WITH, ENDS WITH: strings only.
        (#"event@properties.url STARTS WITH "https://""#, true),
        (#"event@properties.url STARTS WITH "http:""#, false),
        (#"event@properties.url ENDS WITH "q=1""#, true),
        (#"event@properties.url ENDS WITH "shop""#, false),
        (#"profile@traits.city ENDS WITH "ich""#, true),
        (#"profile@traits.age STARTS WITH "3""#, false),
        (#"profile@traits.tags STARTS WITH "vip""#, false),
        (#"profile@traits.missing ENDS WITH """#, false),
        // Functions.
        (#"lowercase(profile@traits.city) == "zürich""#, true),
        (#"uppercase(profile@traits.city) == "ZÜRICH""#, true),
        (#"lowercase(profile@traits.age) == "30""#, false),
        ("lowercase(profile@traits.age) IS NULL", true),
        (#"uppercase(lowercase(profile@traits.plan)) == "PRO""#, true),
        // Times: now() is the event's time; the other side is read as a time.
        ("event@properties.time > now() - 15m", true),
        ("event@properties.time < now() - 15m", false),
        ("event@properties.time < now()", true),
        ("event@properties.time > now(-2m)", true),
        ("event@properties.time >= now(+1s)", false),
        ("event@properties.epoch == now() - 1m", true),
        ("event@properties.epochMs == now() - 60s", true),
        ("profile@metadata.time.visit.last < now() - 5m", true),
        ("profile@metadata.time.visit.first < now() - 30d", true),
        ("profile@metadata.time.visit.first < now() - 32d", false),
        ("profile@metadata.time.visit.last + 10m == now()", true),
        ("profile@metadata.time.visit.last + 10m != now()", false),
        (#"datetime(event@properties.time) < "2026-01-01T12:30:00+01:00""#, false),
        (#"event@properties.time < "2026-01-01T12:30:00+01:00""#, true),
        (#"datetime(profile@metadata.time.visit.last) == datetime("2026-01-01T12:50:00+01:00")"#, true),
        ("now() == 1767268800", true),
        (#"now() == "2026-01-01T12:00:00Z""#, true),
        (#"now() == "2026-01-01T12:00:00.000001Z""#, false),
        ("event@properties.notATime < now()", false),
        ("event@properties.notATime != now()", false),
        ("profile@traits.missing < now()", false),
        ("profile@traits.flag - 1d < now()", false),
        ("now() > 15m", false),
        ("datetime(profile@traits.age) IS NULL", false),
        ("datetime(event@properties.notATime) IS NULL", true),
        // Durations are microseconds.
        ("session@duration == 15m", true),
        ("session@duration < 1h", true),
        ("session@duration > 15m", false),
        ("15m == 900000000", true),
        ("1h > 59m", true),
        ("15m + 15m == 30m", true),
        ("-1d < 0", true),
        // Precedence, parentheses and keyword case.
        ("true OR false AND false", true),
        ("(true OR false) AND false", false),
        ("NOT true AND false", false),
        ("NOT false AND true", true),
        ("NOT (false AND true)", true),
        ("false OR NOT false", true),
        ("NOT NOT true", true),
        ("profile@traits.missing == 1 OR profile@traits.age == 30", true),
        ("profile@traits.missing == 1 OR profile@traits.age == 31 OR false", false),
        (#"NOT (profile@traits.age > 18 AND (profile@traits.city == "x" OR profile@traits.plan == "Pro"))"#, false),
        (#"profile@traits.age > 18 AND (profile@traits.city == "x" OR profile@traits.plan == "Pro")"#, true),
        (#"profile@traits.age > 18 AND profile@traits.city == "x" OR profile@traits.plan == "Pro""#, true),
        (#"profile@traits.age > 18 AND (profile@traits.city == "x" OR profile@traits.plan == "Free")"#, false),
        ("profile@traits.age between 18 and 30 and not profile@traits.missing exists", true),
    ]

    @Test("the table of cases", arguments: cases)
    func evaluates(text: String, expected: Bool) throws {
        let condition = try Condition(parsing: text)
        #expect(condition.evaluate(ConditionTestContext.sample) == expected, "\(text)")
        // The canonical text means the same.
        #expect(try Condition(parsing: condition.description).evaluate(ConditionTestContext.sample) == expected)
    }

    @Test("every operator and test is in the table both holding and failing")
    func tableCoversEveryOperator() throws {
        var outcomes: [String: Set<Bool>] = [:]
        func record(_ condition: Condition, _ result: Bool) {
            switch condition {
            case .comparison(_, let comparison, _): outcomes[comparison.rawValue, default: []].insert(result)
            case .between: outcomes["BETWEEN", default: []].insert(result)
            case .test(_, let test): outcomes[test.rawValue, default: []].insert(result)
            case .not: outcomes["NOT", default: []].insert(result)
            case .all: outcomes["AND", default: []].insert(result)
            case .any: outcomes["OR", default: []].insert(result)
            case .constant: break
            }
        }
        for (text, expected) in Self.cases {
            record(try Condition(parsing: text), expected)
        }
        let names = Condition.ComparisonOperator.allCases.map(\.rawValue) + Condition.Test.allCases.map(\.rawValue) + ["BETWEEN", "NOT", "AND", "OR"]
        for name in names {
            #expect(outcomes[name] == [true, false], "\(name): \(outcomes[name] ?? [])")
        }
    }

    @Test("now() is the context's time, nothing else")
    func nowIsTheEventTime() throws {
        let condition = try Condition(parsing: "event@properties.time > now() - 15m")
        var context = ConditionTestContext.sample
        #expect(condition.evaluate(context))
        context.nowMicros += 15 * 60_000_000
        #expect(!condition.evaluate(context))
        context.nowMicros = .max
        #expect(!condition.evaluate(context))
        #expect(try !Condition(parsing: "now() + 1d > 0").evaluate(context), "an offset past the end of time has no value")
        #expect(try Condition(parsing: "now() + 1d IS NULL").evaluate(context))
    }

    @Test("AND and OR stop at the first condition that decides them")
    func shortCircuit() throws {
        final class Counting: ConditionContext {
            var reads = 0
            let nowMicros: Int64 = 0
            func value(of reference: FieldReference) -> JSONValue? {
                reads += 1
                return 1
            }
        }
        let context = Counting()
        #expect(try !Condition(parsing: "memory@a == 2 AND memory@b == 1 AND memory@c == 1").evaluate(context))
        #expect(context.reads == 1)
        #expect(try Condition(parsing: "memory@a == 1 OR memory@b == 1").evaluate(context))
        #expect(context.reads == 2)
    }
}
