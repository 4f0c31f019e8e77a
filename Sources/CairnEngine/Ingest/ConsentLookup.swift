import CairnModel
import CairnStore

/// Where the ``IngestGate`` reads a profile's consents: the projections in service, a fixed map
/// in tests.
public protocol ConsentLookup {
    /// The consents of the profile that `profileID` resolves to (a merged id resolves to its
    /// survivor); empty when no profile has that id.
    ///
    /// - Throws: the store's errors (operating errors: the event is then neither accepted nor
    ///   rejected, and the caller stops).
    func consents(ofProfile profileID: String) throws -> SortedMap<Consent>
}

/// Consents as the projections hold them now: `identities` resolves `id:<profile id>` to the
/// canonical profile, whose `consents` map is read in the same read transaction.
///
/// The projections are as of their applied offset: a consent granted by an event still waiting
/// to be projected (one earlier in the same import, say) is not seen yet.
///
/// Thread-safe: each call is one LMDB read transaction.
public struct ProjectionConsentLookup: ConsentLookup, Sendable {
    let store: StoreEnvironment
    let tables: ProjectionTables

    /// Opens the projection tables of `store`.
    public static func open(_ store: StoreEnvironment) async throws -> ProjectionConsentLookup {
        ProjectionConsentLookup(store: store, tables: try await ProjectionTables.open(store))
    }

    public func consents(ofProfile profileID: String) throws -> SortedMap<Consent> {
        try store.read { txn in
            guard let canonical = try txn.get(tables.identities, "id:" + profileID),
                  let profile = try txn.get(tables.profiles, canonical)?.profile
            else { return [:] }
            return profile.consents
        }
    }
}
