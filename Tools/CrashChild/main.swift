// A child process for the crash tests and `make torture`: appends to a log with fsync `always`
// from several concurrent tasks and prints one line per acknowledged append, flushed at once:
//
//     ack <offset> <tag>
//
// where the record's payload starts with `<tag>`. The parent kills this process with SIGKILL at a
// random moment, reopens the log, and checks that every acknowledged offset holds its payload.
//
// Usage: cairn-crash-child DIRECTORY SEED [SEGMENT_BYTES]
import CairnLog
import Glibc

func complain(_ message: String) {
    let bytes = Array((message + "\n").utf8)
    _ = bytes.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
}

let arguments = CommandLine.arguments
guard arguments.count >= 3, let seed = UInt64(arguments[2]) else {
    complain("usage: cairn-crash-child DIRECTORY SEED [SEGMENT_BYTES]")
    exit(2)
}
let directory = arguments[1]
var configuration = LogConfiguration()
configuration.fsync = .always
configuration.segmentBytesMax = arguments.count > 3 ? UInt64(arguments[3]) ?? 64 << 10 : 64 << 10
configuration.batchBytesMax = 16 << 10

/// Writes a line to stdout with one write(2), so that a kill never leaves half a line that
/// claims an acknowledgement.
func emit(_ line: String) {
    var bytes = Array(line.utf8)
    bytes.append(UInt8(ascii: "\n"))
    bytes.withUnsafeBytes { raw in
        var done = 0
        while done < raw.count {
            let n = write(1, raw.baseAddress! + done, raw.count - done)
            if n <= 0 { exit(3) }
            done += n
        }
    }
}

let log: DurableLog
do {
    log = try DurableLog.openBlocking(directory: directory, configuration: configuration)
} catch {
    complain("open failed: \(error)")
    exit(1)
}
emit("open \(log.endOffset)")

await withTaskGroup(of: Void.self) { group in
    for task in 0..<4 {
        group.addTask {
            var state = seed &+ UInt64(task) &* 0x9E37_79B9_7F4A_7C15
            var sequence = 0
            while true {
                state = state &* 6364136223846793005 &+ 1442695040888963407
                let count = Int(state >> 60) + 1
                var records: [AppendRecord] = []
                var tags: [String] = []
                for _ in 0..<count {
                    let tag = "s\(seed)-t\(task)-n\(sequence)"
                    sequence += 1
                    let padding = Int((state >> 33) % 700)
                    records.append(AppendRecord(kind: 1, payload: Array(tag.utf8) + Array(repeating: UInt8(ascii: "."), count: padding)))
                    tags.append(tag)
                }
                do {
                    let first = try await log.append(records)
                    for (i, tag) in tags.enumerated() { emit("ack \(first + UInt64(i)) \(tag)") }
                } catch {
                    complain("append failed: \(error)")
                    exit(1)
                }
            }
        }
    }
}
