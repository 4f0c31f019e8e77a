import CairnEngine
import CairnLog
import CairnModel
@testable import CairnServer
import CairnTestSupport
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

@Suite("Admin API", .serialized)
struct AdminAPITests {
    static let source = "web-0001"

    static let base: [ConfigurationChange] = [
        .put(.eventSource(EventSourceDefinition(id: source, name: "Web", bridge: .rest))),
        .put(.eventSource(EventSourceDefinition(id: "kiosk", name: "Kiosk", bridge: .rest, ephemeral: true))),
        .put(.segment(Segment(name: "Viewers", condition: "profile@stats.views >= 1"))),
    ]

    // MARK: Authentication and roles

    @Test("no token, a malformed header or an unknown or revoked token is a 401 with WWW-Authenticate; the ingest and health routes need none")
    func authentication() async throws {
        try await withServer(Self.base) { client, data in
            let tokens = try RoleTokens(data)
            let missing = try await client.admin(.get, "/status", token: nil)
            #expect(missing.status == .unauthorized && missing.detail.contains("Authorization: Bearer"), "\(missing)")
            #expect(missing.headers[.wwwAuthenticate]?.hasPrefix("Bearer") == true)
            let basic = try await client.admin(.get, "/status", token: nil, headers: [.authorization: "Basic b3BzOnB3"])
            #expect(basic.status == .unauthorized && basic.detail.contains("Bearer <token>"), "\(basic)")
            let unknown = try await client.admin(.get, "/status", token: "cairn_" + String(repeating: "0", count: 64))
            #expect(unknown.status == .unauthorized && unknown.detail.contains("unknown or was revoked"), "\(unknown)")
            #expect(unknown.headers[.wwwAuthenticate]?.contains("invalid_token") == true)
            // The scheme is case-insensitive.
            let lower = try await client.admin(.get, "/status", token: nil, headers: [.authorization: "bearer \(tokens.reader)"])
            #expect(lower.status == .ok, "\(lower)")

            // Revoked from another handle on the file (as `cairn token revoke` does): refused at once.
            try AccessTokens.open(dataDirectory: data.path).revoke(name: "dashboard")
            let revoked = try await client.admin(.get, "/status", token: tokens.reader)
            #expect(revoked.status == .unauthorized, "\(revoked)")

            for uri in ["/healthz", "/readyz", "/openapi.json"] {
                let reply = try await client.admin(.get, uri, token: nil)
                #expect(reply.status == .ok, "\(uri): \(reply)")
            }
            try await client.track(Self.source, profile: "p1", "page-view")
        }
    }

