import CairnModel

/// Text with holes: `Hello {{profile@traits.name}}, your order {{event@properties.id}}`.
///
/// Each hole holds one field reference (spaces around it are allowed). When rendered, a string
/// goes in as it is, a missing field or null as nothing, any other value as its canonical JSON.
/// There is no escape for a literal `{{`; text cannot contain one.
public struct Template: Sendable, Equatable {
    public enum Part: Sendable, Equatable {
        case text(String)
        case hole(FieldReference)
    }

    public let parts: [Part]

    /// Parses `text`.
    ///
    /// - Throws: ``LogicError`` `invalidReference` for a `{{` without `}}` or a hole that is not
    ///   a field reference.
    public init(parsing text: String) throws(LogicError) {
        var parts: [Part] = []
        var rest = Substring(text)
        while let open = rest.firstRange(of: "{{") {
            if open.lowerBound > rest.startIndex { parts.append(.text(String(rest[..<open.lowerBound]))) }
            guard let close = rest[open.upperBound...].firstRange(of: "}}") else {
                throw LogicError(.invalidReference, "'{{' without '}}' in template '\(text)'")
            }
            let inside = rest[open.upperBound..<close.lowerBound].trimmingCharacters(in: " ")
            parts.append(.hole(try FieldReference(parsing: inside)))
            rest = rest[close.upperBound...]
        }
        if !rest.isEmpty { parts.append(.text(String(rest))) }
        self.parts = parts
    }

    /// The references in the holes, in order.
    public var references: [FieldReference] {
        parts.compactMap { part in
            if case .hole(let reference) = part { return reference }
            return nil
        }
    }

    /// The text with every hole filled from `context`, charging one step per 64 bytes made.
    ///
    /// - Throws: ``LogicError`` `limitExceeded` when the text grows past
    ///   ``WorkflowLimits/textBytesMax`` or the run's steps run out.
    public func render(in context: inout ActionContext) throws(LogicError) -> String {
        var result = ""
        for part in parts {
            switch part {
            case .text(let text): result += text
            case .hole(let reference): result += context.value(of: reference)?.plainText ?? ""
            }
            if result.utf8.count > context.limits.textBytesMax {
                throw LogicError(.limitExceeded, "node '\(context.nodeID)': a template made more than \(context.limits.textBytesMax) bytes")
            }
        }
        try context.charge(steps: 1 + result.utf8.count / 64)
        return result
    }
}

extension Substring {
    /// This text without `character` at either end.
    func trimmingCharacters(in character: Character) -> String {
        var text = self
        while text.first == character { text.removeFirst() }
        while text.last == character { text.removeLast() }
        return String(text)
    }
}
