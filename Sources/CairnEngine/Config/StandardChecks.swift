import CairnLogic
import CairnModel

/// The checks the command line makes before recording configuration, beyond each object's own
/// validation: a segment's and a destination's condition must parse in the condition language
/// (`Condition(parsing:)`), and a workflow's graph must pass the logic module's
/// `Workflow.validate(registry:)` (registered actions and their ports and configurations, one
/// start node, no cycle, every node reachable).
public struct StandardChecks: ConfigurationChecks {
    public let registry: ActionRegistry

    public init(registry: ActionRegistry = .builtIn) {
        self.registry = registry
    }

    public func check(_ object: ConfigurationObject) throws(ConfigurationError) {
        switch object {
        case .workflow(let workflow):
            do {
                _ = try Workflow(json: .object(workflow.logicJSON)).validate(registry: registry)
            } catch {
                throw ConfigurationError(.invalidObject, kind: .workflow, id: workflow.id, field: "graph", error.message)
            }
        case .segment(let segment):
            try checkCondition(segment.condition, kind: .segment, id: segment.id)
        case .destination(let destination) where !destination.condition.allSatisfy(\.isWhitespace):
            try checkCondition(destination.condition, kind: .destination, id: destination.id)
        default:
            break
        }
    }

    private func checkCondition(_ text: String, kind: ConfigurationKind, id: String) throws(ConfigurationError) {
        do {
            _ = try Condition(parsing: text)
        } catch {
            throw ConfigurationError(.invalidObject, kind: kind, id: id, field: "condition", error.message)
        }
    }
}
