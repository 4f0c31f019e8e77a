import ArgumentParser
import CairnEngine
import Foundation

struct TokenCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "token",
        abstract: "Create, list and revoke the access tokens of the admin API (DATA/tokens, stored hashed).",
        discussion: "Roles, permissions and the file format are described in docs/access.md.",
        subcommands: [TokenCreateCommand.self, TokenListCommand.self, TokenRevokeCommand.self]
    )
}

struct TokenCreateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "create",
        abstract: "Create an access token and print it, once.",
        discussion: """
            The token alone goes to standard output (TOKEN=$(cairn token create …) keeps it), the \
            notes to standard error. Only its SHA-256 is stored: it cannot be shown again, and a \
            lost token is revoked and replaced.
            """
    )

    @OptionGroup var dataOptions: DataOptions

    @Argument(help: "The token's name: 1 to 64 characters of a-z, 0-9, '-', '_' and '.'.")
    var name: String

    @Option(help: "admin (everything), auditor (read everything, change nothing) or reader (profiles and changes).")
    var role: String

    func validate() throws {
        guard Role(rawValue: role) != nil else {
            throw ValidationError("--role must be one of \(Role.allCases.map(\.rawValue).joined(separator: ", ")), got '\(role)'")
        }
        do { try AccessToken.validateName(name) } catch { throw ValidationError(error.message) }
    }

    func run() throws {
        let tokens = try AccessTokens.open(dataDirectory: dataOptions.data)
        let token = try tokens.create(name: name, role: Role(rawValue: role)!)
        // Unbuffered, so that it comes before the notes when both go to one terminal or pipe.
        FileHandle.standardOutput.write(Data((token + "\n").utf8))
        printNote("created the \(role) token '\(name)' in \(tokens.path)")
        printNote("store it now: it cannot be shown again (only its SHA-256 is kept)")
    }
}

struct TokenListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "Print the access tokens in name order: name, role and creation time, tab-separated.",
        discussion: "The tokens themselves are not stored, so they cannot be listed."
    )

    @OptionGroup var dataOptions: DataOptions

    func run() throws {
        let tokens = try AccessTokens.open(dataDirectory: dataOptions.data)
        let list = try tokens.list()
        if list.isEmpty { printNote("no access tokens in \(tokens.path)") }
        for token in list { print("\(token.name)\t\(token.role.rawValue)\t\(Timestamp.iso8601(token.createdAtMicros))") }
    }
}

struct TokenRevokeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "revoke",
        abstract: "Revoke an access token: it stops working at once, in running servers too."
    )

    @OptionGroup var dataOptions: DataOptions

    @Argument(help: "The token's name.")
    var name: String

    func run() throws {
        let revoked = try AccessTokens.open(dataDirectory: dataOptions.data).revoke(name: name)
        print("revoked the \(revoked.role.rawValue) token '\(revoked.name)'")
    }
}

/// A line for the person at the terminal, on standard error, apart from the output proper.
private func printNote(_ line: String) {
    FileHandle.standardError.write(Data((line + "\n").utf8))
}
