import CairnLogic
import CairnModel

/// A destination's `mapping`: a JSON object whose string values may hold `{{profile@traits.email}}`
/// holes (CairnLogic's `Template`), rendered into the body a destination sends.
///
/// - A string that is exactly one hole (`"{{profile@stats.views}}"`) becomes the referenced value
///   itself, of its own JSON type (an object stays an object, a number a number); null when the
///   field is missing.
/// - Any other string with holes becomes text: each hole is filled with the value as text
///   (a string as it is, a missing field or null as nothing, anything else as canonical JSON),
///   as a workflow's templates do.
/// - Keys, numbers, booleans and null are kept as written; arrays and objects are walked.
///
/// Pure: rendering reads only the context given. An empty mapping renders nothing (the caller
/// then sends the change itself).
struct MappingTemplate: Sendable {
    indirect enum Node: Sendable {
        case literal(JSONValue)
        case value(FieldReference)
        case text(Template)
        case array([Node])
        case object([(key: String, node: Node)])
    }

    let root: Node
    let isEmpty: Bool

    /// Compiles `mapping`.
    ///
    /// - Throws: ``LogicError`` `invalidReference` naming the JSON path of a string whose holes
    ///   do not parse.
    init(_ mapping: JSONObject) throws(LogicError) {
        isEmpty = mapping.isEmpty
        root = try Self.compile(.object(mapping), path: "mapping")
    }

    /// The body for `context`; nil for an empty mapping.
    func render(_ context: some ConditionContext) -> JSONValue? {
        // Not `nil` in a conditional expression: JSONValue is expressible by a nil literal (null).
        guard !isEmpty else { return Optional.none }
        return Self.render(root, context)
    }

    /// Every reference in a hole, in document order.
    var references: [FieldReference] {
        var found: [FieldReference] = []
        func walk(_ node: Node) {
            switch node {
            case .literal: break
            case .value(let reference): found.append(reference)
            case .text(let template): found += template.references
            case .array(let nodes): nodes.forEach(walk)
            case .object(let members): members.forEach { walk($0.node) }
            }
        }
        walk(root)
        return found
    }

    private static func compile(_ value: JSONValue, path: String) throws(LogicError) -> Node {
        switch value {
        case .string(let text):
            guard text.contains("{{") else { return .literal(value) }
            let template: Template
            do {
                template = try Template(parsing: text)
            } catch {
                throw LogicError(error.code, "\(path): \(error.message)")
            }
            if template.parts.count == 1, case .hole(let reference) = template.parts[0] { return .value(reference) }
            return .text(template)
        case .array(let elements):
            var nodes: [Node] = []
            for (index, element) in elements.enumerated() { nodes.append(try compile(element, path: "\(path)[\(index)]")) }
            return .array(nodes)
        case .object(let object):
            var members: [(key: String, node: Node)] = []
            for entry in object.entries { members.append((entry.key, try compile(entry.value, path: "\(path).\(entry.key)"))) }
            return .object(members)
        default:
            return .literal(value)
        }
    }

    private static func render(_ node: Node, _ context: some ConditionContext) -> JSONValue {
        switch node {
        case .literal(let value):
            return value
        case .value(let reference):
            return context.value(of: reference) ?? .null
        case .text(let template):
            var text = ""
            for part in template.parts {
                switch part {
                case .text(let literal): text += literal
                case .hole(let reference): text += plainText(context.value(of: reference))
                }
            }
            return .string(text)
        case .array(let nodes):
            return .array(nodes.map { render($0, context) })
        case .object(let members):
            // The members come from a JSONObject, so they are in its key order already.
            return .object(JSONObject(trustedSortedEntries: members.map { .init(key: $0.key, value: render($0.node, context)) }))
        }
    }

    /// A value as a template hole shows it: a string as it is, missing or null as nothing,
    /// anything else as canonical JSON (CairnLogic's rule for workflow templates).
    static func plainText(_ value: JSONValue?) -> String {
        switch value {
        case nil, .null?: ""
        case .string(let text)?: text
        case let value?: value.description
        }
    }
}