    @Test("every admin operation in the OpenAPI document answers 403 naming the role and the permission exactly for the roles that lack it")
    func permissionsPerRole() async throws {
        try await withServer(Self.base) { client, data in
            let tokens = try RoleTokens(data)
            let document = try #require(try await client.admin(.get, "/openapi.json", token: nil).json.objectValue)
            var checked = 0
            for pathEntry in try #require(document["paths"]?.objectValue).entries {
                let path = pathEntry.key
                for operationEntry in try #require(pathEntry.value.objectValue).entries {
                    let (method, operation) = (operationEntry.key, operationEntry.value)
                    guard let permissionName = operation["x-cairn-permission"]?.stringValue else { continue }
                    let permission = try #require(Permission(rawValue: permissionName), "\(path): \(permissionName)")
                    let uri = path.replacingOccurrences(of: "{kind}", with: "event-source").replacingOccurrences(of: "{id}", with: "nobody")
                    let httpMethod = try #require(HTTPRequest.Method(method.uppercased()))
                    for role in Role.allCases {
                        // An allowed stream would never end here; streams are tested in ChangeStreamTests.
                        if path == "/changes/stream" && role.allows(permission) { continue }
                        let reply = try await client.admin(httpMethod, uri, token: tokens.token(role))
                        if role.allows(permission) {
                            #expect(reply.status != .forbidden && reply.status != .unauthorized, "\(role) \(method) \(uri): \(reply)")
                        } else {
                            #expect(reply.status == .forbidden, "\(role) \(method) \(uri): \(reply)")
                            #expect(reply.detail.contains("role \(role.rawValue)") && reply.detail.contains(permission.rawValue), "\(reply)")
                        }
                        checked += 1
                    }
                }
            }
            // Every admin route for every role, but the three allowed streams.
            #expect(checked == AdminEndpoints.routes.filter { $0.permission != nil }.count * Role.allCases.count - 3)
        }
    }

    // MARK: Profiles

    @Test("profiles by id, merged id and identifier; sessions and the trail in pages; ephemeral events by id only; 404s name the id")
    func profiles() async throws {
        try await withServer(Self.base) { client, data in
            let token = try RoleTokens(data).auditor
            try await client.track(Self.source, profile: "laptop", "sign-up", properties: #"{"email":"ada@example.com"}"#)
            try await client.track(Self.source, profile: "phone", "sign-up", properties: #"{"email":"Ada@Example.com"}"#)
            try await client.track(Self.source, profile: "laptop", session: "s-laptop", "page-view")
            try await client.track("kiosk", profile: "laptop", session: "s-kiosk", "page-view", properties: #"{"secret":"kiosk-only"}"#)

            for id in ["laptop", "phone", "email%3Aada%40example.com", "email:ada@example.com"] {
                let reply = try await client.admin(.get, "/profiles/\(id)", token: token)
                #expect(reply.status == .ok && reply.json["id"] == "laptop", "\(id): \(reply)")
                #expect(reply.json["ids"] == ["laptop", "phone"], "\(reply)")
            }
            let missing = try await client.admin(.get, "/profiles/nobody", token: token)
            #expect(missing.status == .notFound && missing.detail.contains("'nobody'"), "\(missing)")
            for suffix in ["sessions", "events"] {
                let reply = try await client.admin(.get, "/profiles/nobody/\(suffix)", token: token)
                #expect(reply.status == .notFound && reply.detail.contains("'nobody'"), "\(suffix): \(reply)")
            }

            // Sessions: s-kiosk, s-laptop and s-phone (moved to the survivor), a page at a time.
            var sessions: [String] = []
            var uri = "/profiles/phone/sessions?limit=2"
            while true {
                let page = try await client.admin(.get, uri, token: token)
                #expect(page.status == .ok && page.json["profile"] == "laptop", "\(page)")
                sessions += try #require(page.json["sessions"]?.arrayValue).compactMap { $0["id"]?.stringValue }
                guard let next = page.json["next"]?.stringValue else { break }
                uri = "/profiles/phone/sessions?limit=2&after=\(next)"
            }
            #expect(sessions == ["s-kiosk", "s-laptop", "s-phone"])

            // The trail: four events in time order, two pages; the ephemeral one by id only.
            let first = try await client.admin(.get, "/profiles/laptop/events?limit=3", token: token)
            let firstEvents = try #require(first.json["events"]?.arrayValue)
            #expect(firstEvents.count == 3 && first.json["next"]?.stringValue != nil, "\(first)")
            #expect(firstEvents.map { $0["event"]?["type"]?.stringValue } == ["sign-up", "sign-up", "page-view"], "\(first)")
            let cursor = try #require(first.json["next"]?.stringValue)
            let second = try await client.admin(.get, "/profiles/laptop/events?limit=3&after=\(cursor)", token: token)
            let secondEvents = try #require(second.json["events"]?.arrayValue)
            #expect(secondEvents.count == 1 && second.json["next"] == .null, "\(second)")
            #expect(secondEvents[0]["ephemeral"] == true && secondEvents[0]["event"]?.objectValue?.keys == ["id"], "\(second)")
            #expect(!second.text.contains("kiosk-only"))
            let badCursor = try await client.admin(.get, "/profiles/laptop/events?after=yesterday", token: token)
            #expect(badCursor.status == .unprocessableContent && badCursor.detail.contains("after"), "\(badCursor)")
        }
    }

    @Test("segment members are found by a scan in pages; an unknown segment is a 404 naming it; limits are checked")
    func segmentMembers() async throws {
        try await withServer(Self.base) { client, data in
            let token = try RoleTokens(data).reader
            for profile in ["a1", "a2", "a3", "a4", "a5"] {
                try await client.track(Self.source, profile: profile, profile == "a3" ? "login" : "page-view")
            }
            var members: [String] = []
            var uri = "/segments/viewers/members?limit=2"
            var pages = 0
            while true {
                let page = try await client.admin(.get, uri, token: token)
                #expect(page.status == .ok && page.json["segment"] == "viewers", "\(page)")
                members += try #require(page.json["members"]?.arrayValue).compactMap { $0["id"]?.stringValue }
                pages += 1
                guard let next = page.json["next"]?.stringValue else { break }
                uri = "/segments/viewers/members?limit=2&after=\(next)"
            }
            #expect(members == ["a1", "a2", "a4", "a5"] && pages == 2)
            let unknown = try await client.admin(.get, "/segments/gold/members", token: token)
            #expect(unknown.status == .notFound && unknown.detail.contains("'gold'"), "\(unknown)")
            for limit in ["0", "1001", "many"] {
                let reply = try await client.admin(.get, "/segments/viewers/members?limit=\(limit)", token: token)
                #expect(reply.status == .unprocessableContent && reply.detail.contains("limit") && reply.detail.contains("1000"), "\(reply)")
            }
        }
    }

    // MARK: Configuration

    @Test("configuration: create, read, unchanged, update, disable, enable, delete, history with the token's name as author; ingest sees changes at once")
    func configurationLifecycle() async throws {
        try await withServer([]) { client, data in
            let tokens = try RoleTokens(data)
            let admin = tokens.admin
            let created = try await client.admin(.put, "/config/event-source/shop", token: admin, body: #"{"name":"Shop","bridge":"rest"}"#)
            #expect(created.status == .created && created.json == ["kind": "event-source", "id": "shop", "version": 1, "action": "create"], "\(created)")
            // Ingest sees the new source at once.
            try await client.track("shop", profile: "p1", "page-view")

            let same = try await client.admin(.put, "/config/event-source/shop", token: admin, body: #"{"kind":"event-source","id":"shop","name":"Shop","bridge":"rest"}"#)
            #expect(same.status == .ok && same.json["action"] == "unchanged" && same.json["version"] == 1, "\(same)")
            let updated = try await client.admin(.put, "/config/event-source/shop", token: admin, body: #"{"name":"Shop","bridge":"rest","tags":["eu"]}"#)
            #expect(updated.status == .ok && updated.json["action"] == "update" && updated.json["version"] == 2, "\(updated)")
            let got = try await client.admin(.get, "/config/event-source/shop", token: tokens.auditor)
            #expect(got.status == .ok && got.json["version"] == 2 && got.json["author"] == "ops" && got.json["object"]?["tags"] == ["eu"], "\(got)")

            let disabled = try await client.admin(.post, "/config/event-source/shop/disable", token: admin)
            #expect(disabled.json["action"] == "disable" && disabled.json["version"] == 3, "\(disabled)")
            let refused = try await client.post("/track", #"{"source":{"id":"shop"},"profile":{"id":"p1"},"events":[{"type":"page-view"}]}"#)
            #expect(refused.status == .forbidden, "\(refused.json)")
            let again = try await client.admin(.post, "/config/event-source/shop/disable", token: admin)
            #expect(again.json["action"] == "unchanged" && again.json["version"] == 3, "\(again)")
            let enabled = try await client.admin(.post, "/config/event-source/shop/enable", token: admin)
            #expect(enabled.json["action"] == "enable" && enabled.json["version"] == 4, "\(enabled)")

            _ = try await client.admin(.put, "/config/event-source/app", token: admin, body: #"{"name":"App","bridge":"rest"}"#)
            _ = try await client.admin(.put, "/config/event-source/batch", token: admin, body: #"{"name":"Batch","bridge":"import"}"#)
            var ids: [String] = []
            var uri = "/config/event-source?limit=2"
            while true {
                let page = try await client.admin(.get, uri, token: tokens.auditor)
                #expect(page.status == .ok && page.json["kind"] == "event-source", "\(page)")
                ids += try #require(page.json["objects"]?.arrayValue).compactMap { $0["id"]?.stringValue }
                guard let next = page.json["next"]?.stringValue else { break }
                uri = "/config/event-source?limit=2&after=\(next)"
            }
            #expect(ids == ["app", "batch", "shop"])

            let deleted = try await client.admin(.delete, "/config/event-source/batch", token: admin)
            #expect(deleted.status == .ok && deleted.json["action"] == "delete" && deleted.json["version"] == 2, "\(deleted)")
            let gone = try await client.admin(.get, "/config/event-source/batch", token: admin)
            #expect(gone.status == .notFound && gone.detail.contains("event-source 'batch'"), "\(gone)")

            // History: every record, oldest first, with the token's name; in pages that keep the position.
            var history: [JSONValue] = []
            var from = 0
            while true {
                let page = try await client.admin(.get, "/config/history?limit=3&from=\(from)", token: tokens.auditor)
                #expect(page.status == .ok, "\(page)")
                let entries = try #require(page.json["history"]?.arrayValue)
                history += entries
                from = Int(try #require(page.json["next"]?.integerValue))
                if page.json["end"] == true { break }
            }
            #expect(history.map { "\($0["id"]!.stringValue!) v\($0["version"]!.integerValue!) \($0["action"]!.stringValue!)" } == [
                "shop v1 create", "shop v2 update", "shop v3 disable", "shop v4 enable", "app v1 create", "batch v1 create", "batch v2 delete",
            ])
            #expect(history.allSatisfy { $0["author"] == "ops" && $0["time"]?.stringValue?.hasSuffix("Z") == true })
            #expect(history.last?["object"] == .null)
        }
    }

    @Test("configuration refusals: 422 for bad JSON and invalid objects with the validation message, 404 naming the kind or id, 409 for a deletion of an object in use")
    func configurationRefusals() async throws {
        try await withServer(Self.base) { client, data in
            let admin = try RoleTokens(data).admin
            func put(_ uri: String, _ body: String) async throws -> AdminReply { try await client.admin(.put, uri, token: admin, body: body) }

            let notJSON = try await put("/config/event-source/x", "{\"name\":")
            #expect(notJSON.status == .unprocessableContent && notJSON.detail.contains("not JSON"), "\(notJSON)")
            let array = try await put("/config/event-source/x", "[]")
            #expect(array.status == .unprocessableContent && array.detail.contains("JSON object"), "\(array)")
            let missingField = try await put("/config/event-source/x", #"{"name":"X"}"#)
            #expect(missingField.status == .unprocessableContent && missingField.detail.contains("bridge: is required"), "\(missingField)")
            let unknownField = try await put("/config/event-source/x", #"{"name":"X","bridge":"rest","colour":"red"}"#)
            #expect(unknownField.status == .unprocessableContent && unknownField.detail.contains("colour"), "\(unknownField)")
            let otherKind = try await put("/config/event-source/x", #"{"kind":"segment","name":"X","bridge":"rest"}"#)
            #expect(otherKind.status == .unprocessableContent && otherKind.detail.contains("kind"), "\(otherKind)")
            let otherID = try await put("/config/event-source/x", #"{"id":"y","name":"X","bridge":"rest"}"#)
            #expect(otherID.status == .unprocessableContent && otherID.detail.contains("id"), "\(otherID)")
            let condition = try await put("/config/segment/broken", #"{"name":"Broken","condition":"profile@traits.age >>= 3"}"#)
            #expect(condition.status == .unprocessableContent && condition.detail.contains("segment \"broken\": condition:"), "\(condition)")
            let derived = try await put("/config/segment/gold", #"{"name":"Frequent Buyers","condition":"profile@stats.views > 3"}"#)
            #expect(derived.status == .unprocessableContent && derived.detail.contains("frequent-buyers"), "\(derived)")
            let dangling = try await put("/config/routing-rule/r1", #"{"name":"R","event_type":"login","source_id":"nope","workflow_id":"nope"}"#)
            #expect(dangling.status == .unprocessableContent && dangling.detail.contains("\"nope\", which does not exist"), "\(dangling)")

            let kind = try await client.admin(.get, "/config/gadget", token: admin)
            #expect(kind.status == .notFound && kind.detail.contains("'gadget'") && kind.detail.contains("event-source"), "\(kind)")
            let missing = try await client.admin(.delete, "/config/segment/gold", token: admin)
            #expect(missing.status == .notFound && missing.detail.contains("\"gold\""), "\(missing)")
            let enableMissing = try await client.admin(.post, "/config/segment/gold/enable", token: admin)
            #expect(enableMissing.status == .notFound, "\(enableMissing)")

            _ = try await put("/config/workflow/w1", #"{"name":"W","graph":{"nodes":[{"id":"start","action":"start"}]}}"#)
            let rule = try await put("/config/routing-rule/r1", #"{"name":"R","event_type":"login","source_id":"\#(Self.source)","workflow_id":"w1"}"#)
            #expect(rule.status == .created, "\(rule)")
            let inUse = try await client.admin(.delete, "/config/workflow/w1", token: admin)
            #expect(inUse.status == .conflict && inUse.detail.contains("routing-rule \"r1\""), "\(inUse)")
        }
    }

    @Test("resources: credentials sealed with the secret key (409 without one), always returned masked, kept when put back masked")
    func resourceCredentials() async throws {
        try await withServer([]) { client, data in
            let admin = try RoleTokens(data).admin
            let body = #"{"name":"Mail","type":"smtp","credentials":{"production":{"password":"hunter2"}}}"#
            let noKey = try await client.admin(.put, "/config/resource/mail", token: admin, body: body)
            #expect(noKey.status == .conflict && noKey.detail.contains(SecretKey.environmentVariable), "\(noKey)")

            var generator = SystemRandomNumberGenerator()
            _ = try SecretKey.createFile(dataDirectory: data.path, using: &generator)
            let created = try await client.admin(.put, "/config/resource/mail", token: admin, body: body)
            #expect(created.status == .created, "\(created)")
            let got = try await client.admin(.get, "/config/resource/mail", token: admin)
            let masked = try #require(got.json["object"]?["credentials"]?["production"]?.stringValue)
            #expect(masked.hasPrefix("<sealed: ") && !got.text.contains("hunter2") && !got.text.contains(SealedCredentials.prefix), "\(got)")
            let listed = try await client.admin(.get, "/config/resource", token: admin)
            #expect(!listed.text.contains("hunter2") && !listed.text.contains(SealedCredentials.prefix), "\(listed)")
            let history = try await client.admin(.get, "/config/history", token: admin)
            #expect(!history.text.contains("hunter2") && !history.text.contains(SealedCredentials.prefix), "\(history)")

            // Read, edit and put back: the masked slot keeps the stored credentials.
            var object = try #require(got.json["object"]?.objectValue)
            object["name"] = "Mail service"
            let edited = try await client.admin(.put, "/config/resource/mail", token: admin, body: String(decoding: JSONValue.object(object).serialized(), as: UTF8.self))
            #expect(edited.json["action"] == "update" && edited.json["version"] == 2, "\(edited)")
            let state = try await ConfigurationStore.load(from: data.eventLog)
            guard case .resource(let resource)? = state.object(ConfigurationKey(.resource, "mail")) else { Issue.record("no resource"); return }
            let key = try SecretKey.load(dataDirectory: data.path, environment: [:])
            #expect(try resource.openCredentials(.production, key: key) == ["password": "hunter2"] && resource.name == "Mail service")

            let noStored = try await client.admin(.put, "/config/resource/other", token: admin,
                                                  body: #"{"name":"Other","type":"smtp","credentials":{"test":"<sealed: 40 bytes>"}}"#)
            #expect(noStored.status == .unprocessableContent && noStored.detail.contains("credentials.test"), "\(noStored)")
        }
    }

    // MARK: Status

    @Test("status: applied offset, event log end, lag, change log end and dead letters")
    func status() async throws {
        try await withServer(Self.base) { client, data in
            let token = try RoleTokens(data).reader
            try await client.track(Self.source, profile: "p1", "page-view")
            _ = try await client.post("/track", #"{"source":{"id":"nope"},"profile":{"id":"p1"},"events":[{"type":"page-view"}]}"#)
            let status = try await client.admin(.get, "/status", token: token)
            #expect(status.status == .ok, "\(status)")
            let end = Int64(data.eventLog.endOffset)
            #expect(status.json["event_log_end"]?.integerValue == end && status.json["applied"]?.integerValue == end && status.json["lag"] == 0, "\(status)")
            #expect(status.json["change_log_end"]?.integerValue == Int64(data.changeLog.endOffset) && data.changeLog.endOffset > 0, "\(status)")
            #expect(status.json["dead_letters"] == 1, "\(status)")
        }
    }

    // MARK: OpenAPI

    @Test("the served OpenAPI document is docs/openapi.json, byte for byte")
    func openAPIServed() async throws {
        let file = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../docs/openapi.json").standardized
        let checkedIn = try String(contentsOf: file, encoding: .utf8)
        try await withServer([]) { client, _ in
            let served = try await client.admin(.get, "/openapi.json", token: nil)
            #expect(served.headers[.contentType] == "application/json")
            #expect(served.text == checkedIn, "the served document differs from docs/openapi.json")
            #expect(served.json["openapi"] == "3.1.0")
        }
    }

    /// Routes the document describes that the Segment and PostHog bridge registers; until that
    /// bridge is in this branch, the router may lack them.
    @Test("the OpenAPI document's paths and methods are the router's routes, and each admin operation's permission is its route's")
    func openAPIMatchesRouter() async throws {
        let dir = TemporaryDirectory("cairn-server-routes")
        defer { dir.remove() }
        let data = try await DataDirectory.open(dir.path, logger: quiet)
        let server = try await CairnServer.open(data: data, settings: ServerSettings(), logger: quiet)
        let router = try await server.router()
        try server.closeIngestion()
        try await data.close()
        // Hummingbird drops a trailing `/`; the document keeps PostHog's.
        func normalized(_ method: String, _ path: String) -> String {
            "\(method.uppercased()) \(path.count > 1 && path.hasSuffix("/") ? String(path.dropLast()) : path)"
        }
        let registered = Set(router.routes.map { normalized($0.method.rawValue, $0.path.description) })
        let document = try JSONParser.parse(Array(OpenAPIDocument.text.utf8))
        var documented: Set<String> = []
        var permissions: [String: String] = [:]
        for pathEntry in try #require(document["paths"]?.objectValue).entries {
            for operation in try #require(pathEntry.value.objectValue).entries {
                let route = normalized(operation.key, pathEntry.key)
                documented.insert(route)
                permissions[route] = operation.value["x-cairn-permission"]?.stringValue
                #expect(operation.value["security"] != nil && operation.value["responses"] != nil, "\(route)")
            }
        }
        #expect(registered.subtracting(documented).sorted() == [], "routes the document lacks")
        #expect(documented.subtracting(registered).sorted() == [], "documented routes the router lacks")
        for route in AdminEndpoints.routes {
            #expect(permissions[normalized(route.method.rawValue, route.path)] == route.permission?.rawValue, "\(route.method) \(route.path)")
        }
        #expect(permissions.count == AdminEndpoints.routes.filter { $0.permission != nil }.count)
    }
}
