import CairnEngine
import Foundation

/// `cairn serve --demo`: a demo configuration on the data directory, made once (a REST source
/// with a random id, routing rules, workflows, segments, an identification point, a consent
/// type), a fresh admin token named `demo`, and ready-to-paste curl examples.
enum ServeDemo {
    static let sourceName = "Demo web site"

    /// The configuration beside the source `sourceID`, in the form of configuration files.
    static func configuration(sourceID: String) -> String {
        """
        - kind: consent-type
          name: Marketing
          auto_revoke: 365d
        - kind: identification-point
          id: sign-in
          name: Sign-in by e-mail
          source_id: \(sourceID)
          event_type: sign-in
          fields:
            - {event_property: properties.email, profile_field: email}
        - kind: workflow
          id: welcome
          name: Welcome new visitors
          graph:
            nodes:
              - {id: start, action: start}
              - {id: first, action: if, config: {condition: "profile@stats.views == 1"}}
              - {id: hello, action: add-ux-item, config: {type: message, content: "Welcome to the demo shop!"}}
              - {id: offer, action: set-response, config: {key: offer, value: "10% off your first order"}}
            edges:
              - {from: start, to: first}
              - {from: first, fromPort: "true", to: hello}
              - {from: hello, to: offer}
        - kind: workflow
          id: purchases
          name: Count purchases and spend
          graph:
            nodes:
              - {id: start, action: start}
              - {id: count, action: increment-field, config: {field: profile@stats.counters.orders}}
              - {id: spend, action: calculator, config: {expression: "profile@traits.spend + event@properties.total", to: profile@traits.spend}}
              - {id: first-spend, action: copy-data, config: {from: event@properties.total, to: profile@traits.spend}}
              - {id: thanks, action: set-response, config: {key: thanks, value: "Thank you for your order"}}
            edges:
              - {from: start, to: count}
              - {from: count, to: spend}
              - {from: spend, to: thanks}
              - {from: spend, fromPort: error, to: first-spend}
              - {from: first-spend, to: thanks}
        - kind: routing-rule
          id: page-views
          name: Page views
          event_type: page-view
          source_id: \(sourceID)
          workflow_id: welcome
        - kind: routing-rule
          id: purchases
          name: Purchases
          event_type: purchase
          source_id: \(sourceID)
          workflow_id: purchases
        - kind: segment
          name: Frequent visitors
          condition: "profile@stats.views >= 3"
        - kind: segment
          name: Buyers
          condition: "profile@stats.counters.orders >= 1"
          event_types: [purchase]
        """
    }

    /// Makes the demo source (once) and applies the demo configuration; returns the source id.
    static func prepare(dataDirectory: String, store: ConfigurationStore) async throws -> String {
        let state = try await store.state()
        let existing = state.entries(of: .eventSource).first { entry in
            if case .eventSource(let source) = entry.object { return source.name == sourceName }
            return false
        }
        let sourceID: String
        if let existing {
            sourceID = existing.object.key.id
        } else {
            sourceID = ConfigurationID.random()
            try await store.commit([.create(.eventSource(EventSourceDefinition(id: sourceID, name: sourceName, bridge: .rest)))],
                                   author: "cairn serve --demo", checks: StandardChecks())
        }
        let objects = try ConfigurationFiles.objects(in: Array(configuration(sourceID: sourceID).utf8), json: false)
        let changes = try objects.map { ConfigurationChange.put(try ConfigurationObject(json: $0)) }
        try await store.commit(changes, author: "cairn serve --demo", checks: StandardChecks())
        return sourceID
    }

    /// A fresh admin token named `demo` (the previous one, if any, is revoked).
    static func token(dataDirectory: String) throws -> String {
        let tokens = try AccessTokens.open(dataDirectory: dataDirectory)
        if try tokens.list().contains(where: { $0.name == "demo" }) { try tokens.revoke(name: "demo") }
        return try tokens.create(name: "demo", role: .admin)
    }

    static func examples(host: String, port: Int, sourceID: String, token: String) -> String {
        let base = "http://\(host):\(port)"
        func track(_ profile: String, _ events: String) -> String {
            "curl -s -X POST \(base)/track -d '{\"source\":{\"id\":\"\(sourceID)\"},\"session\":{\"id\":\"s-\(profile)\"},\"profile\":{\"id\":\"\(profile)\"},\"events\":[\(events)]}'"
        }
        return """

            Demo source \(sourceID); admin token (shown once) \(token)
            Try, in another terminal:

              # a first page view: the reply carries a UX message and an offer
              \(track("visitor-1", #"{"type":"page-view","properties":{"url":"/"}}"#))
              # a purchase: counted on the profile, the Buyers segment entered
              \(track("visitor-1", #"{"type":"purchase","properties":{"total":49.5}}"#))
              # a second device signs in with the same e-mail as the first: the profiles merge
              \(track("visitor-1", #"{"type":"sign-in","properties":{"email":"ada@example.com"}}"#))
              \(track("phone-1", #"{"type":"sign-in","properties":{"email":"ada@example.com"}}"#))
              # the profile (phone-1 resolves to visitor-1), and the change log as it grows
              curl -s -H 'Authorization: Bearer \(token)' \(base)/profiles/phone-1
              curl -s -N -H 'Authorization: Bearer \(token)' '\(base)/changes/stream?from=0'

            """
    }
}
