import CairnModel

/// A field path of a ``ComplianceRule``, read for the ``IngestGate``.
///
/// Syntax: dotted object keys, `SECTION.KEY[.KEY…]`, where `SECTION` is `properties`, `context`
/// or `personal`. Keys are literal (a key holding a dot cannot be named) and arrays are not
/// entered. `properties.K…` and `context.K…` name the field as the client sent it: the member
/// in that section and also the same member under `personal.properties.K…` or
/// `personal.context.K…`, where the ``PersonalDataPolicy`` moves personal fields at ingest.
/// `personal.K…` names the member of the personal block only. A path with another first key,
/// or a section name alone, names nothing.
struct CompliancePath: Sendable, Equatable {
    /// Key paths from the top of the event: the first key is the section.
    let targets: [[String]]

    init(_ text: String) {
        let keys = text.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        guard keys.count >= 2, !keys.contains(where: \.isEmpty) else {
            targets = []
            return
        }
        switch keys[0] {
        case "properties", "context": targets = [keys, ["personal"] + keys]
        case "personal": targets = [keys]
        default: targets = []
        }
    }

    /// Applies `action` at every target of the path in `event`; returns whether anything changed
    /// (a member that is absent, or under something that is not an object, is left alone).
    func apply(_ action: ComplianceRule.Action, to event: inout Event) -> Bool {
        var changed = false
        for target in targets {
            let rest = Array(target.dropFirst())
            switch target[0] {
            case "properties": changed = Self.apply(action, at: rest[...], in: &event.properties) || changed
            case "context": changed = Self.apply(action, at: rest[...], in: &event.context) || changed
            default:
                changed = Self.apply(action, at: rest[...], in: &event.personal) || changed
                // The personal block holds only non-empty sections (see `Event.personal`).
                for section in ["properties", "context"] where event.personal[section]?.objectValue?.isEmpty == true {
                    event.personal[section] = nil
                }
            }
        }
        return changed
    }

    private static func apply(_ action: ComplianceRule.Action, at path: ArraySlice<String>, in object: inout JSONObject) -> Bool {
        guard let key = path.first, let value = object[key] else { return false }
        if path.count > 1 {
            guard case .object(var inner) = value else { return false }
            guard apply(action, at: path.dropFirst(), in: &inner) else { return false }
            object[key] = .object(inner)
            return true
        }
        switch action {
        case .remove: object[key] = nil
        case .hash: object[key] = .string(hashed(value))
        }
        return true
    }

    /// The SHA-256 hex of a value: a string's UTF-8 bytes, any other value's canonical JSON text
    /// (the `hash` workflow action's rule, without a salt).
    static func hashed(_ value: JSONValue) -> String {
        if case .string(let text) = value { return SHA256Hex.digest(Array(text.utf8)) }
        return SHA256Hex.digest(value.serialized())
    }
}
