/// A record read from the log.
public struct LogRecord: Sendable, Equatable {
    /// Position in the log: dense, from 0.
    public var offset: UInt64
    /// When the log accepted the record, in microseconds since the Unix epoch, from the log's
    /// clock; never decreasing along the log.
    public var timestamp: Int64
    /// A small tag chosen by the appender.
    public var kind: UInt16
    /// An optional key chosen by the appender.
    public var key: [UInt8]?
    /// The payload, exactly as appended.
    public var payload: [UInt8]

    public init(offset: UInt64, timestamp: Int64, kind: UInt16, key: [UInt8]?, payload: [UInt8]) {
        self.offset = offset
        self.timestamp = timestamp
        self.kind = kind
        self.key = key
        self.payload = payload
    }
}

/// A record to append. The log assigns its offset and timestamp.
public struct AppendRecord: Sendable, Equatable {
    public var kind: UInt16
    public var key: [UInt8]?
    public var payload: [UInt8]

    public init(kind: UInt16 = 0, key: [UInt8]? = nil, payload: [UInt8]) {
        self.kind = kind
        self.key = key
        self.payload = payload
    }

    /// Bytes the record takes inside an uncompressed batch.
    var encodedLength: Int { RecordCodec.overhead + (key?.count ?? 0) + payload.count }
}

/// A record seen in place, without copying: the buffers are valid only during the closure that
/// receives the view.
public struct RecordView {
    public let offset: UInt64
    public let timestamp: Int64
    public let kind: UInt16
    public let key: UnsafeRawBufferPointer?
    public let payload: UnsafeRawBufferPointer

    /// A copy that outlives the closure.
    public func copy() -> LogRecord {
        LogRecord(offset: offset, timestamp: timestamp, kind: kind, key: key.map { Array($0) }, payload: Array(payload))
    }
}
