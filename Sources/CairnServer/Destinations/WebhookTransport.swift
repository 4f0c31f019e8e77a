import AsyncHTTPClient
import CairnEngine
import CairnModel
import Hummingbird  // ByteBuffer
import Logging
import Synchronization

/// One body to deliver for one destination.
struct Delivery: Sendable {
    let destinationID: String
    let resourceID: String
    /// The change-log offset of the (first) change.
    let changeOffset: UInt64
    /// `<destination id>/<change offset>`: the same for every attempt, before and after a restart.
    let idempotencyKey: String
    /// The JSON body, serialized.
    let body: [UInt8]

    static func idempotencyKey(destinationID: String, changeOffset: UInt64) -> String {
        // Destination ids never contain `/`, so the key names one (destination, change) pair.
        "\(destinationID)/\(changeOffset)"
    }
}

/// Why one attempt failed, in words (kept as `last_error` in a dead letter). Every failure is
/// retried: a receiver that is down, a resource that is missing or disabled, credentials that
/// do not open may all be fixed while the destination waits.
struct DeliveryFailure: Error, Sendable, CustomStringConvertible {
    let message: String
    init(_ message: String) { self.message = message }
    var description: String { message }
}

/// Delivers a body to a destination's resource. Throws ``DeliveryFailure`` for a failed
/// attempt and `CancellationError` when the task is cancelled.
protocol DestinationTransport: Sendable {
    func deliver(_ delivery: Delivery) async throws
}

/// Deliveries to resources of type `webhook`: an HTTP POST of the JSON body to the `url` of the
/// resource's credentials (production ones, or test ones in test mode), with their `headers`,
/// `Content-Type: application/json` and `Idempotency-Key`. A 2xx reply is a delivery; anything
/// else (another status, no connection, a timeout) a failure. Redirects are not followed.
///
/// Credentials: `{"url": "https://…", "headers": {"Authorization": "Bearer …"}}`, opened with
/// the data directory's secret key as the resource is first used and again whenever its sealed
/// credentials change.
final class WebhookTransport: DestinationTransport {
    static let resourceType = "webhook"
    /// The longest part of a failed reply's body kept in the error.
    static let errorBodyBytesMax = 200

    private let client: HTTPClient
    private let resources: ResourceDirectory
    private let slot: SealedCredentials.Slot
    private let keySource: @Sendable () throws -> SecretKey
    private let requestTimeout: Duration
    private let targets = Mutex<[String: (sealed: SealedCredentials, target: WebhookTarget)]>([:])
    private let key = Mutex<SecretKey?>(nil)

    init(client: HTTPClient, resources: ResourceDirectory, testMode: Bool, requestTimeout: Duration,
         keySource: @escaping @Sendable () throws -> SecretKey) {
        self.client = client
        self.resources = resources
        self.slot = testMode ? .test : .production
        self.requestTimeout = requestTimeout
        self.keySource = keySource
    }

    func deliver(_ delivery: Delivery) async throws {
        let target = try await target(for: delivery.resourceID)
        var request = HTTPClientRequest(url: target.url)
        request.method = .POST
        for (name, value) in target.headers { request.headers.add(name: name, value: value) }
        request.headers.replaceOrAdd(name: "Content-Type", value: "application/json")
        request.headers.replaceOrAdd(name: "Idempotency-Key", value: delivery.idempotencyKey)
        request.headers.replaceOrAdd(name: "User-Agent", value: "cairn")
        request.body = .bytes(ByteBuffer(bytes: delivery.body))
        let status: UInt
        var reply: [UInt8] = []
        do {
            let response = try await client.execute(request, timeout: .nanoseconds(Self.nanoseconds(requestTimeout)))
            status = response.status.code
            // Read the reply to its end, so that the connection can be used again.
            for try await part in response.body where reply.count < Self.errorBodyBytesMax {
                reply += part.readableBytesView.prefix(Self.errorBodyBytesMax - reply.count)
            }
        } catch {
            if Task.isCancelled { throw CancellationError() }
            throw DeliveryFailure("POST \(target.url): \(error)")
        }
        guard (200..<300).contains(status) else {
            let text = String(decoding: reply, as: UTF8.self)
            throw DeliveryFailure("POST \(target.url): HTTP \(status)" + (text.isEmpty ? "" : ": \(text)"))
        }
    }

    /// The URL and headers of resource `id`, its credentials opened once per sealed version.
    private func target(for id: String) async throws -> WebhookTarget {
        guard let resource = resources.resource(id) else { throw DeliveryFailure("resource \(quoted(id)) does not exist") }
        guard resource.enabled else { throw DeliveryFailure("resource \(quoted(id)) is disabled") }
        guard resource.type == Self.resourceType else {
            throw DeliveryFailure("resource \(quoted(id)) is of type \(quoted(resource.type)); destinations deliver to type \(Self.resourceType) only")
        }
        guard let sealed = resource.sealed(slot) else { throw DeliveryFailure("resource \(quoted(id)) has no \(slot.rawValue) credentials") }
        if let cached = targets.withLock({ $0[id] }), cached.sealed == sealed { return cached.target }
        let secret = try await secretKey()
        let credentials: JSONObject
        do {
            credentials = try sealed.open(key: secret, resourceID: id, slot: slot)
        } catch {
            throw DeliveryFailure(error.description)
        }
        let target = try WebhookTarget(credentials: credentials, resourceID: id)
        targets.withLock { $0[id] = (sealed, target) }
        return target
    }

    /// The secret key, read on first use (and again after a failed read).
    private func secretKey() async throws -> SecretKey {
        if let known = key.withLock({ $0 }) { return known }
        let keySource = self.keySource
        do {
            let loaded = try await onDispatch { try keySource() }
            key.withLock { $0 = loaded }
            return loaded
        } catch {
            throw DeliveryFailure("the secret key does not load: \(error)")
        }
    }

    static func nanoseconds(_ duration: Duration) -> Int64 {
        let (seconds, attoseconds) = duration.components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }
}

/// Where a webhook goes, from a resource's credentials.
struct WebhookTarget: Sendable, Equatable {
    let url: String
    let headers: [(name: String, value: String)]

    /// Reads `{"url": "http(s)://…", "headers": {"Name": "value", …}}`; other fields are ignored.
    ///
    /// - Throws: ``DeliveryFailure`` naming the resource and the field that is wrong.
    init(credentials: JSONObject, resourceID: String) throws(DeliveryFailure) {
        guard let url = credentials["url"]?.stringValue, url.hasPrefix("http://") || url.hasPrefix("https://") else {
            throw DeliveryFailure("the credentials of resource \(quoted(resourceID)) need \"url\": an http:// or https:// URL")
        }
        var headers: [(name: String, value: String)] = []
        if let given = credentials["headers"] {
            guard let object = given.objectValue else {
                throw DeliveryFailure("the credentials of resource \(quoted(resourceID)): \"headers\" must be an object of strings")
            }
            for entry in object.entries {
                guard let value = entry.value.stringValue else {
                    throw DeliveryFailure("the credentials of resource \(quoted(resourceID)): header \(quoted(entry.key)) must be a string")
                }
                headers.append((entry.key, value))
            }
        }
        self.url = url
        self.headers = headers
    }

    static func == (left: WebhookTarget, right: WebhookTarget) -> Bool {
        left.url == right.url && left.headers.elementsEqual(right.headers, by: { $0.name == $1.name && $0.value == $1.value })
    }
}

/// `"text"`: a string as JSON, for messages.
func quoted(_ text: String) -> String {
    String(decoding: JSONValue.string(text).serialized(), as: UTF8.self)
}
