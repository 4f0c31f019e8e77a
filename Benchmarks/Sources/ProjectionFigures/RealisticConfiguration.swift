import CairnEngine
import CairnModel

/// The configuration of the realistic projection run: what a shop would keep in version control
/// and record with `cairn config apply`, written for the generated corpus (its three event
/// sources, its five event types and their properties, see `Tools/CairnCorpus`).
///
/// - 3 event sources (the corpus's `source.id`s), `rest` bridge;
/// - 2 consent types, 2 compliance rules on `identify` (the e-mail hashed and the last name
///   removed, unless the profile holds the consent named), 2 identification points (the login at
///   `identify`, the order number at `purchase`);
/// - 3 workflows of 8 to 10 nodes, run by 5 routing rules on `purchase`, `identify`,
///   `product-view` and `add-to-cart`;
/// - 10 segments on profile stats, traits, interests, consents, pii and other segments, 9 of them
///   re-evaluated only on some event types and 1 on every event.
///
/// Each workflow changes one field on every run it completes (`stats.counters.orders`,
/// `stats.counters.logins`, `stats.counters.browse`), so that its runs can be counted in the
/// change log (``runFields``).
enum RealisticConfiguration {
    /// The corpus's event sources.
    static let sourceIDs = ["cairn-web-store", "cairn-blog", "cairn-landing-pages"]

    /// Workflow id → the profile field path that every completed run of it changes.
    static let runFields: [(workflow: String, path: String)] = [
        ("purchase-flow", "stats.counters.orders"),
        ("identify-flow", "stats.counters.logins"),
        ("browse-flow", "stats.counters.browse"),
    ]

    /// The objects, in the order of the file.
    ///
    /// - Throws: ``ConfigurationError`` when the text does not read as configuration objects (a
    ///   mistake in this file).
    static func objects() throws -> [ConfigurationObject] {
        try ConfigurationFiles.objects(in: Array(yaml.utf8), json: false).map { try ConfigurationObject(json: $0) }
    }

    /// Everything in one YAML file, as `cairn config apply` reads it.
    static let yaml = #"""
        - {kind: event-source, id: cairn-web-store, name: Web store, bridge: rest}
        - {kind: event-source, id: cairn-blog, name: Blog, bridge: rest}
        - {kind: event-source, id: cairn-landing-pages, name: Landing pages, bridge: rest}

        - {kind: consent-type, name: Marketing, auto_revoke: 365d}
        - {kind: consent-type, name: Personalization, revokable: true, default_value: deny}

        - kind: compliance-rule
          id: hash-email
          name: Hash e-mail addresses without a marketing consent
          event_type: identify
          fields: [properties.email]
          action: hash
          consents: [marketing]
        - kind: compliance-rule
          id: drop-last-name
          name: Drop last names without a personalization consent
          event_type: identify
          fields: [properties.lastname]
          action: remove
          consents: [personalization]

        - kind: identification-point
          id: login
          name: Sign-in by login
          event_type: identify
          fields: [{event_property: properties.login, profile_field: login}]
        - kind: identification-point
          id: order-number
          name: Orders placed in the web store
          source_id: cairn-web-store
          event_type: purchase
          fields: [{event_property: properties.order_id, profile_field: order}]

