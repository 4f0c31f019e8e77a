import Dispatch
import Glibc

/// Reads a file (or standard input) in large chunks on a Dispatch queue, off the cooperative pool,
/// and splits it into lines (without the `\n`). A last line without `\n` counts as a line.
final class LineReader: @unchecked Sendable {
    // Safe by use: the reader is driven by one task, one `nextLines()` at a time, each awaited
    // before the next starts.
    private let fd: Int32
    private let ownsDescriptor: Bool
    private var carry: [UInt8] = []
    private var finished = false
    let chunkBytes: Int

    /// Opens `path`, or standard input for "-". Throws a message naming the file.
    init(path: String, chunkBytes: Int = 4 << 20) throws {
        self.chunkBytes = chunkBytes
        if path == "-" {
            fd = 0
            ownsDescriptor = false
        } else {
            fd = open(path, O_RDONLY | O_CLOEXEC)
            guard fd >= 0 else { throw CLIError("cannot open \(path): \(String(cString: strerror(errno)))") }
            ownsDescriptor = true
        }
    }

    deinit { if ownsDescriptor { close(fd) } }

    /// The next lines, or nil at the end of the input.
    func nextLines() async throws -> [ArraySlice<UInt8>]? {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async {
                continuation.resume(with: Result { try self.readLines() })
            }
        }
    }

    private func readLines() throws -> [ArraySlice<UInt8>]? {
        while true {
            if finished {
                guard !carry.isEmpty else { return nil }
                defer { carry = [] }
                return [carry[...]]
            }
            var chunk = [UInt8](repeating: 0, count: chunkBytes)
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, chunkBytes) }
            if n < 0 {
                if errno == EINTR { continue }
                throw CLIError("read failed: \(String(cString: strerror(errno)))")
            }
            if n == 0 { finished = true; continue }
            chunk.removeLast(chunkBytes - n)
            let data = carry + chunk
            guard let lastNewline = data.lastIndex(of: UInt8(ascii: "\n")) else {
                carry = data
                continue
            }
            carry = Array(data[(lastNewline + 1)...])
            return data[..<lastNewline].split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
        }
    }
}

/// An error the CLI reports as is.
struct CLIError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
