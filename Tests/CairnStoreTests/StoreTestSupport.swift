import CairnTestSupport
import Synchronization
import Testing
@testable import CairnStore

/// A store in a fresh temporary directory. `open` may be called again after `close` to reopen.
struct StoreFixture {
    let directory = TemporaryDirectory("cairn-store")
    var path: String { directory.path + "/store" }
    var configuration: StoreConfiguration

    /// Small defaults so that tests stay fast; `.always` unless a test says otherwise.
    init(_ configure: (inout StoreConfiguration) -> Void = { _ in }) {
        var configuration = StoreConfiguration()
        configuration.mapSizeBytes = 1 << 20
        configuration.mapSizeMaxBytes = 64 << 20
        configure(&configuration)
        self.configuration = configuration
    }

    func open() throws -> StoreEnvironment {
        try StoreEnvironment(path: path, configuration: configuration)
    }

    func remove() { directory.remove() }
}

/// Runs `body` and returns the `StoreError` it threw; records an issue if it threw none or another.
func storeError(_ body: () async throws -> Void, sourceLocation: SourceLocation = #_sourceLocation) async -> StoreError? {
    do {
        try await body()
        Issue.record("expected a StoreError, nothing was thrown", sourceLocation: sourceLocation)
    } catch let error as StoreError {
        return error
    } catch {
        Issue.record("expected a StoreError, got \(error)", sourceLocation: sourceLocation)
    }
    return nil
}


struct Marker: Error, Equatable {}

/// A counter shared between tasks and the writer thread.
final class Counter: Sendable {
    private let atomic = Atomic<Int>(0)
    func increment() { atomic.add(1, ordering: .relaxed) }
    var value: Int { atomic.load(ordering: .relaxed) }
}
