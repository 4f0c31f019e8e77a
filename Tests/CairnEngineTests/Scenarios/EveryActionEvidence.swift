import CairnModel
@testable import CairnEngine

/// What in the change log shows that an action ran in the workflows of
/// `Configuration/every-action/` (each action's own field, or the effect its node requested).
/// Every built-in action must have an entry: a new action without one fails the test.
struct Evidence: Sendable {
    let description: String
    let holds: @Sendable ([Change]) -> Bool

    /// A profile change sets `path` to a value (not null).
    static func sets(_ path: String, where accepted: @escaping @Sendable (JSONValue) -> Bool = { _ in true }) -> Evidence {
        Evidence(description: "a profile change sets \(path)") { changes in
            sides(of: path, in: changes, kinds: profileKinds).contains { $0.after.map { !$0.isNull && accepted($0) } ?? false }
        }
    }

    /// A profile change removes `path`.
    static func removes(_ path: String) -> Evidence {
        Evidence(description: "a profile change removes \(path)") { changes in
            sides(of: path, in: changes, kinds: profileKinds).contains { $0.before != nil && $0.after == nil && !$0.partial }
        }
    }

    /// A profile change makes the number at `path` larger (`grows`) or smaller, or the array shorter.
    static func changes(_ path: String, grows: Bool) -> Evidence {
        Evidence(description: "a profile change makes \(path) \(grows ? "larger" : "smaller")") { changes in
            sides(of: path, in: changes, kinds: profileKinds).contains { side in
                guard !side.partial, let before = side.before, let after = side.after else { return false }
                if let old = before.doubleValue, let new = after.doubleValue { return grows ? new > old : new < old }
                if let old = before.arrayValue, let new = after.arrayValue { return grows ? new.count > old.count : new.count < old.count }
                return false
            }
        }
    }

    /// A profile change adds `element` to the array at `path` (`adds`) or takes it out.
    static func segments(_ element: String, adds: Bool) -> Evidence {
        Evidence(description: "a profile change \(adds ? "adds \(element) to" : "removes \(element) from") segments") { changes in
            sides(of: "segments", in: changes, kinds: profileKinds).contains { side in
                let had = side.before?.arrayValue?.contains(.string(element)) ?? false
                let has = side.after?.arrayValue?.contains(.string(element)) ?? false
                return !side.partial && (adds ? !had && has : had && !has)
            }
        }
    }

    /// A session change sets `path`.
    static func session(_ path: String) -> Evidence {
        Evidence(description: "a session change sets \(path)") { changes in
            sides(of: path, in: changes, kinds: [.sessionOpened, .sessionUpdated]).contains { $0.after != nil }
        }
    }

    /// A `workflow.effect` of `workflow` requested by its node `node`, of the request type `type`.
    static func effect(_ workflow: String, node: String, type: String) -> Evidence {
        Evidence(description: "workflow \(workflow) node \(node) requests \(type)") { changes in
            changes.contains { change in
                guard change.kind == .workflowEffect, change.id == workflow, let request = change.fields.first?.after else { return false }
                return request["node"] == .string(node) && request["type"] == .string(type)
            }
        }
    }

    private static let profileKinds: Set<Change.Kind> = [.profileCreated, .profileUpdated]

    /// What changes of `kinds` say about `path`: a field at the path itself, or above it (the
    /// path's value read from the field's), or below it (`partial`: only part of the value).
    static func sides(of path: String, in changes: [Change], kinds: Set<Change.Kind>) -> [(before: JSONValue?, after: JSONValue?, partial: Bool)] {
        var found: [(before: JSONValue?, after: JSONValue?, partial: Bool)] = []
        for change in changes where kinds.contains(change.kind) {
            for field in change.fields {
                if field.path == path {
                    found.append((field.before, field.after, false))
                } else if field.path.isEmpty || path.hasPrefix(field.path + ".") {
                    let rest = field.path.isEmpty ? path : String(path.dropFirst(field.path.count + 1))
                    found.append((field.before?.value(atDotPath: rest), field.after?.value(atDotPath: rest), false))
                } else if field.path.hasPrefix(path + ".") {
                    found.append((field.before, field.after, true))
                }
            }
        }
        return found
    }
}

