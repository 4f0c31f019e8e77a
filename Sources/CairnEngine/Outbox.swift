import CairnStore

/// The outbox: changes committed to the projections but not yet known to be durable in the
/// change log. One entry per batch, keyed by the change log offset of its first change; its value
/// is the batch's changes, framed as
///
///     count: u32, then per change: id length: u32, id (UTF-8), bytes length: u32, bytes
///
/// (little-endian). Entries are contiguous: each starts where the previous one's changes end, and
/// the last ends at `changes.next` in `meta`.
enum Outbox {
    static func encode(_ changes: [EncodedChange]) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(4 + changes.reduce(0) { $0 + 8 + $1.id.utf8.count + $1.bytes.count })
        appendU32(&bytes, changes.count)
        for change in changes {
            appendU32(&bytes, change.id.utf8.count)
            bytes += change.id.utf8
            appendU32(&bytes, change.bytes.count)
            bytes += change.bytes
        }
        return bytes
    }

    static func decode(_ bytes: [UInt8]) throws -> [EncodedChange] {
        var position = 0
        let count = try readU32(bytes, &position)
        var changes: [EncodedChange] = []
        changes.reserveCapacity(min(count, bytes.count / 8))
        for _ in 0..<count {
            let idLength = try readU32(bytes, &position)
            let id = String(decoding: try slice(bytes, &position, idLength), as: UTF8.self)
            let length = try readU32(bytes, &position)
            changes.append(EncodedChange(id: id, bytes: Array(try slice(bytes, &position, length))))
        }
        guard position == bytes.count else { throw corrupted("\(bytes.count - position) bytes after the last change") }
        return changes
    }

    /// Deletes the entries whose changes all lie below `confirmed`, the change log's durable end.
    static func deleteConfirmed(below confirmed: UInt64, in tables: ProjectionTables, _ txn: borrowing WriteTransaction) throws {
        var done: [UInt64] = []
        try txn.scan(tables.outboxCounts) { base, head in
            guard base + UInt64(head.count) <= confirmed else { return false }
            done.append(base)
            return true
        }
        for base in done { _ = try txn.delete(tables.outbox, base) }
    }

    /// The changes of `entries` (key, value, in key order) that are not in a change log ending at
    /// `changeLogEnd`, checking that the change log holds exactly the changes before them: none
    /// lost (it ends before the outbox starts, or before `next` with an empty outbox) and none
    /// foreign (it ends beyond `next`).
    static func pending(_ entries: [(UInt64, [UInt8])], next: UInt64, changeLogEnd end: UInt64) throws -> [EncodedChange] {
        let first = entries.first?.0 ?? next
        guard end >= first else {
            throw EngineError(.changeLogMismatch, "the change log ends at offset \(end) but the projections recorded changes up to \(first) as durable in it: the change log lost changes")
        }
        guard end <= next else {
            throw EngineError(.changeLogMismatch, "the change log ends at offset \(end), beyond the \(next) changes the projections made: another writer appended to it, or the projections are older than the change log")
        }
        var pending: [EncodedChange] = []
        var expected = first
        for (base, bytes) in entries {
            guard base == expected else { throw corrupted("an entry starts at change \(base), expected \(expected)") }
            let changes = try decode(bytes)
            expected = base + UInt64(changes.count)
            if expected > end { pending += changes.dropFirst(Int(end > base ? end - base : 0)) }
        }
        guard expected == next else { throw corrupted("the entries end at change \(expected) but changes.next is \(next)") }
        return pending
    }

    private static func appendU32(_ bytes: inout [UInt8], _ value: Int) {
        withUnsafeBytes(of: UInt32(value).littleEndian) { bytes += $0 }
    }

    private static func readU32(_ bytes: [UInt8], _ position: inout Int) throws -> Int {
        guard bytes.count - position >= 4 else { throw corrupted("truncated at byte \(position)") }
        var value: UInt32 = 0
        for i in 0..<4 { value |= UInt32(bytes[position + i]) << (8 * i) }
        position += 4
        return Int(value)
    }

    private static func slice(_ bytes: [UInt8], _ position: inout Int, _ length: Int) throws -> ArraySlice<UInt8> {
        guard bytes.count - position >= length else { throw corrupted("truncated at byte \(position)") }
        defer { position += length }
        return bytes[position..<position + length]
    }

    private static func corrupted(_ detail: String) -> EngineError {
        EngineError(.corruptedProjection, "outbox: \(detail)")
    }
}
