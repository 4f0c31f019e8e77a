/// What an access token may do: one of three roles, each a fixed set of ``Permission``s.
///
/// | permission           | admin | auditor | reader |
/// |----------------------|-------|---------|--------|
/// | `readProfiles`       | yes   | yes     | yes    |
/// | `readChanges`        | yes   | yes     | yes    |
/// | `readTrails`         | yes   | yes     | no     |
/// | `readConfiguration`  | yes   | yes     | no     |
/// | `writeConfiguration` | yes   | no      | no     |
/// | `replay`             | yes   | no      | no     |
/// | `manageDestinations` | yes   | no      | no     |
///
/// The raw value is the role's name in the tokens file and on the command line.
public enum Role: String, CaseIterable, Sendable {
    /// Everything.
    case admin
    /// Reads everything, event trails included; changes nothing.
    case auditor
    /// Reads profiles and the change log only.
    case reader

    /// Whether this role grants `permission`. Pure; every pair is decided here, so a new
    /// permission does not compile until each role's answer is written down.
    public func allows(_ permission: Permission) -> Bool {
        switch (self, permission) {
        case (.admin, _): true
        case (.auditor, .readProfiles), (.auditor, .readChanges), (.auditor, .readTrails), (.auditor, .readConfiguration): true
        case (.auditor, .writeConfiguration), (.auditor, .replay), (.auditor, .manageDestinations): false
        case (.reader, .readProfiles), (.reader, .readChanges): true
        case (.reader, .readTrails), (.reader, .readConfiguration), (.reader, .writeConfiguration), (.reader, .replay),
             (.reader, .manageDestinations): false
        }
    }

    /// The permissions this role grants, in declaration order.
    public var permissions: [Permission] { Permission.allCases.filter(allows) }
}

/// One thing the admin API can be asked to do. Reads never change state; the last three do.
public enum Permission: String, CaseIterable, Sendable {
    /// Read profiles: their traits, identifiers, consents, segments and sessions.
    case readProfiles
    /// Read the change log (what the projector changed, event by event).
    case readChanges
    /// Read event trails: the events in the log behind a profile, as they were received.
    case readTrails
    /// Read the configuration objects and their history (credentials stay sealed).
    case readConfiguration
    /// Create, change, enable, disable or delete configuration objects.
    case writeConfiguration
    /// Rebuild the projections from the event log.
    case replay
    /// Add, change, pause or remove destinations and the resources they use.
    case manageDestinations
}
