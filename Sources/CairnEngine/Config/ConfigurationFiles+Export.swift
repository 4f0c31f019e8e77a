import CairnModel
import Foundation
import Yams

extension ConfigurationFiles {
    /// What an export did, paths relative to the directory.
    public struct ExportSummary: Sendable, Equatable {
        /// Files written because they were new or their content changed.
        public var written: [String] = []
        /// Files left as they were, their content being the same.
        public var unchanged: [String] = []
        /// Configuration files of a kind's folder that no current object has, removed.
        public var removed: [String] = []
    }

    /// Writes every current object to `directory/<kind>/<id>.<format>`, keys in a fixed order
    /// (`kind` first, then the others sorted), so that exporting the same configuration twice
    /// gives the same bytes. Credentials stay sealed: the files hold the sealed text, which
    /// `config apply` takes back as it is (with the same key). Files are replaced atomically;
    /// configuration files in the kinds' folders that no current object has are removed, so that
    /// the folder mirrors the configuration.
    ///
    /// - Throws: ``ConfigurationError`` `invalidFile` on I/O errors.
    @discardableResult
    public static func export(_ state: ConfigurationState, to directory: String, format: Format) throws(ConfigurationError) -> ExportSummary {
        var summary = ExportSummary()
        let manager = FileManager.default
        for kind in ConfigurationKind.allCases {
            let folder = directory + "/" + kind.rawValue
            let entries = state.entries(of: kind)
            var keep: Set<String> = []
            if !entries.isEmpty {
                do { try manager.createDirectory(atPath: folder, withIntermediateDirectories: true) } catch {
                    throw ConfigurationError(.invalidFile, file: folder, "cannot be created: \(error.localizedDescription)")
                }
            }
            for entry in entries {
                let name = entry.object.id + "." + format.rawValue
                let path = kind.rawValue + "/" + name
                keep.insert(name)
                let bytes = Array(text(entry.object.json, format: format).utf8)
                if (try? readFile(directory + "/" + path)) == bytes {
                    summary.unchanged.append(path)
                    continue
                }
                do { try Data(bytes).write(to: URL(fileURLWithPath: directory + "/" + path), options: .atomic) } catch {
                    throw ConfigurationError(.invalidFile, file: path, "cannot be written: \(error.localizedDescription)")
                }
                summary.written.append(path)
            }
            let existing = (try? manager.contentsOfDirectory(atPath: folder)) ?? []
            for name in existing.sorted() where !keep.contains(name) && !name.hasPrefix(".") && extensions.contains((name as NSString).pathExtension) {
                do { try manager.removeItem(atPath: folder + "/" + name) } catch {
                    throw ConfigurationError(.invalidFile, file: kind.rawValue + "/" + name, "cannot be removed: \(error.localizedDescription)")
                }
                summary.removed.append(kind.rawValue + "/" + name)
            }
        }
        return summary
    }

    /// One object's file text: `kind` first, then the other keys sorted; ends with a newline.
    public static func text(_ object: JSONObject, format: Format) -> String {
        switch format {
        case .json: return prettyJSON(.object(object), indent: "", kindFirst: true) + "\n"
        case .yaml:
            do {
                return try Yams.serialize(node: yamlNode(.object(object), kindFirst: true), indent: 2, width: -1, allowUnicode: true)
            } catch {
                // The emitter fails only on a malformed event stream, which a node tree built
                // here never makes: a programmer error.
                preconditionFailure("YAML emitter failed: \(error)")
            }
        }
    }

    /// Keys in text order: `kind` first when asked, then the rest in the object's (sorted) order.
    private static func orderedEntries(_ object: JSONObject, kindFirst: Bool) -> [JSONObject.Entry] {
        guard kindFirst, let kind = object["kind"] else { return object.entries }
        return [JSONObject.Entry(key: "kind", value: kind)] + object.entries.filter { $0.key != "kind" }
    }

    /// A YAML node that reads back as `value`: strings that would read as something else
    /// (`yes`, `12`, `null`, an empty string) are double-quoted; multi-line ones are literal blocks.
    static func yamlNode(_ value: JSONValue, kindFirst: Bool = false) -> Node {
        switch value {
        case .null: return Node("null", Tag(.null), .plain)
        case .bool(let flag): return Node(flag ? "true" : "false", Tag(.bool), .plain)
        case .integer(let integer): return Node(String(integer), Tag(.int), .plain)
        case .number(let number): return Node(number.isFinite ? "\(number)" : "null", Tag(number.isFinite ? .float : .null), .plain)
        case .string(let text):
            let plain = Node(text)
            let safe = !text.isEmpty && Resolver.default.resolveTag(of: plain) == .str && text.trimmingWhiteSpace() == text
            let style: Node.Scalar.Style = !safe ? .doubleQuoted : text.contains("\n") ? .literal : .any
            return Node(text, Tag(.str), style)
        case .array(let elements):
            return Node(elements.map { yamlNode($0) }, Tag(.seq), .block)
        case .object(let object):
            let pairs = orderedEntries(object, kindFirst: kindFirst).map { (yamlKey($0.key), yamlNode($0.value)) }
            return Node(pairs, Tag(.map), .block)
        }
    }

    private static func yamlKey(_ key: String) -> Node {
        let plain = Node(key)
        let safe = !key.isEmpty && Resolver.default.resolveTag(of: plain) == .str && key.trimmingWhiteSpace() == key && !key.contains("\n")
        return Node(key, Tag(.str), safe ? .any : .doubleQuoted)
    }

    /// Indented JSON, two spaces a level.
    static func prettyJSON(_ value: JSONValue, indent: String, kindFirst: Bool = false) -> String {
        let inner = indent + "  "
        switch value {
        case .array(let elements) where !elements.isEmpty:
            return "[\n" + elements.map { inner + prettyJSON($0, indent: inner) }.joined(separator: ",\n") + "\n" + indent + "]"
        case .object(let object) where !object.isEmpty:
            let members = orderedEntries(object, kindFirst: kindFirst).map { entry in
                inner + JSONValue.string(entry.key).description + ": " + prettyJSON(entry.value, indent: inner)
            }
            return "{\n" + members.joined(separator: ",\n") + "\n" + indent + "}"
        default:
            return value.description
        }
    }
}
