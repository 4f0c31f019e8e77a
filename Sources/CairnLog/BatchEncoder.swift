import CZstd

/// Builds batch frames: records are added one by one into an uncompressed body; `seal` compresses
/// the body into `frames` behind a filled-in header (CRC and chain link included). Owned by the
/// writer; not thread-safe. Buffers are reused from batch to batch, so the hot path neither
/// allocates nor zero-fills.
final class BatchEncoder {
    private let compressor: ZstdCompressor?
    private let body = ByteBuffer(capacity: 1 << 20)
    /// Framed batches, ready to be written; the caller clears it after writing.
    let frames = ByteBuffer(capacity: 1 << 20)
    /// Records added since the last `seal`.
    private(set) var pendingRecords = 0

    /// - Parameter compressionLevel: a zstd level, or nil to store batches uncompressed.
    init(compressionLevel: Int32?) {
        compressor = compressionLevel.map { ZstdCompressor(level: $0) }
    }

    /// Uncompressed bytes added since the last `seal`.
    var pendingBytes: Int { body.count }

    func add(_ record: AppendRecord, timestamp: Int64) {
        RecordCodec.append(record, timestamp: timestamp, to: body)
        pendingRecords += 1
    }

    /// Frames the records added since the last seal as one batch at the end of `frames`, every
    /// record stamped with `timestamp`; returns its header. Throws only when compression fails.
    func seal(baseOffset: UInt64, timestamp: Int64, previous: ChainLink) throws -> BatchHeader {
        precondition(pendingRecords > 0, "a batch holds at least one record")
        precondition(body.count <= BatchHeader.payloadBytesLimit, "batch over the payload limit")
        let start = frames.appendZeros(BatchHeader.size)
        let source = body.bytes(0..<body.count)
        let codec: BatchHeader.Codec
        if let compressor {
            codec = .zstd
            frames.reserve(ZstdCompressor.bound(source.count))
            frames.commit(try compressor.compress(source, into: frames.spare))
        } else {
            codec = .none
            frames.reserve(source.count)
            frames.spare.copyMemory(from: source)
            frames.commit(source.count)
        }
        let payloadStart = start + BatchHeader.size
        var header = BatchHeader(
            codec: codec,
            baseOffset: baseOffset,
            recordCount: UInt32(pendingRecords),
            storedLength: UInt32(frames.count - payloadStart),
            uncompressedLength: UInt32(body.count),
            firstTimestamp: timestamp,
            lastTimestamp: timestamp,
            link: previous,
            crc: 0
        )
        let headerBytes = frames.mutableBytes(start..<payloadStart)
        let payload = frames.bytes(payloadStart..<frames.count)
        header.encode(into: headerBytes)
        header.link = previous.next(header: UnsafeRawBufferPointer(rebasing: headerBytes[0..<BatchHeader.linkedPrefix]), payload: payload)
        header.encode(into: headerBytes)
        header.crc = BatchHeader.computeCRC(header: UnsafeRawBufferPointer(headerBytes), payload: payload)
        header.encode(into: headerBytes)
        body.removeAll()
        pendingRecords = 0
        return header
    }

    /// One batch holding `records`, appended to `out` (for tools and tests; the writer uses
    /// `add`/`seal` and writes `frames` directly).
    func encode(_ records: ArraySlice<AppendRecord>, baseOffset: UInt64, timestamp: Int64, previous: ChainLink,
                into out: inout [UInt8]) throws -> BatchHeader {
        precondition(frames.count == 0 && pendingRecords == 0, "encode on an encoder with pending work")
        for record in records { add(record, timestamp: timestamp) }
        let header = try seal(baseOffset: baseOffset, timestamp: timestamp, previous: previous)
        out.append(contentsOf: frames.bytes(0..<frames.count))
        frames.removeAll()
        return header
    }
}
