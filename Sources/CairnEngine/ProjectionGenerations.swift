import CairnLog
import Foundation

/// The generations of the projection store under `projections/`: directories named by number,
/// and the `CURRENT` file naming the one in use. Switching generation is one atomic rename of a
/// freshly written and synced `CURRENT.tmp`, followed by a directory fsync.
struct ProjectionGenerations {
    let root: String

    struct Generation {
        let number: UInt64
        let path: String
    }

    private var currentFile: String { root + "/CURRENT" }

    func path(_ number: UInt64) -> String { root + "/" + String(number) }

    /// The generation in use (generation 0 when none was ever switched to).
    func current() throws -> Generation {
        let storage = PosixStorage()
        try storage.createDirectory(root)
        guard storage.exists(currentFile) else { return Generation(number: 0, path: path(0)) }
        let file = try storage.openFile(currentFile, create: false)
        defer { file.close() }
        let text = String(decoding: try file.read(at: 0, count: 64), as: UTF8.self).split(separator: "\n").first.map(String.init) ?? ""
        guard let number = UInt64(text) else {
            throw EngineError(.corruptedProjection, "\(currentFile) does not name a generation: '\(text)'")
        }
        return Generation(number: number, path: path(number))
    }

    /// Makes `number` the generation in use, atomically and durably.
    func switchTo(_ number: UInt64) throws {
        try PosixStorage().replaceFile(directory: root, name: "CURRENT", with: Array("\(number)\n".utf8))
    }

    /// Removes a generation's directory, if it exists.
    func remove(_ number: UInt64) throws {
        if FileManager.default.fileExists(atPath: path(number)) { try FileManager.default.removeItem(atPath: path(number)) }
    }
}
