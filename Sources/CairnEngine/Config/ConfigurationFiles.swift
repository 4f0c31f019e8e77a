import CairnModel
import Foundation
import Yams

/// Configuration kept as files, one object per file or a list of objects per file, so that a
/// team keeps it in version control: ``load(directory:key:)`` reads them for `config apply`,
/// ``export(_:to:format:)`` writes the current configuration for `config export`.
///
/// Files are YAML (`.yaml`, `.yml`) or JSON (`.json`); every such file under the directory is
/// read, sub-directories included, in path order; hidden files and folders (names starting with
/// `.`) and files with other extensions are skipped. Each object has a `kind:` field naming its
/// kind (see docs/configuration.md).
public enum ConfigurationFiles {
    public static let fileBytesMax = 1 << 20
    public static let filesMax = 10_000
    public static let objectsMax = 10_000
    static let depthMax = 64
    static let extensions = ["yaml", "yml", "json"]

    /// An object read from a file.
    public struct LoadedObject: Sendable {
        public let object: ConfigurationObject
        /// The file, relative to the directory read.
        public let file: String
    }

    public enum Format: String, Sendable, CaseIterable {
        case yaml, json
    }

    /// Reads and validates every object of the configuration files under `directory`. A
    /// resource's credentials given in clear (a slot holding an object rather than sealed text)
    /// are sealed with the key here, and so never leave this function in clear.
    ///
    /// - Throws: ``ConfigurationError``: `invalidFile` for unreadable or unparsable files,
    ///   `invalidObject` for invalid objects, `conflict` when two define the same object, each
    ///   located in its file; `missingKey` when credentials are in clear and there is no key.
    public static func load(directory: String, key: () throws(ConfigurationError) -> SecretKey) throws(ConfigurationError) -> [LoadedObject] {
        var loaded: [LoadedObject] = []
        var seen: [ConfigurationKey: String] = [:]
        for file in try files(under: directory) {
            let bytes: [UInt8]
            do throws(ConfigurationError) { bytes = try readFile(directory + "/" + file) } catch { throw error.located(in: file) }
            do throws(ConfigurationError) {
                for json in try objects(in: bytes, json: file.hasSuffix(".json")) {
                    let object = try ConfigurationObject(json: try sealingCredentials(json, key: key))
                    if let earlier = seen[object.key] {
                        throw ConfigurationError(.conflict, kind: object.kind, id: object.id, "is defined in \(earlier) too")
                    }
                    seen[object.key] = file
                    loaded.append(LoadedObject(object: object, file: file))
                    guard loaded.count <= objectsMax else { throw ConfigurationError(.invalidFile, "more than \(objectsMax) objects") }
                }
            } catch {
                throw error.located(in: file)
            }
        }
        return loaded
    }

    /// The objects of one file's text: one object, or a list of objects.
    ///
    /// - Throws: ``ConfigurationError`` `invalidFile`.
    public static func objects(in bytes: [UInt8], json: Bool) throws(ConfigurationError) -> [JSONObject] {
        let value: JSONValue
        if json {
            do { value = try JSONParser.parse(bytes) } catch { throw ConfigurationError(.invalidFile, "not valid JSON: \(error)") }
        } else {
            guard let text = String(validating: bytes, as: UTF8.self) else { throw ConfigurationError(.invalidFile, "not valid UTF-8") }
            let node: Node?
            do { node = try Yams.compose(yaml: text) } catch { throw ConfigurationError(.invalidFile, "not valid YAML: \(error)") }
            guard let node else { return [] }
            value = try jsonValue(node, depth: 0)
        }
        switch value {
        case .object(let object): return [object]
        case .array(let elements):
            var objects: [JSONObject] = []
            for (index, element) in elements.enumerated() {
                guard let object = element.objectValue else { throw ConfigurationError(.invalidFile, "element \(index) of the list is not an object") }
                objects.append(object)
            }
            return objects
        default:
            throw ConfigurationError(.invalidFile, "holds neither an object nor a list of objects")
        }
    }

