import CairnModel

/// Counts of the gate's decisions, for summaries: accepted events and what was done to them,
/// rejected events by reason.
public struct IngestTally: Sendable, Equatable {
    public private(set) var accepted = 0
    /// Accepted events kept in their consent form.
    public private(set) var consentWithheld = 0
    /// Accepted events from an ephemeral source.
    public private(set) var ephemeral = 0
    /// Compliance rule id → accepted events the rule changed.
    public private(set) var complianceRules: SortedMap<Int> = [:]
    /// Reason name → rejected events.
    public private(set) var rejections: SortedMap<Int> = [:]

    public init() {}

    public var rejected: Int { rejections.values.reduce(0, +) }

    public mutating func count(_ decision: IngestDecision) {
        switch decision {
        case .accept(let acceptance):
            accepted += 1
            if acceptance.consentWithheld { consentWithheld += 1 }
            if acceptance.ephemeral { ephemeral += 1 }
            for id in acceptance.complianceRuleIDs { complianceRules[id] = (complianceRules[id] ?? 0) + 1 }
        case .reject(let rejection):
            rejections[rejection.reason.name] = (rejections[rejection.reason.name] ?? 0) + 1
        }
    }

    /// The summary, one outcome per line, in a fixed order:
    ///
    /// ```
    /// accepted 1998
    ///   kept in consent form (consent missing) 3
    ///   changed by compliance rule "mask-email" 40
    /// rejected 2 (to the dead-letter log)
    ///   unknown-source 2
    /// ```
    public var lines: [String] {
        var lines = ["accepted \(accepted)"]
        if consentWithheld > 0 { lines.append("  kept in consent form (consent missing) \(consentWithheld)") }
        if ephemeral > 0 { lines.append("  from an ephemeral source \(ephemeral)") }
        for entry in complianceRules.entries { lines.append("  changed by compliance rule \(quoted(entry.key)) \(entry.value)") }
        lines.append("rejected \(rejected)" + (rejected > 0 ? " (to the dead-letter log)" : ""))
        for entry in rejections.entries { lines.append("  \(entry.key) \(entry.value)") }
        return lines
    }
}
