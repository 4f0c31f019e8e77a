import COpenSSL
import CairnStore

/// A canonical hash of all projection content: SHA-256 over every projection table in a fixed
/// order, each entry as (table name, key, value) with lengths, in key order. LMDB keeps keys
/// sorted, so the digest depends only on the content, never on how or in which batches it was
/// written. The applied offset and the outbox are bookkeeping, not content, and are left out.
public enum ProjectionDigest {
    public static func compute(_ store: StoreEnvironment) async throws -> String {
        var raw: [(String, Table<[UInt8], [UInt8]>)] = []
        for name in ProjectionTables.projectionNames {
            raw.append((name, try await store.openTable(name, key: [UInt8].self, value: [UInt8].self)))
        }
        let context = EVP_MD_CTX_new()!
        defer { EVP_MD_CTX_free(context) }
        precondition(EVP_DigestInit_ex(context, EVP_sha256(), nil) == 1, "SHA-256 through libcrypto failed")
        func feed(_ bytes: [UInt8]) {
            var length = UInt64(bytes.count).littleEndian
            withUnsafeBytes(of: &length) { _ = EVP_DigestUpdate(context, $0.baseAddress, 8) }
            bytes.withUnsafeBytes { _ = EVP_DigestUpdate(context, $0.baseAddress, $0.count) }
        }
        try store.read { txn in
            for (name, table) in raw {
                feed(Array(name.utf8))
                try txn.scan(table) { key, value in
                    feed(key)
                    feed(value)
                    return true
                }
            }
        }
        var digest = [UInt8](repeating: 0, count: 32)
        digest.withUnsafeMutableBytes { _ = EVP_DigestFinal_ex(context, $0.baseAddress!.assumingMemoryBound(to: UInt8.self), nil) }
        return digest.map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined()
    }
}
