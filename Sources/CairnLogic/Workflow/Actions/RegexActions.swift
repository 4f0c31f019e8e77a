import CairnModel

// Regular-expression actions (see `BoundedRegex` for the syntax). The text is read from `from`
// (default `payload@`) as the text operations read it, and is at most
// `WorkflowLimits.textBytesMax` bytes; matching is linear in the text and its steps count
// against the run's `stepsMax`.

/// The config every regex action shares: `pattern` (required), `ignoreCase` (Boolean, default
/// false), `from` (reference, default `payload@`).
struct RegexConfig: Sendable {
    let regex: BoundedRegex
    let from: FieldReference

    init(config: ActionConfig) throws(LogicError) {
        let pattern = try config.string("pattern")
        let ignoreCase = try config.bool("ignoreCase", default: false)
        do {
            regex = try BoundedRegex(pattern, ignoreCase: ignoreCase)
        } catch {
            throw config.error("pattern", error.message)
        }
        from = try config.reference("from", default: "payload@")
    }

    /// The input as scalars, or nil when `from` points at nothing.
    func input(in context: inout ActionContext) throws(LogicError) -> [Unicode.Scalar]? {
        guard let value = context.value(of: from) else { return nil }
        return Array(try TextOperation.text(of: value, in: &context).unicodeScalars)
    }

    /// Every match from `start` on (at most `limit`), charging the steps taken.
    func matches(in text: [Unicode.Scalar], limit: Int, context: inout ActionContext) throws(LogicError) -> [[Range<Int>?]] {
        var budget = context.limits.stepsMax - context.stepsUsed
        let before = budget
        var found: [[Range<Int>?]] = []
        var start = 0
        do {
            while found.count < limit, start <= text.count, let match = try regex.firstMatch(in: text, from: start, budget: &budget) {
                found.append(match)
                let whole = match[0]!
                start = whole.isEmpty ? whole.upperBound + 1 : whole.upperBound
            }
        } catch {
            throw LogicError(.limitExceeded, "node '\(context.nodeID)': the pattern took more than the run's \(context.limits.stepsMax) steps")
        }
        try context.charge(steps: before - budget)
        return found
    }

    static func string(_ text: [Unicode.Scalar], _ range: Range<Int>?) -> JSONValue {
        guard let range else { return .null }
        var view = String.UnicodeScalarView()
        view.append(contentsOf: text[range])
        return .string(String(view))
    }
}

/// `regex-match`: branches on whether the text matches.
///
/// Config: `pattern`, `ignoreCase`, `from`. Ports out: `true` with `{"match": whole match,
/// "groups": [group 1, …]}` (null for a group that took no part), `false` with the payload
/// (also when `from` points at nothing).
public struct RegexMatchAction: WorkflowAction {
    public static let name = "regex-match"
    public static let summary = "Branches on whether a text matches a regular expression."
    public static let outputPorts = ["true", "false"]

    let config: RegexConfig

    public init(config: ActionConfig) throws(LogicError) {
        self.config = try RegexConfig(config: config)
    }

    public func run(_ context: inout ActionContext) throws(LogicError) -> ActionOutput {
        guard let text = try config.input(in: &context), let match = try config.matches(in: text, limit: 1, context: &context).first else {
            return .on("false", context.payload)
        }
        return .on("true", ["match": RegexConfig.string(text, match[0]), "groups": .array(match.dropFirst().map { RegexConfig.string(text, $0) })])
    }
}

/// `regex-extract`: takes a group of the first match, or of every match, out of the text.
///
/// Config: `pattern`, `ignoreCase`, `from`, `group` (integer, default 0: the whole match),
/// `all` (Boolean, default false: an array of every match's group, at most 1,000), `to`
/// (writable reference, optional). Ports out: `payload` with the string (or array);
/// `missing` when nothing matched or `from` points at nothing.
public struct RegexExtractAction: WorkflowAction {
    public static let name = "regex-extract"
    public static let summary = "Extracts a group of the first or every match of a regular expression."
    public static let outputPorts = ["payload", "missing"]

