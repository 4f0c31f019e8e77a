import Dispatch

/// An endless, in-order sequence of a log's records from an offset, waiting for new records as
/// they are committed. Ends by throwing `.closed` when the log closes; cancellable.
public struct LogTail: AsyncSequence, Sendable {
    public typealias Element = LogRecord
    let log: DurableLog
    let offset: UInt64
    let chunkRecordsMax: Int

    public func makeAsyncIterator() -> Iterator {
        Iterator(log: log, next: offset, chunkRecordsMax: chunkRecordsMax)
    }

    public struct Iterator: AsyncIteratorProtocol {
        let log: DurableLog
        var next: UInt64
        let chunkRecordsMax: Int
        var buffered: [LogRecord] = []
        var index = 0
        let reader: ReaderBox

        init(log: DurableLog, next: UInt64, chunkRecordsMax: Int) {
            self.log = log
            self.next = next
            self.chunkRecordsMax = chunkRecordsMax
            self.reader = ReaderBox(log.makeReader())
        }

        public mutating func next() async throws -> LogRecord? {
            while index == buffered.count {
                try Task.checkCancellation()
                if log.endOffset <= next { _ = try await log.waitForEnd(beyond: next) }
                buffered = try await reader.read(from: next, maxRecords: chunkRecordsMax)
                index = 0
            }
            let record = buffered[index]
            index += 1
            next = record.offset + 1
            return record
        }
    }

    /// The iterator's reader, used by one blocking read at a time on a Dispatch queue.
    final class ReaderBox: @unchecked Sendable {
        // Safe by use: an iterator is not shared (AsyncIteratorProtocol is used from one task) and
        // awaits each read before starting the next, so the reader is never used concurrently.
        private let reader: LogReader
        init(_ reader: LogReader) { self.reader = reader }

        func read(from offset: UInt64, maxRecords: Int) async throws -> [LogRecord] {
            try await withCheckedThrowingContinuation { continuation in
                DispatchQueue.global().async {
                    continuation.resume(with: Result { try self.reader.read(from: offset, maxRecords: maxRecords) })
                }
            }
        }
    }
}
