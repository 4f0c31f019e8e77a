/// What to do with the tail of the last segment at open, decided from what a scan saw.
///
/// The table (also in docs/recovery.md); "later valid batch" means a complete batch with a valid
/// header and CRC found anywhere after the stop position:
///
/// | scan stopped at                           | later valid batch | decision                      |
/// |-------------------------------------------|-------------------|-------------------------------|
/// | end of data                               | –                 | open                          |
/// | incomplete header (under 88 bytes left)   | –                 | truncate to last valid batch  |
/// | incomplete payload (torn write)           | no                | truncate to last valid batch  |
/// | invalid header (garbage, zeros)           | no                | truncate to last valid batch  |
/// | CRC mismatch                              | no                | truncate to last valid batch  |
/// | incomplete payload, invalid header or CRC | yes               | refuse: committed data damaged |
/// | valid CRC but wrong offset/time/link      | –                 | refuse: never a crash artifact |
///
/// A torn write can only leave an incomplete or CRC-failing batch at the very end; a valid batch
/// after a bad one means acknowledged data was damaged, and cutting there would drop it.
enum RecoveryDecision: Equatable, Sendable {
    case open
    /// Cut the file at `length`; `reason` says what was there.
    case truncate(length: UInt64, reason: String)
    /// Do not open; `reason` names the byte position and what was wrong.
    case refuse(reason: String)

    static func decide(stop: ScanStop, validEnd: UInt64, validBatchAfter: UInt64?) -> RecoveryDecision {
        switch stop {
        case .endOfData:
            return .open
        case .truncatedHeader:
            return .truncate(length: validEnd, reason: "torn last batch: \(stop)")
        case .truncatedPayload, .badHeader, .badCRC:
            // A length field damaged in committed data looks like a torn write; a valid batch
            // after it tells them apart.
            if let later = validBatchAfter {
                return .refuse(reason: "\(stop), with a valid batch after it at byte \(later): committed data is damaged")
            }
            return .truncate(length: validEnd, reason: "garbage or torn batch after the last valid batch: \(stop)")
        case .discontinuity:
            return .refuse(reason: "\(stop): a batch with a valid CRC that does not continue the log was edited or misplaced")
        }
    }
}