        - kind: workflow
          id: purchase-flow
          name: Purchase
          graph:
            nodes:
              - {id: start, action: start}
              - {id: count, action: increment-field, config: {field: profile@stats.counters.orders}}
              - {id: spend, action: calculator,
                 config: {expression: profile@traits.lifetime_value + event@properties.total, to: profile@traits.lifetime_value}}
              - {id: first-spend, action: set-field, config: {field: profile@traits.lifetime_value, from: event@properties.total}}
              - {id: big, action: if, config: {condition: event@properties.total >= 250}}
              - {id: tag-big, action: add-segment, config: {segment: big-order}}
              - {id: repeat, action: threshold, config: {count: 3, withinSeconds: 2592000}}
              - {id: loyal, action: add-segment, config: {segment: repeat-buyer}}
              - {id: receipt, action: template,
                 config: {template: 'Order {{event@properties.order_id}}: {{event@properties.total}} {{event@properties.currency}}', to: memory@receipt}}
              - {id: reply, action: set-response, config: {key: receipt, from: memory@receipt}}
            edges:
              - {from: start, to: count}
              - {from: count, to: spend}
              - {from: spend, fromPort: error, to: first-spend}
              - {from: spend, to: big}
              - {from: first-spend, to: big}
              - {from: big, fromPort: 'true', to: tag-big}
              - {from: count, to: repeat}
              - {from: repeat, fromPort: 'true', to: loyal}
              - {from: count, to: receipt}
              - {from: receipt, to: reply}
        - kind: workflow
          id: identify-flow
          name: Sign-in
          graph:
            nodes:
              - {id: start, action: start}
              - {id: count, action: increment-field, config: {field: profile@stats.counters.logins}}
              - {id: method, action: set-field, config: {field: profile@traits.login_method, from: event@properties.method}}
              - {id: first, action: once-per-profile, config: {key: welcome}}
              - {id: consent, action: grant-consent, config: {consent: marketing, revokeAfterDays: 365}}
              - {id: welcome, action: add-ux-item, config: {type: message, content: 'Welcome, {{profile@pii.firstname}}'}}
              - {id: social, action: if,
                 config: {condition: 'event@properties.method == "google" OR event@properties.method == "apple"'}}
              - {id: tag-social, action: add-segment, config: {segment: social-login}}
            edges:
              - {from: start, to: count}
              - {from: count, to: method}
              - {from: method, to: first}
              - {from: first, fromPort: 'true', to: consent}
              - {from: consent, to: welcome}
              - {from: method, to: social}
              - {from: social, fromPort: 'true', to: tag-social}
        - kind: workflow
          id: browse-flow
          name: Browsing
          graph:
            nodes:
              - {id: start, action: start}
              - {id: count, action: increment-field, config: {field: profile@stats.counters.browse}}
              - {id: cart, action: if, config: {condition: 'event@type == "add-to-cart"'}}
              - {id: cart-interest, action: increase-interest, config: {interest: shopping, by: 1}}
              - {id: view-interest, action: increase-interest, config: {interest: browsing, by: 0.25}}
              - {id: last-sku, action: copy-data, config: {from: event@properties.sku, to: profile@traits.last_sku}}
              - {id: hot, action: threshold, config: {count: 5, withinSeconds: 3600, key: hot}}
              - {id: tag-hot, action: add-segment, config: {segment: hot-browser}}
            edges:
              - {from: start, to: count}
              - {from: count, to: cart}
              - {from: cart, fromPort: 'true', to: cart-interest}
              - {from: cart, fromPort: 'false', to: view-interest}
              - {from: cart-interest, to: last-sku}
              - {from: view-interest, to: last-sku}
              - {from: last-sku, to: hot}
              - {from: hot, fromPort: 'true', to: tag-hot}

        - {kind: routing-rule, id: purchases-web, name: Web store purchases, event_type: purchase,
           source_id: cairn-web-store, workflow_id: purchase-flow}
        - {kind: routing-rule, id: purchases-landing, name: Landing page purchases, event_type: purchase,
           source_id: cairn-landing-pages, workflow_id: purchase-flow}
        - {kind: routing-rule, id: sign-ins, name: Web store sign-ins, event_type: identify,
           source_id: cairn-web-store, workflow_id: identify-flow}
        - {kind: routing-rule, id: product-views, name: Product views, event_type: product-view,
           source_id: cairn-web-store, workflow_id: browse-flow}
        - {kind: routing-rule, id: cart-adds, name: Cart additions, event_type: add-to-cart,
           source_id: cairn-web-store, workflow_id: browse-flow}

        - {kind: segment, name: Engaged Visitors, condition: profile@stats.visits >= 3, event_types: [page-view]}
        - {kind: segment, name: Heavy Browsers, condition: profile@stats.views > 20, event_types: [page-view]}
        - {kind: segment, name: Buyers, condition: profile@stats.counters.purchase >= 1, event_types: [purchase]}
        - {kind: segment, name: Frequent Buyers, condition: profile@stats.counters.purchase >= 3, event_types: [purchase]}
        - {kind: segment, name: High Value, condition: profile@traits.lifetime_value > 500, event_types: [purchase]}
        - {kind: segment, name: Cart Abandoners,
           condition: profile@stats.counters.add-to-cart >= 1 AND profile@stats.counters.purchase NOT EXISTS,
           event_types: [add-to-cart, purchase]}
        - {kind: segment, name: Known Customers, condition: profile@pii.login NOT EMPTY, event_types: [identify]}
        - {kind: segment, name: Marketing Reachable, condition: profile@consents.marketing EXISTS AND profile@pii.email NOT EMPTY}
        - {kind: segment, name: Gear Enthusiasts,
           condition: profile@interests.shopping >= 3 OR profile@interests.browsing >= 2,
           event_types: [product-view, add-to-cart]}
        - {kind: segment, name: VIP, condition: 'profile@segments == "frequent-buyers" AND profile@segments == "high-value"',
           event_types: [purchase]}
        """#
}
