import CairnEngine
import Synchronization

/// The resources as currently configured, for deliveries: seeded from the configuration at
/// start, then kept current from the configuration records the dispatcher finds in the change
/// log. A delivery always uses the resource's latest version, so a moved endpoint or rotated
/// credentials apply to the retries of changes already waiting. Thread-safe.
final class ResourceDirectory: Sendable {
    private struct Known {
        var version: UInt64
        /// Nil once deleted.
        var resource: Resource?
    }

    private let known = Mutex<[String: Known]>([:])

    init(_ state: ConfigurationState) {
        known.withLock { known in
            for entry in state.entries(of: .resource) {
                if case .resource(let resource) = entry.object { known[resource.id] = Known(version: entry.version, resource: resource) }
            }
        }
    }

    /// Takes in a resource's configuration record, unless a later version is known already.
    func apply(_ record: ConfigurationRecord) {
        guard record.key.kind == .resource else { return }
        known.withLock { known in
            guard record.version > known[record.key.id]?.version ?? 0 else { return }
            var resource: Resource?
            if case .resource(let value)? = record.object { resource = value }
            known[record.key.id] = Known(version: record.version, resource: resource)
        }
    }

    func resource(_ id: String) -> Resource? {
        known.withLock { $0[id]?.resource }
    }
}
