/// An access token as the API sees it once verified: who it is and what it may do. Never holds
/// the token or its hash.
public struct AccessToken: Sendable, Equatable, CustomStringConvertible {
    /// Unique among the tokens; see ``validateName(_:)``.
    public let name: String
    public let role: Role
    /// When it was created, in microseconds since the Unix epoch.
    public let createdAtMicros: Int64

    public init(name: String, role: Role, createdAtMicros: Int64) {
        self.name = name
        self.role = role
        self.createdAtMicros = createdAtMicros
    }

    public var description: String { "\(name) (\(role.rawValue))" }

    /// The longest name, in characters.
    public static let nameCountMax = 64

    /// Checks that `name` is 1 to 64 characters of `a`-`z`, `0`-`9`, `-`, `_` and `.`.
    ///
    /// - Throws: ``EngineError`` `invalidArgument` naming the rule broken and, for a character
    ///   outside the set, the character and its position (from 1).
    public static func validateName(_ name: String) throws(EngineError) {
        let characters = Array(name.unicodeScalars)
        guard !characters.isEmpty else { throw EngineError(.invalidArgument, "a token name cannot be empty") }
        guard characters.count <= nameCountMax else {
            throw EngineError(.invalidArgument, "the token name '\(name.prefix(nameCountMax))…' is \(characters.count) characters long; at most \(nameCountMax)")
        }
        for (index, character) in characters.enumerated() where !isNameCharacter(character) {
            throw EngineError(.invalidArgument,
                              "the token name '\(name)' has '\(character.escaped(asASCII: true))' at position \(index + 1); use only a-z, 0-9, '-', '_' and '.'")
        }
    }

    private static func isNameCharacter(_ character: Unicode.Scalar) -> Bool {
        switch character {
        case "a"..."z", "0"..."9", "-", "_", ".": true
        default: false
        }
    }
}
