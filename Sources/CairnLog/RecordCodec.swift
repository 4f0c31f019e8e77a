/// The layout of records inside a batch's uncompressed payload.
///
/// Records follow each other with no padding; each is
///
///     0   u32  length      bytes after this field (14 + key length + payload length)
///     4   i64  timestamp   microseconds since the Unix epoch
///     12  u16  kind
///     14  u32  keyLength   0xFFFFFFFF when the record has no key
///     18       key bytes, then payload bytes
///
/// Offsets are not stored per record: record i of a batch has offset `baseOffset + i`.
enum RecordCodec {
    static let overhead = 18
    static let noKey = UInt32.max

    static func append(_ record: AppendRecord, timestamp: Int64, to out: ByteBuffer) {
        let keyCount = record.key?.count ?? 0
        out.reserve(overhead + keyCount + record.payload.count)
        out.appendLE(UInt32(14 + keyCount + record.payload.count))
        out.appendLE(timestamp)
        out.appendLE(record.kind)
        out.appendLE(record.key.map { UInt32($0.count) } ?? noKey)
        if let key = record.key { out.append(key) }
        out.append(record.payload)
    }

    static func append(_ record: AppendRecord, timestamp: Int64, to out: inout [UInt8]) {
        let buffer = ByteBuffer(capacity: record.encodedLength)
        append(record, timestamp: timestamp, to: buffer)
        out.append(contentsOf: buffer.bytes(0..<buffer.count))
    }

    /// Walks the records of an uncompressed payload, checking the framing against the header.
    /// Stops early, returning true, when `body` returns false. Returns a description of the first
    /// framing problem through `problem` (a batch whose CRC matched but whose records do not frame
    /// is corrupt, or was written by a broken writer).
    static func forEach(
        in payload: UnsafeRawBufferPointer,
        header: BatchHeader,
        body: (RecordView) throws -> Bool
    ) throws -> String? {
        var position = 0
        var previousTimestamp = header.firstTimestamp
        for index in 0..<Int(header.recordCount) {
            guard payload.count - position >= overhead else { return "record \(index) header runs past the batch" }
            let length = Int(payload.le(UInt32.self, at: position))
            guard length >= overhead - 4, length <= payload.count - position - 4 else {
                return "record \(index) length \(length) runs past the batch"
            }
            let timestamp = payload.le(Int64.self, at: position + 4)
            guard timestamp >= previousTimestamp, timestamp <= header.lastTimestamp, index > 0 || timestamp == header.firstTimestamp else {
                return "record \(index) timestamp \(timestamp) outside the batch's range"
            }
            previousTimestamp = timestamp
            let kind = payload.le(UInt16.self, at: position + 12)
            let rawKeyLength = payload.le(UInt32.self, at: position + 14)
            let keyLength = rawKeyLength == noKey ? 0 : Int(rawKeyLength)
            guard keyLength <= length - 14 else { return "record \(index) key length \(keyLength) runs past the record" }
            let keyStart = position + overhead
            let payloadStart = keyStart + keyLength
            let end = position + 4 + length
            let view = RecordView(
                offset: header.baseOffset + UInt64(index),
                timestamp: timestamp,
                kind: kind,
                key: rawKeyLength == noKey ? nil : UnsafeRawBufferPointer(rebasing: payload[keyStart..<payloadStart]),
                payload: UnsafeRawBufferPointer(rebasing: payload[payloadStart..<end])
            )
            position = end
            if try !body(view) { return nil }
        }
        guard position == payload.count else { return "\(payload.count - position) stray bytes after the last record" }
        guard previousTimestamp == header.lastTimestamp else { return "last record's timestamp differs from the header's" }
        return nil
    }
}
