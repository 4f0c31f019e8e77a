import Dispatch

/// Builds batch frames for one commit group: `cut` names the records of each batch, and `finish`
/// encodes and compresses every batch (in parallel when there are several) and frames them in
/// order into `frames`, each behind a filled-in header with its CRC and
/// chain link. Owned by the writer; not thread-safe. Buffers and zstd contexts are kept from group
/// to group, so the hot path neither allocates nor zero-fills; their number is bounded by the
/// batches of one group (`groupBytesMax / batchBytesMax`, plus one).
final class BatchEncoder {
    /// One batch in preparation: its records, then its compressed payload.
    private final class Slot: @unchecked Sendable {
        // Sendable for `concurrentPerform`: during `finish` each slot is touched by exactly one
        // iteration, and the writer waits for all of them before using the slots again.
        let body = ByteBuffer(capacity: 1 << 20)
        let compressed = ByteBuffer(capacity: 1 << 16)
        var compressor: ZstdCompressor?
        var parts: [ArraySlice<AppendRecord>] = []
        var recordCount = 0
        var baseOffset: UInt64 = 0
        var error: (any Error)?

        /// Encodes the batch's records into `body`, then compresses it into `compressed` (or
        /// copies it when uncompressed).
        func compress(level: Int32?, timestamp: Int64) {
            body.removeAll()
            for part in parts {
                for record in part { RecordCodec.append(record, timestamp: timestamp, to: body) }
            }
            compressed.removeAll()
            let source = body.bytes(0..<body.count)
            guard let level else {
                compressed.reserve(source.count)
                compressed.spare.copyMemory(from: source)
                compressed.commit(source.count)
                return
            }
            if compressor == nil { compressor = ZstdCompressor(level: level) }
            do {
                compressed.reserve(ZstdCompressor.bound(source.count))
                compressed.commit(try compressor!.compress(source, into: compressed.spare))
            } catch {
                self.error = error
            }
        }
    }

    private let compressionLevel: Int32?
    private var slots: [Slot] = []
    /// Slots holding closed batches; `slots[closed]` (when it exists) takes new records.
    private var closed = 0
    /// Framed batches, ready to be written; cleared by the next `finish`.
    let frames = ByteBuffer(capacity: 1 << 20)

    /// - Parameter compressionLevel: a zstd level, or nil to store batches uncompressed.
    init(compressionLevel: Int32?) {
        self.compressionLevel = compressionLevel
    }

    /// Adds a batch holding the records of `parts`, in order, whose first has offset `baseOffset`.
    /// The records are encoded and compressed by `finish`, in parallel with the other batches.
    func cut(_ parts: [ArraySlice<AppendRecord>], baseOffset: UInt64) {
        let count = parts.reduce(0) { $0 + $1.count }
        precondition(count > 0, "a batch holds at least one record")
        if closed == slots.count { slots.append(Slot()) }
        let slot = slots[closed]
        slot.parts = parts
        slot.recordCount = count
        slot.baseOffset = baseOffset
        closed += 1
    }

    /// Compresses and frames every closed batch into `frames` (replacing what was there), all
    /// records stamped `timestamp`, chained from `previous`. Returns each batch's header and its
    /// byte position within `frames`. Throws only when compression fails.
    func finish(timestamp: Int64, previous: ChainLink) throws -> [(header: BatchHeader, position: Int)] {
        let batches = Array(slots[0..<closed])
        let level = compressionLevel
        if batches.count == 1 {
            batches[0].compress(level: level, timestamp: timestamp)
        } else {
            DispatchQueue.concurrentPerform(iterations: batches.count) { batches[$0].compress(level: level, timestamp: timestamp) }
        }
        defer {
            for slot in batches {
                slot.parts = []
                slot.recordCount = 0
                slot.error = nil
            }
            closed = 0
        }
        if let error = batches.first(where: { $0.error != nil })?.error { throw error }

        frames.removeAll()
        var link = previous
        var framed: [(header: BatchHeader, position: Int)] = []
        framed.reserveCapacity(batches.count)
        for slot in batches {
            let start = frames.appendZeros(BatchHeader.size)
            precondition(slot.body.count <= BatchHeader.payloadBytesLimit, "batch over the payload limit")
            let payloadStart = start + BatchHeader.size
            frames.reserve(slot.compressed.count)
            frames.spare.copyMemory(from: slot.compressed.bytes(0..<slot.compressed.count))
            frames.commit(slot.compressed.count)
            var header = BatchHeader(
                codec: level == nil ? .none : .zstd,
                baseOffset: slot.baseOffset,
                recordCount: UInt32(slot.recordCount),
                storedLength: UInt32(slot.compressed.count),
                uncompressedLength: UInt32(slot.body.count),
                firstTimestamp: timestamp,
                lastTimestamp: timestamp,
                link: link,
                crc: 0
            )
            let headerBytes = frames.mutableBytes(start..<payloadStart)
            let payload = frames.bytes(payloadStart..<frames.count)
            header.encode(into: headerBytes)
            header.link = link.next(header: UnsafeRawBufferPointer(rebasing: headerBytes[0..<BatchHeader.linkedPrefix]), payload: payload)
            header.encode(into: headerBytes)
            header.crc = BatchHeader.computeCRC(header: UnsafeRawBufferPointer(headerBytes), payload: payload)
            header.encode(into: headerBytes)
            link = header.link
            framed.append((header, start))
        }
        return framed
    }

    /// One batch holding `records`, appended to `out` (for tools and tests; the writer uses
    /// `cut`/`finish` and writes `frames` directly).
    func encode(_ records: ArraySlice<AppendRecord>, baseOffset: UInt64, timestamp: Int64, previous: ChainLink,
                into out: inout [UInt8]) throws -> BatchHeader {
        precondition(closed == 0, "encode on an encoder with pending work")
        cut([records], baseOffset: baseOffset)
        let header = try finish(timestamp: timestamp, previous: previous)[0].header
        out.append(contentsOf: frames.bytes(0..<frames.count))
        return header
    }
}
