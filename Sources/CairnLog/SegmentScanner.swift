/// Where a scan of a segment stopped, and why.
enum ScanStop: Equatable, Sendable, CustomStringConvertible {
    /// The last batch ended exactly at the end of the data.
    case endOfData
    /// Fewer than 88 bytes remained for a header.
    case truncatedHeader(position: UInt64, available: UInt64)
    /// The header was complete but the payload runs past the end of the data.
    case truncatedPayload(position: UInt64, needed: UInt64, available: UInt64)
    /// The header's own fields are invalid (bad magic, zeros, garbage).
    case badHeader(position: UInt64, problem: BatchHeader.Problem)
    /// The header decoded but the CRC over header and payload does not match.
    case badCRC(position: UInt64)
    /// CRC valid, but the batch does not continue the log: wrong base offset, timestamps going
    /// backwards, or a chain link that does not follow from the previous one.
    case discontinuity(position: UInt64, what: String)

    var position: UInt64? {
        switch self {
        case .endOfData: return nil
        case .truncatedHeader(let p, _), .truncatedPayload(let p, _, _), .badHeader(let p, _), .badCRC(let p),
            .discontinuity(let p, _):
            return p
        }
    }

    var description: String {
        switch self {
        case .endOfData: return "end of data"
        case .truncatedHeader(let p, let n): return "incomplete batch header at byte \(p) (\(n) bytes left)"
        case .truncatedPayload(let p, let need, let have):
            return "incomplete batch at byte \(p) (needs \(need) bytes, \(have) left)"
        case .badHeader(let p, let problem): return "invalid batch header at byte \(p): \(problem)"
        case .badCRC(let p): return "CRC mismatch in batch at byte \(p)"
        case .discontinuity(let p, let what): return "batch at byte \(p) does not continue the log: \(what)"
        }
    }
}

/// The outcome of scanning a segment from its first batch.
struct SegmentScan: Sendable {
    /// Byte position just after the last valid batch.
    var validEnd: UInt64
    /// Offset after the last valid batch.
    var nextOffset: UInt64
    /// Chain link of the last valid batch (the segment header's previous link when none).
    var lastLink: ChainLink
    /// Last timestamp of the last valid batch, or nil when the segment has no batch.
    var lastTimestamp: Int64?
    /// First timestamp of the first batch, or nil when the segment has no batch.
    var firstTimestamp: Int64?
    var batchCount: Int
    var recordCount: UInt64
    var uncompressedBytes: UInt64
    var index: SegmentIndex
    var stop: ScanStop
}

/// Where a scan starts when not at the first batch: an indexed batch, known to start a batch.
struct ScanStart: Equatable, Sendable {
    var position: UInt64
    var offset: UInt64
    /// The link of the batch before, when known; nil skips the first batch's link check.
    var link: ChainLink?
    var timestamp: Int64?
}

/// Reads a segment's batches in order, checking each one's header, CRC, offsets, timestamps and
/// chain link, and stops at the first that fails. Pure with respect to the decision: it reports
/// what it saw; `RecoveryDecision` decides what to do.
struct SegmentScanner {
    let file: any StorageFile
    /// Bytes of the file to consider (the file's size, or less for a live segment).
    let length: UInt64
    let header: SegmentHeader
    let indexIntervalBytes: Int

