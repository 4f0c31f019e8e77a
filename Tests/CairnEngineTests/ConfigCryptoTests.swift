import CairnModel
import CairnTestSupport
import Foundation
import Glibc
import Testing
@testable import CairnEngine

@Suite("Resource credentials: AES-256-GCM sealing and the secret key")
struct ConfigCryptoTests {
    let credentials: JSONObject = ["user": "mailer", "password": "correct horse battery staple"]

    @Test("sealed credentials open with the key, resource and slot that sealed them")
    func roundTrip() throws {
        let key = testKey()
        var generator = SplitMix64(seed: 3)
        let sealed = try SealedCredentials.seal(credentials, key: key, resourceID: "mail", slot: .production, using: &generator)
        #expect(try sealed.open(key: key, resourceID: "mail", slot: .production) == credentials)
        #expect(try SealedCredentials(text: sealed.text) == sealed)
        #expect(sealed.bytes.count == 1 + 12 + JSONValue.object(credentials).serialized().count + 16)
        #expect(!sealed.text.contains("horse") && !sealed.description.contains("horse"))
        // A fresh nonce each time: the same credentials seal to different bytes.
        let twice = try SealedCredentials.seal(credentials, key: key, resourceID: "mail", slot: .production, using: &generator)
        #expect(twice != sealed && Array(twice.bytes[1..<13]) != Array(sealed.bytes[1..<13]))
        let empty = try SealedCredentials.seal([:], key: key, resourceID: "mail", slot: .test)
        #expect(try empty.open(key: key, resourceID: "mail", slot: .test) == [:])
    }

    @Test("a flipped bit, another key, another resource or another slot fails with a clear error")
    func failures() throws {
        let key = testKey()
        let sealed = try SealedCredentials.seal(credentials, key: key, resourceID: "mail", slot: .production)
        for index in [0, 5, 20, sealed.bytes.count - 1] {
            var bytes = sealed.bytes
            bytes[index] ^= 0x01
            let error = configurationError {
                _ = try SealedCredentials(bytes: bytes).open(key: key, resourceID: "mail", slot: .production)
            }
            #expect(error?.code == .decryptionFailed, "byte \(index)")
        }
        let wrongKey = try #require(configurationError { _ = try sealed.open(key: testKey(seed: 9, origin: "other"), resourceID: "mail", slot: .production) })
        #expect(wrongKey.code == .decryptionFailed && wrongKey.kind == .resource && wrongKey.id == "mail")
        #expect(wrongKey.field == "credentials.production" && wrongKey.message.contains("other"))
        #expect(configurationError { _ = try sealed.open(key: key, resourceID: "mail2", slot: .production) }?.code == .decryptionFailed)
        #expect(configurationError { _ = try sealed.open(key: key, resourceID: "mail", slot: .test) }?.code == .decryptionFailed)
        #expect(configurationError { _ = try SealedCredentials(text: "aes-256-gcm:!!!") }?.code == .decryptionFailed)
        #expect(configurationError { _ = try SealedCredentials(text: "rot13:abc") }?.code == .decryptionFailed)
        let cut = Data(sealed.bytes.prefix(20)).base64EncodedString()
        #expect(configurationError { _ = try SealedCredentials(text: SealedCredentials.prefix + cut) }?.code == .decryptionFailed)
    }

    @Test("the key comes from CAIRN_SECRET_KEY, else DATA/secret.key; neither is a clear error")
    func keySources() throws {
        let dir = TemporaryDirectory("cairn-key")
        defer { dir.remove() }
        let missing = try #require(configurationError { _ = try SecretKey.load(dataDirectory: dir.path, environment: [:]) })
        #expect(missing.code == .missingKey && missing.message.contains("CAIRN_SECRET_KEY") && missing.message.contains("secret.key"))

        let hex = String(repeating: "ab", count: 32)
        let fromEnvironment = try SecretKey.load(dataDirectory: dir.path, environment: ["CAIRN_SECRET_KEY": hex])
        #expect(fromEnvironment.bytes == [UInt8](repeating: 0xAB, count: 32))
        let malformed = try #require(configurationError { _ = try SecretKey.load(dataDirectory: dir.path, environment: ["CAIRN_SECRET_KEY": "abc"]) })
        #expect(malformed.code == .invalidKey && !malformed.message.contains("abc"))

        var generator = SplitMix64(seed: 4)
        let created = try SecretKey.createFile(dataDirectory: dir.path, using: &generator)
        var info = stat()
        #expect(stat(dir.path + "/secret.key", &info) == 0 && info.st_mode & 0o777 == 0o600)
        let loaded = try SecretKey.load(dataDirectory: dir.path, environment: [:])
        #expect(loaded.bytes == created.bytes)
        #expect(try SecretKey.load(dataDirectory: dir.path, environment: ["CAIRN_SECRET_KEY": hex]).bytes == fromEnvironment.bytes)
        #expect(configurationError { _ = try SecretKey.createFile(dataDirectory: dir.path, using: &generator) }?.code == .conflict)
        #expect(try SecretKey.load(dataDirectory: dir.path, environment: [:]).bytes == created.bytes)

        chmod(dir.path + "/secret.key", 0o644)
        let open = try #require(configurationError { _ = try SecretKey.load(dataDirectory: dir.path, environment: [:]) })
        #expect(open.code == .invalidKey && open.message.contains("0600"))
    }

    @Test("neither the key nor a resource describes itself with secrets")
    func descriptionsHideSecrets() throws {
        let key = testKey()
        let hex = SecretKey.hexText(key.bytes)
        for text in [key.description, key.debugDescription, String(reflecting: key), "\(key)"] {
            #expect(!text.contains(hex) && !text.contains(hex.prefix(8)))
        }
        let resource = Resource(id: "mail", name: "Mail", type: "smtp",
                                credentials: try SealedCredentials.seal(credentials, key: key, resourceID: "mail", slot: .production))
        for text in [resource.description, resource.debugDescription, String(reflecting: resource), "\(resource)",
                     JSONValue.object(ConfigurationObject.resource(resource).maskedJSON).description] {
            #expect(!text.contains("horse") && !text.contains(resource.credentials!.text), "\(text)")
        }
        var dumped = ""
        dump(resource, to: &dumped)
        #expect(!dumped.contains("horse"))
    }

    @Test("credentials in clear in a file are sealed on reading; without a key that is a clear error")
    func clearCredentialsInFiles() throws {
        let yaml = Array("kind: resource\nid: mail\nname: Mail\ntype: smtp\ncredentials:\n  production: {password: hunter2}\n  test: {password: test-pw}\n".utf8)
        let json = try ConfigurationFiles.objects(in: yaml, json: false)[0]
        let missing = try #require(configurationError { _ = try ConfigurationFiles.sealingCredentials(json, key: noKey) })
        #expect(missing.code == .missingKey)
        let key = testKey()
        let sealed = try ConfigurationFiles.sealingCredentials(json, key: { key })
        guard case .resource(let resource) = try ConfigurationObject(json: sealed) else { Issue.record("not a resource"); return }
        #expect(!JSONValue.object(resource.json).description.contains("hunter2"))
        #expect(try resource.openCredentials(.production, key: key) == ["password": "hunter2"])
        #expect(try resource.openCredentials(.test, key: key) == ["password": "test-pw"])
    }
}
