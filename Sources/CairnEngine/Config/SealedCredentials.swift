import CairnModel
import COpenSSL
import Foundation

/// A resource's credentials (a JSON object), sealed with AES-256-GCM: what the log, the exported
/// files and every `Resource` value hold. The plaintext exists only in the value that
/// ``open(key:resourceID:slot:)`` returns.
///
/// Text form: `aes-256-gcm:` followed by standard base64 (with padding) of
///
/// | bytes | content |
/// |---|---|
/// | 1 | format version, 1 |
/// | 12 | nonce: 96 random bits, fresh for every sealing |
/// | n | ciphertext of the credentials' canonical JSON text |
/// | 16 | GCM tag |
///
/// The associated data is the resource's id, a zero byte and the slot (`production` or `test`),
/// so sealed credentials open only for the resource and the slot they were sealed for: copying
/// them to another resource, or swapping a resource's test and production credentials, fails.
public struct SealedCredentials: Sendable, Hashable, CustomStringConvertible {
    public enum Slot: String, Sendable {
        case production, test
    }

    public static let prefix = "aes-256-gcm:"
    static let version: UInt8 = 1
    static let nonceByteCount = 12
    static let tagByteCount = 16
    /// The largest credentials object, as JSON text.
    public static let plaintextBytesMax = 64 << 10

    /// Version, nonce, ciphertext and tag.
    public let bytes: [UInt8]

    /// The text form (see the type's documentation).
    public var text: String { Self.prefix + Data(bytes).base64EncodedString() }

    /// `aes-256-gcm:<n bytes>`: the size only.
    public var description: String { "\(Self.prefix)<\(bytes.count) bytes>" }

    /// Parses the text form; checks the framing only (opening needs the key).
    ///
    /// - Throws: ``ConfigurationError`` `decryptionFailed` when malformed.
    public init(text: String) throws(ConfigurationError) {
        guard text.hasPrefix(Self.prefix), let data = Data(base64Encoded: String(text.dropFirst(Self.prefix.count))) else {
            throw ConfigurationError(.decryptionFailed, "sealed credentials must be \(Self.prefix) followed by base64")
        }
        try self.init(bytes: Array(data))
    }

    init(bytes: [UInt8]) throws(ConfigurationError) {
        guard bytes.count >= 1 + Self.nonceByteCount + Self.tagByteCount, bytes[0] == Self.version else {
            throw ConfigurationError(.decryptionFailed, "sealed credentials are cut short or of an unknown format version")
        }
        self.bytes = bytes
    }

    /// Seals `credentials` for one resource's slot with a fresh random nonce.
    ///
    /// - Throws: ``ConfigurationError`` `invalidObject` when the credentials are over
    ///   ``plaintextBytesMax``.
    public static func seal(_ credentials: JSONObject, key: SecretKey, resourceID: String, slot: Slot,
                            using generator: inout some RandomNumberGenerator) throws(ConfigurationError) -> SealedCredentials {
        let plaintext = JSONValue.object(credentials).serialized()
        guard plaintext.count <= plaintextBytesMax else {
            throw ConfigurationError(.invalidObject, kind: .resource, id: resourceID, field: "credentials.\(slot.rawValue)",
                                     "is \(plaintext.count) bytes as JSON; the limit is \(plaintextBytesMax)")
        }
        var nonce: [UInt8] = []
        while nonce.count < nonceByteCount { withUnsafeBytes(of: generator.next() as UInt64) { nonce += $0 } }
        nonce.removeLast(nonce.count - nonceByteCount)
        var ciphertext = [UInt8](repeating: 0, count: plaintext.count)
        var tag = [UInt8](repeating: 0, count: tagByteCount)
        let sealed = AESGCM.run(encrypt: true, key: key.bytes, nonce: nonce, aad: associatedData(resourceID, slot),
                                input: plaintext, output: &ciphertext, tag: &tag)
        precondition(sealed, "AES-256-GCM encryption failed")  // only with a broken libcrypto
        return try! SealedCredentials(bytes: [version] + nonce + ciphertext + tag)
    }

