import COpenSSL

/// SHA-256 through libcrypto's EVP interface, as 64 lower-case hex digits.
enum SHA256Hex {
    /// The digest of `bytes`. Traps if libcrypto fails to hash, which it does only when out of
    /// memory or misbuilt (a condition no caller can handle).
    static func digest(_ bytes: [UInt8]) -> String {
        let context = EVP_MD_CTX_new()!
        defer { EVP_MD_CTX_free(context) }
        var digest = [UInt8](repeating: 0, count: 32)
        let ok = EVP_DigestInit_ex(context, EVP_sha256(), nil) == 1
            && bytes.withUnsafeBytes { EVP_DigestUpdate(context, $0.baseAddress, $0.count) } == 1
            && digest.withUnsafeMutableBytes { EVP_DigestFinal_ex(context, $0.baseAddress!.assumingMemoryBound(to: UInt8.self), nil) } == 1
        precondition(ok, "SHA-256 through libcrypto failed")
        let hexDigits = Array("0123456789abcdef".utf8)
        var text: [UInt8] = []
        text.reserveCapacity(64)
        for byte in digest {
            text.append(hexDigits[Int(byte >> 4)])
            text.append(hexDigits[Int(byte & 0x0F)])
        }
        return String(decoding: text, as: UTF8.self)
    }
}
