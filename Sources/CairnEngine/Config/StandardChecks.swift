/// The checks the command line and the server make before recording configuration: each
/// object's own validation, and the parts written in the logic module's languages.
public struct StandardChecks: ConfigurationChecks {
    public init() {}

    public func check(_ object: ConfigurationObject) throws(ConfigurationError) {}
}