    let config: RegexConfig
    let group: Int
    let all: Bool
    let to: FieldReference?

    public init(config: ActionConfig) throws(LogicError) {
        self.config = try RegexConfig(config: config)
        group = Int(try config.integer("group", in: 0...Int64(self.config.regex.groupCount), default: 0))
        all = try config.bool("all", default: false)
        to = try config.optionalWritableReference("to")
    }

    public func run(_ context: inout ActionContext) throws(LogicError) -> ActionOutput {
        guard let text = try config.input(in: &context) else { return .on("missing", context.payload) }
        let matches = try config.matches(in: text, limit: all ? 1_000 : 1, context: &context)
        guard !matches.isEmpty else { return .on("missing", context.payload) }
        let result = all ? .array(matches.map { RegexConfig.string(text, $0[group]) }) : RegexConfig.string(text, matches[0][group])
        if let to { try context.set(to, to: result) }
        return .on("payload", result)
    }
}

/// `regex-replace`: replaces matches in the text.
///
/// Config: `pattern`, `ignoreCase`, `from`, `replacement` (string, required; `$0`…`$9` put in
/// a group, `$$` a dollar sign), `all` (Boolean, default true: every match; false: the first),
/// `to` (writable reference, optional). Ports out: `payload` with the new text; `missing` when
/// `from` points at nothing.
public struct RegexReplaceAction: WorkflowAction {
    public static let name = "regex-replace"
    public static let summary = "Replaces the matches of a regular expression in a text."
    public static let outputPorts = ["payload", "missing"]

    enum Piece: Sendable {
        case text([Unicode.Scalar])
        case group(Int)
    }

    let config: RegexConfig
    let replacement: [Piece]
    let all: Bool
    let to: FieldReference?

    public init(config: ActionConfig) throws(LogicError) {
        self.config = try RegexConfig(config: config)
        guard let text = try config.optionalString("replacement") else { throw config.error("replacement", "is required (a string)") }
        var pieces: [Piece] = []
        var literal: [Unicode.Scalar] = []
        var scalars = text.unicodeScalars.makeIterator()
        while let scalar = scalars.next() {
            guard scalar == "$" else {
                literal.append(scalar)
                continue
            }
            guard let next = scalars.next() else { throw config.error("replacement", "'$' at the end; write '$$' for a dollar sign") }
            if next == "$" {
                literal.append("$")
            } else if ("0"..."9").contains(next), Int(next.value - 48) <= self.config.regex.groupCount {
                if !literal.isEmpty { pieces.append(.text(literal)) }
                literal = []
                pieces.append(.group(Int(next.value - 48)))
            } else {
                throw config.error("replacement", "'$\(next)' names no group of the pattern (it has \(self.config.regex.groupCount))")
            }
        }
        if !literal.isEmpty { pieces.append(.text(literal)) }
        replacement = pieces
        all = try config.bool("all", default: true)
        to = try config.optionalWritableReference("to")
    }

    public func run(_ context: inout ActionContext) throws(LogicError) -> ActionOutput {
        guard let text = try config.input(in: &context) else { return .on("missing", context.payload) }
        let matches = try config.matches(in: text, limit: all ? text.count + 1 : 1, context: &context)
        var view = String.UnicodeScalarView()
        var position = 0
        for match in matches {
            let whole = match[0]!
            view.append(contentsOf: text[position..<whole.lowerBound])
            for piece in replacement {
                switch piece {
                case .text(let scalars): view.append(contentsOf: scalars)
                case .group(let group): if let range = match[group] { view.append(contentsOf: text[range]) }
                }
            }
            position = whole.upperBound
        }
        view.append(contentsOf: text[position...])
        let result = JSONValue.string(try TextOperation.text(of: .string(String(view)), in: &context))
        if let to { try context.set(to, to: result) }
        return .on("payload", result)
    }
}
