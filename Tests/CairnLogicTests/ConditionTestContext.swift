import CairnLogic
import CairnModel

/// A context over fixed values: one JSON value per root, and the event's time.
struct ConditionTestContext: ConditionContext {
    var roots: [FieldReference.Root: JSONValue]
    var nowMicros: Int64

    func value(of reference: FieldReference) -> JSONValue? {
        roots[reference.root].flatMap { reference.resolve(in: $0) }
    }

    /// 2026-01-01T12:00:00Z.
    static let noon: Int64 = 1_767_268_800_000_000

    /// The data the evaluation table is written against; `now()` is ``noon``.
    static let sample = ConditionTestContext(
        roots: [
            .profile: [
                "traits": [
                    "age": 30, "score": 4.5, "name": "Ada Lovelace", "city": "Zürich", "plan": "Pro",
                    "tags": ["vip", "beta", 3], "blank": "", "none": nil, "list": [], "map": [:],
                    "first name": "Ada", "flag": true, "nested": ["a": ["b": 1]],
                ],
                "metadata": ["time": ["visit": ["last": "2026-01-01T11:50:00Z", "first": "2025-12-01 08:00:00"]]],
            ],
            .event: [
                "type": "page-view",
                "properties": [
                    "price": 10, "total": 10.0, "ratio": 0.5, "big": 9_007_199_254_740_993,
                    "items": [["sku": "a"], ["sku": "b"]], "url": "https://example.com/shop?q=1",
                    "time": "2026-01-01T11:59:00Z", "epoch": 1_767_268_740, "epochMs": "1767268740000",
                    "notATime": "yesterday", "negative": -3,
                ],
            ],
            .session: ["id": "s-1", "duration": 900_000_000],
            .memory: ["step": ["result": "ok"]],
        ],
        nowMicros: noon
    )
}
