import CairnModel

/// One configuration object of any kind.
public enum ConfigurationObject: Sendable, Equatable {
    case eventSource(EventSourceDefinition)
    case routingRule(RoutingRule)
    case workflow(WorkflowDefinition)
    case segment(Segment)
    case consentType(ConsentType)
    case complianceRule(ComplianceRule)
    case identificationPoint(IdentificationPoint)
    case resource(Resource)
    case destination(Destination)

    /// Reads an object from its JSON form; its `kind` field names the kind.
    ///
    /// - Throws: ``ConfigurationError`` `invalidObject` naming the object and the field.
    public init(json: JSONObject) throws(ConfigurationError) {
        guard let name = json["kind"] else { throw ConfigurationError(.invalidObject, id: json["id"]?.stringValue, field: "kind", "is required") }
        guard let text = name.stringValue else { throw ConfigurationError(.invalidObject, id: json["id"]?.stringValue, field: "kind", "must be a string, not \(name)") }
        self = switch try ConfigurationKind(named: text) {
        case .eventSource: .eventSource(try EventSourceDefinition(json: json))
        case .routingRule: .routingRule(try RoutingRule(json: json))
        case .workflow: .workflow(try WorkflowDefinition(json: json))
        case .segment: .segment(try Segment(json: json))
        case .consentType: .consentType(try ConsentType(json: json))
        case .complianceRule: .complianceRule(try ComplianceRule(json: json))
        case .identificationPoint: .identificationPoint(try IdentificationPoint(json: json))
        case .resource: .resource(try Resource(json: json))
        case .destination: .destination(try Destination(json: json))
        }
    }

    /// The object as its kind's type.
    public var value: any ConfigurationValue {
        switch self {
        case .eventSource(let value): value
        case .routingRule(let value): value
        case .workflow(let value): value
        case .segment(let value): value
        case .consentType(let value): value
        case .complianceRule(let value): value
        case .identificationPoint(let value): value
        case .resource(let value): value
        case .destination(let value): value
        }
    }

    public var kind: ConfigurationKind { type(of: value).kind }
    public var id: String { value.id }
    public var name: String { value.name }
    public var key: ConfigurationKey { ConfigurationKey(kind, id) }
    public var json: JSONObject { value.json }
    public var references: [ConfigurationReference] { value.references }

    /// The JSON form, with credentials masked (see ``Resource/maskedJSON``): safe to show.
    public var maskedJSON: JSONObject {
        if case .resource(let resource) = self { return resource.maskedJSON }
        return json
    }

    public var enabled: Bool {
        get { value.enabled }
        set {
            switch self {
            case .eventSource(var value): value.enabled = newValue; self = .eventSource(value)
            case .routingRule(var value): value.enabled = newValue; self = .routingRule(value)
            case .workflow(var value): value.enabled = newValue; self = .workflow(value)
            case .segment(var value): value.enabled = newValue; self = .segment(value)
            case .consentType(var value): value.enabled = newValue; self = .consentType(value)
            case .complianceRule(var value): value.enabled = newValue; self = .complianceRule(value)
            case .identificationPoint(var value): value.enabled = newValue; self = .identificationPoint(value)
            case .resource(var value): value.enabled = newValue; self = .resource(value)
            case .destination(var value): value.enabled = newValue; self = .destination(value)
            }
        }
    }

    /// The object in canonical form, validated (see ``ConfigurationValue/normalized()``).
    public func normalized() throws(ConfigurationError) -> ConfigurationObject {
        switch self {
        case .eventSource(let value): .eventSource(try value.normalized())
        case .routingRule(let value): .routingRule(try value.normalized())
        case .workflow(let value): .workflow(try value.normalized())
        case .segment(let value): .segment(try value.normalized())
        case .consentType(let value): .consentType(try value.normalized())
        case .complianceRule(let value): .complianceRule(try value.normalized())
        case .identificationPoint(let value): .identificationPoint(try value.normalized())
        case .resource(let value): .resource(try value.normalized())
        case .destination(let value): .destination(try value.normalized())
        }
    }

    /// This object as it would be stored over `current` (see ``Resource/reconciled(with:key:)``;
    /// other kinds are stored as they are).
    func reconciled(with current: ConfigurationObject?, key: () throws(ConfigurationError) -> SecretKey) throws(ConfigurationError) -> ConfigurationObject {
        guard case .resource(let resource) = self else { return self }
        var stored: Resource?
        if case .resource(let existing)? = current { stored = existing }
        return .resource(try resource.reconciled(with: stored, key: key))
    }
}
