import CairnLogic
import CairnModel

/// The checks the command line makes before recording configuration, beyond each object's own
/// validation: a workflow's graph must pass the logic module's `Workflow.validate(registry:)`
/// (registered actions and their ports and configurations, one start node, no cycle, every node
/// reachable).
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
        default:
            break
        }
    }
}