    /// Scans from `position` (the first batch when omitted). `checkCRC` false walks headers only.
    /// `visit` sees each valid batch's header, its position and its stored payload (empty when
    /// `checkCRC` is false). Throws only on I/O errors.
    func scan(
        checkCRC: Bool = true,
        from start: ScanStart? = nil,
        visit: (BatchHeader, UInt64, UnsafeRawBufferPointer) throws -> Void = { _, _, _ in }
    ) throws -> SegmentScan {
        var scan = SegmentScan(
            validEnd: start?.position ?? UInt64(SegmentHeader.size),
            nextOffset: start?.offset ?? header.baseOffset,
            lastLink: start.map { $0.link ?? header.previousLink } ?? header.previousLink,
            lastTimestamp: start?.timestamp,
            firstTimestamp: nil,
            batchCount: 0, recordCount: 0, uncompressedBytes: 0,
            index: SegmentIndex(baseOffset: header.baseOffset, intervalBytes: indexIntervalBytes),
            stop: .endOfData
        )
        // With a start that does not know the previous link, the first batch's link is taken as is.
        var checkLink = start == nil || start?.link != nil
        var headerBytes = [UInt8](repeating: 0, count: BatchHeader.size)
        var payload: [UInt8] = []
        while true {
            let position = scan.validEnd
            let available = length - position
            if available == 0 { scan.stop = .endOfData; return scan }
            if available < UInt64(BatchHeader.size) {
                scan.stop = .truncatedHeader(position: position, available: available)
                return scan
            }
            let got = try headerBytes.withUnsafeMutableBytes { try file.read(at: position, into: $0) }
            if got < BatchHeader.size {
                // The file is shorter than `length` said (it shrank under a concurrent reader).
                scan.stop = .truncatedHeader(position: position, available: UInt64(got))
                return scan
            }
            let batch: BatchHeader
            switch headerBytes.withUnsafeBytes({ BatchHeader.decode($0) }) {
            case .failure(let problem):
                scan.stop = .badHeader(position: position, problem: problem)
                return scan
            case .success(let decoded): batch = decoded
            }
            let needed = UInt64(batch.frameLength)
            if available < needed {
                scan.stop = .truncatedPayload(position: position, needed: needed, available: available)
                return scan
            }
            if checkCRC {
                if payload.count < Int(batch.storedLength) {
                    payload = [UInt8](repeating: 0, count: Int(batch.storedLength))
                }
                let got = try payload.withUnsafeMutableBytes {
                    try file.read(at: position + UInt64(BatchHeader.size), into: UnsafeMutableRawBufferPointer(rebasing: $0[0..<Int(batch.storedLength)]))
                }
                guard got == Int(batch.storedLength) else {
                    scan.stop = .truncatedPayload(position: position, needed: needed, available: UInt64(BatchHeader.size + got))
                    return scan
                }
            }
            let stored = Int(batch.storedLength)
            let problem: ScanStop? = headerBytes.withUnsafeBytes { rawHeader in
                payload.withUnsafeBytes { rawPayload in
                    let body = checkCRC ? UnsafeRawBufferPointer(rebasing: rawPayload[0..<stored]) : UnsafeRawBufferPointer(rebasing: rawPayload[0..<0])
                    if checkCRC && BatchHeader.computeCRC(header: rawHeader, payload: body) != batch.crc {
                        return .badCRC(position: position)
                    }
                    if batch.baseOffset != scan.nextOffset {
                        return .discontinuity(position: position, what: "base offset \(batch.baseOffset), expected \(scan.nextOffset)")
                    }
                    if let last = scan.lastTimestamp, batch.firstTimestamp < last {
                        return .discontinuity(position: position, what: "timestamp \(batch.firstTimestamp) before \(last)")
                    }
                    if checkCRC && checkLink {
                        let link = scan.lastLink.next(header: UnsafeRawBufferPointer(rebasing: rawHeader[0..<BatchHeader.linkedPrefix]), payload: body)
                        if link != batch.link { return .discontinuity(position: position, what: "hash chain link does not follow from the previous batch") }
                    }
                    return nil
                }
            }
            if let problem { scan.stop = problem; return scan }
            try payload.withUnsafeBytes { raw in
                try visit(batch, position, checkCRC ? UnsafeRawBufferPointer(rebasing: raw[0..<stored]) : UnsafeRawBufferPointer(rebasing: raw[0..<0]))
            }
            checkLink = true
            scan.index.note(batch, at: position)
            scan.validEnd = position + needed
            scan.nextOffset = batch.endOffset
            scan.lastLink = batch.link
            if scan.firstTimestamp == nil { scan.firstTimestamp = batch.firstTimestamp }
            scan.lastTimestamp = batch.lastTimestamp
            scan.batchCount += 1
            scan.recordCount += UInt64(batch.recordCount)
            scan.uncompressedBytes += UInt64(batch.uncompressedLength)
        }
    }

    /// The position of the first complete batch (valid header and CRC) that starts after `position`,
    /// or nil. Used to tell a torn tail (nothing valid follows) from corruption of committed data.
    func findValidBatch(after position: UInt64) throws -> UInt64? {
        let chunkBytes = 1 << 20
        var chunkStart = position + 1
        let magic = withUnsafeBytes(of: BatchHeader.magic.littleEndian) { Array($0) }
        while chunkStart + UInt64(BatchHeader.size) <= length {
            let count = Int(min(UInt64(chunkBytes + 3), length - chunkStart))
            let chunk = try file.read(at: chunkStart, count: count)
            var i = 0
            while i + 4 <= chunk.count {
                if chunk[i] == magic[0] && chunk[i + 1] == magic[1] && chunk[i + 2] == magic[2] && chunk[i + 3] == magic[3] {
                    let candidate = chunkStart + UInt64(i)
                    if try isValidBatch(at: candidate) { return candidate }
                }
                i += 1
            }
            chunkStart += UInt64(chunkBytes)
        }
        return nil
    }

    private func isValidBatch(at position: UInt64) throws -> Bool {
        guard position + UInt64(BatchHeader.size) <= length else { return false }
        let headerBytes = try file.read(at: position, count: BatchHeader.size)
        guard case .success(let batch) = headerBytes.withUnsafeBytes({ BatchHeader.decode($0) }) else { return false }
        guard position + UInt64(batch.frameLength) <= length else { return false }
        let payload = try file.read(at: position + UInt64(BatchHeader.size), count: Int(batch.storedLength))
        return headerBytes.withUnsafeBytes { h in
            payload.withUnsafeBytes { BatchHeader.computeCRC(header: h, payload: $0) == batch.crc }
        }
    }
}