    /// ``seal(_:key:resourceID:slot:using:)`` with the system's random generator.
    public static func seal(_ credentials: JSONObject, key: SecretKey, resourceID: String, slot: Slot) throws(ConfigurationError) -> SealedCredentials {
        var generator = SystemRandomNumberGenerator()
        return try seal(credentials, key: key, resourceID: resourceID, slot: slot, using: &generator)
    }

    /// The credentials, if these were sealed with `key` for this resource and slot and are intact.
    ///
    /// - Throws: ``ConfigurationError`` `decryptionFailed` for a wrong key, another resource's or
    ///   slot's credentials, or damaged bytes (GCM cannot tell these apart).
    public func open(key: SecretKey, resourceID: String, slot: Slot) throws(ConfigurationError) -> JSONObject {
        let nonce = Array(bytes[1..<(1 + Self.nonceByteCount)])
        let ciphertext = Array(bytes[(1 + Self.nonceByteCount)..<(bytes.count - Self.tagByteCount)])
        var tag = Array(bytes[(bytes.count - Self.tagByteCount)...])
        var plaintext = [UInt8](repeating: 0, count: ciphertext.count)
        guard AESGCM.run(encrypt: false, key: key.bytes, nonce: nonce, aad: Self.associatedData(resourceID, slot),
                         input: ciphertext, output: &plaintext, tag: &tag)
        else {
            throw ConfigurationError(.decryptionFailed, kind: .resource, id: resourceID, field: "credentials.\(slot.rawValue)",
                                     "do not open with the secret key from \(key.origin): another key sealed them, they belong to another resource or slot, or they are damaged")
        }
        guard let object = (try? JSONParser.parse(plaintext))?.objectValue else {
            throw ConfigurationError(.decryptionFailed, kind: .resource, id: resourceID, field: "credentials.\(slot.rawValue)", "opened, but are not a JSON object")
        }
        return object
    }

    static func associatedData(_ resourceID: String, _ slot: Slot) -> [UInt8] {
        Array(resourceID.utf8) + [0] + Array(slot.rawValue.utf8)
    }
}

/// AES-256-GCM through libcrypto's EVP interface.
enum AESGCM {
    /// Encrypts (producing `tag`) or decrypts (checking `tag`) `input` into `output`, which has
    /// `input.count` bytes. False when decryption fails authentication or libcrypto fails.
    static func run(encrypt: Bool, key: [UInt8], nonce: [UInt8], aad: [UInt8], input: [UInt8],
                    output: inout [UInt8], tag: inout [UInt8]) -> Bool {
        precondition(key.count == 32 && nonce.count == 12 && tag.count == 16 && output.count == input.count)
        guard let context = EVP_CIPHER_CTX_new() else { return false }
        defer { EVP_CIPHER_CTX_free(context) }
        let enc: Int32 = encrypt ? 1 : 0
        guard EVP_CipherInit_ex(context, EVP_aes_256_gcm(), nil, nil, nil, enc) == 1,
              EVP_CIPHER_CTX_ctrl(context, EVP_CTRL_GCM_SET_IVLEN, Int32(nonce.count), nil) == 1,
              EVP_CipherInit_ex(context, nil, nil, key, nonce, enc) == 1
        else { return false }
        var length: Int32 = 0
        guard EVP_CipherUpdate(context, nil, &length, aad, Int32(aad.count)) == 1 else { return false }
        if !input.isEmpty {
            let updated = output.withUnsafeMutableBufferPointer { out in
                EVP_CipherUpdate(context, out.baseAddress, &length, input, Int32(input.count))
            }
            guard updated == 1, length == Int32(input.count) else { return false }
        }
        if !encrypt {
            guard tag.withUnsafeMutableBytes({ EVP_CIPHER_CTX_ctrl(context, EVP_CTRL_GCM_SET_TAG, 16, $0.baseAddress) }) == 1 else { return false }
        }
        var final = [UInt8](repeating: 0, count: 16)
        guard EVP_CipherFinal_ex(context, &final, &length) == 1, length == 0 else { return false }
        if encrypt {
            guard tag.withUnsafeMutableBytes({ EVP_CIPHER_CTX_ctrl(context, EVP_CTRL_GCM_GET_TAG, 16, $0.baseAddress) }) == 1 else { return false }
        }
        return true
    }
}