enum EveryActionEvidence {
    /// Each built-in action's evidence. Actions that only branch or pass values on show through
    /// the node on the port they take; `start` and `end` through their neighbours.
    static let byAction: [String: Evidence] = [
        "start": .sets("traits.last-type"),  // the node after visits.start
        "end": .sets("traits.weekday"),  // visits.done is reached from day-of-week by either port
        "join": .sets("traits.gathered"),
        "if": .sets("traits.big-spender"),
        "copy-data": .sets("traits.chosen-plan"),
        "map-data": .sets("traits.last-order.sku"),
        "set-field": .sets("traits.last-type"),
        "increment-field": .sets("stats.counters.orders"),
        "decrement-field": .sets("traits.budget") { ($0.doubleValue ?? 0) < 0 },
        "append-to-array": .changes("traits.cart", grows: true),
        "remove-from-array": .changes("traits.cart", grows: false),
        "delete-field": .removes("traits.abandoned"),
        "add-segment": .segments("buyers", adds: true),
        "remove-segment": .segments("buyers", adds: false),
        "add-interest": .sets("interests.browsing"),
        "increase-interest": .changes("interests.shopping", grows: true),
        "decrease-interest": .changes("interests.shopping", grows: false),
        "grant-consent": .sets("consents.loyalty.revoke"),
        "revoke-consent": .removes("consents.loyalty.revoke"),  // the diff reports an object removed by its leaves
        "require-consent": .sets("traits.loyal-buyer"),
        "merge-profiles": .effect("identities", node: "merge", type: "merge-profiles"),
        "update-session": .session("utm.campaign"),
        "template": .sets("traits.last-template") { $0.stringValue?.hasPrefix("page-view /") == true },
        "text-trim": .sets("traits.query") { $0.stringValue?.first?.isWhitespace == false },
        "text-lowercase": .sets("traits.query-lower") { $0.stringValue == $0.stringValue?.lowercased() },
        "text-uppercase": .sets("traits.query-upper") { $0.stringValue == $0.stringValue?.uppercased() },
        "text-split": .sets("traits.query-words") { ($0.arrayValue?.count ?? 0) > 1 },
        "text-join": .sets("traits.query-joined") { $0.stringValue?.contains("+") == true },
        "calculator": .sets("traits.last-total"),
        "regex-match": .sets("traits.sku-valid"),
        "regex-extract": .sets("traits.sku-number"),
        "regex-replace": .sets("traits.sku-masked") { $0.stringValue?.hasPrefix("SKU-#") == true },
        "date-offset": .sets("traits.renewal"),
        "date-format": .sets("traits.last-day"),
        "day-of-week": .sets("traits.weekday"),
        "hash": .sets("traits.email-hash") { $0.stringValue?.utf8.count == 64 },
        "mask": .sets("traits.email-masked") { $0.stringValue?.contains("*") == true },
        "has-segment": .sets("traits.returning-buyer"),
        "new-profile": .sets("traits.first-type"),
        "new-visit": .sets("traits.entry-page"),
        "previous-event": .sets("traits.no-previous-event"),
        "previous-session": .sets("traits.no-previous-session"),
        "once-per-profile": .effect("visits", node: "welcome", type: "ux"),
        "threshold": .sets("stats.counters.streaks"),
        "emit-event": .effect("orders", node: "announce", type: "emit-event"),
        "add-ux-item": .effect("visits", node: "welcome", type: "ux"),
        "set-response": .effect("orders", node: "offer", type: "response"),
        "send-to-destination": .effect("orders", node: "crm", type: "send-to-destination"),
        "remote-call": .effect("orders", node: "geo", type: "remote-call"),
    ]
}
