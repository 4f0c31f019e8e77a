/// Builds batch frames: encodes records, compresses them, fills in the header, the CRC and the
/// chain link. Owned by the writer; not thread-safe. Buffers are reused from batch to batch.
final class BatchEncoder {
    private let compressor: ZstdCompressor?
    private var body: [UInt8] = []

    /// - Parameter compressionLevel: a zstd level, or nil to store batches uncompressed.
    init(compressionLevel: Int32?) {
        compressor = compressionLevel.map { ZstdCompressor(level: $0) }
    }

    /// Appends one framed batch holding `records` to `frames`; returns its header.
    ///
    /// All records get `timestamp`. Throws only when compression fails.
    func encode(
        _ records: ArraySlice<AppendRecord>,
        baseOffset: UInt64,
        timestamp: Int64,
        previous: ChainLink,
        into frames: inout [UInt8]
    ) throws -> BatchHeader {
        precondition(!records.isEmpty, "a batch holds at least one record")
        body.removeAll(keepingCapacity: true)
        for record in records {
            RecordCodec.append(record, timestamp: timestamp, to: &body)
        }
        precondition(body.count <= BatchHeader.payloadBytesLimit, "batch over the payload limit")

        let start = frames.count
        frames.append(contentsOf: repeatElement(0, count: BatchHeader.size))
        let codec: BatchHeader.Codec
        let storedLength: Int
        if let compressor {
            codec = .zstd
            storedLength = try body.withUnsafeBytes {
                try compressor.compress($0, into: &frames, at: start + BatchHeader.size)
            }
            frames.removeLast(frames.count - (start + BatchHeader.size + storedLength))
        } else {
            codec = .none
            storedLength = body.count
            frames.append(contentsOf: body)
        }

        var header = BatchHeader(
            codec: codec,
            baseOffset: baseOffset,
            recordCount: UInt32(records.count),
            storedLength: UInt32(storedLength),
            uncompressedLength: UInt32(body.count),
            firstTimestamp: timestamp,
            lastTimestamp: timestamp,
            link: previous,
            crc: 0
        )
        frames.withUnsafeMutableBytes { raw in
            let frame = UnsafeMutableRawBufferPointer(rebasing: raw[start..<(start + BatchHeader.size + storedLength)])
            let headerBytes = UnsafeMutableRawBufferPointer(rebasing: frame[0..<BatchHeader.size])
            let payload = UnsafeRawBufferPointer(rebasing: frame[BatchHeader.size...])
            header.encode(into: headerBytes)
            header.link = previous.next(
                header: UnsafeRawBufferPointer(rebasing: headerBytes[0..<BatchHeader.linkedPrefix]),
                payload: payload
            )
            header.encode(into: headerBytes)
            header.crc = BatchHeader.computeCRC(header: UnsafeRawBufferPointer(headerBytes), payload: payload)
            header.encode(into: headerBytes)
        }
        return header
    }
}