    /// A YAML node as JSON: plain scalars resolve as YAML 1.1 does (`true`, `no`, `12`, `1.5`,
    /// `null`, `~`), quoted ones are strings; mapping keys are taken as written.
    static func jsonValue(_ node: Node, depth: Int) throws(ConfigurationError) -> JSONValue {
        guard depth < depthMax else { throw ConfigurationError(.invalidFile, "nests deeper than \(depthMax) levels") }
        let line = node.mark.map { " (line \($0.line))" } ?? ""
        switch node {
        case .scalar(let scalar):
            switch Resolver.default.resolveTag(of: node) {
            case .null: return .null
            case .bool:
                guard let flag = node.bool else { throw ConfigurationError(.invalidFile, "\(quoted(scalar.string)) is not a Boolean\(line)") }
                return .bool(flag)
            case .int:
                guard let integer = node.int else { throw ConfigurationError(.invalidFile, "\(scalar.string) is not an integer in range\(line)") }
                return .integer(Int64(integer))
            case .float:
                guard let number = node.float, number.isFinite else { throw ConfigurationError(.invalidFile, "\(scalar.string) is not a finite number\(line)") }
                return .number(number)
            default:
                return .string(scalar.string)
            }
        case .sequence(let sequence):
            var elements: [JSONValue] = []
            for element in sequence { elements.append(try jsonValue(element, depth: depth + 1)) }
            return .array(elements)
        case .mapping(let mapping):
            var object = JSONObject()
            for (keyNode, valueNode) in mapping {
                guard case .scalar(let key) = keyNode else { throw ConfigurationError(.invalidFile, "a mapping key is not a scalar\(line)") }
                guard object[key.string] == nil else { throw ConfigurationError(.invalidFile, "the key \(quoted(key.string)) appears twice\(line)") }
                guard key.string != "<<" || key.style != .plain else { throw ConfigurationError(.invalidFile, "merge keys (<<) are not supported\(line)") }
                object[key.string] = try jsonValue(valueNode, depth: depth + 1)
            }
            return .object(object)
        case .alias:
            throw ConfigurationError(.invalidFile, "aliases are not supported\(line)")
        }
    }

    /// A resource's JSON with credentials given in clear sealed; other objects as they are.
    static func sealingCredentials(_ json: JSONObject, key: () throws(ConfigurationError) -> SecretKey) throws(ConfigurationError) -> JSONObject {
        guard json["kind"]?.stringValue == ConfigurationKind.resource.rawValue, var slots = json["credentials"]?.objectValue,
              let id = json["id"]?.stringValue
        else { return json }
        var result = json
        for slot in [SealedCredentials.Slot.production, .test] {
            guard let plaintext = slots[slot.rawValue]?.objectValue else { continue }
            try FieldCheck.id(id, kind: .resource)
            slots[slot.rawValue] = .string(try SealedCredentials.seal(plaintext, key: key(), resourceID: id, slot: slot).text)
        }
        result["credentials"] = .object(slots)
        return result
    }

    /// The configuration files under `directory`, relative paths in order.
    static func files(under directory: String) throws(ConfigurationError) -> [String] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw ConfigurationError(.invalidFile, "\(directory) is not a directory")
        }
        guard let enumerator = FileManager.default.enumerator(atPath: directory) else {
            throw ConfigurationError(.invalidFile, "cannot list \(directory)")
        }
        var found: [String] = []
        while let path = enumerator.nextObject() as? String {
            let name = (path as NSString).lastPathComponent
            if name.hasPrefix(".") {
                if enumerator.fileAttributes?[.type] as? FileAttributeType == .typeDirectory { enumerator.skipDescendants() }
                continue
            }
            guard extensions.contains((name as NSString).pathExtension),
                  enumerator.fileAttributes?[.type] as? FileAttributeType == .typeRegular
            else { continue }
            found.append(path)
            guard found.count <= filesMax else { throw ConfigurationError(.invalidFile, "\(directory) holds more than \(filesMax) configuration files") }
        }
        return found.sorted { Array($0.utf8).lexicographicallyPrecedes($1.utf8) }
    }

    static func readFile(_ path: String) throws(ConfigurationError) -> [UInt8] {
        guard let handle = FileHandle(forReadingAtPath: path) else { throw ConfigurationError(.invalidFile, "cannot be read") }
        defer { try? handle.close() }
        let data: Data?
        do { data = try handle.read(upToCount: fileBytesMax + 1) } catch { throw ConfigurationError(.invalidFile, "cannot be read: \(error)") }
        let bytes = Array(data ?? Data())
        guard bytes.count <= fileBytesMax else { throw ConfigurationError(.invalidFile, "is over \(fileBytesMax) bytes") }
        return bytes
    }
}

extension ConfigurationFiles {
    /// A credentials object from a JSON (`.json`) or YAML file.
    ///
    /// - Throws: ``ConfigurationError`` `invalidFile` when the file cannot be read or holds
    ///   anything but one object. The message never quotes the file's content.
    public static func credentials(fromFile path: String) throws(ConfigurationError) -> JSONObject {
        do throws(ConfigurationError) {
            let objects = try objects(in: try readFile(path), json: path.hasSuffix(".json"))
            guard objects.count == 1 else { throw ConfigurationError(.invalidFile, "must hold one object of credentials") }
            return objects[0]
        } catch {
            throw error.located(in: path)
        }
    }
}
