import Testing
@testable import CairnEngine

@Suite("Outbox")
struct OutboxTests {
    func changes(_ ids: ClosedRange<Int>) -> [EncodedChange] {
        ids.map { EncodedChange(id: "c\($0)", bytes: Array("change \($0)".utf8)) }
    }

    @Test("an entry decodes to the changes it was encoded from; damaged entries are errors, not traps")
    func roundTrip() throws {
        let entry = changes(1...5)
        let bytes = Outbox.encode(entry)
        #expect(try Outbox.decode(bytes) == entry)
        #expect(try Outbox.decode(Outbox.encode([])) == [])
        for cut in 0..<bytes.count {
            #expect(throws: EngineError.self) { try Outbox.decode(Array(bytes[0..<cut])) }
        }
        #expect(throws: EngineError.self) { try Outbox.decode(bytes + [0]) }
    }

    @Test("pending: what the change log lacks of contiguous entries, after a crash at any point of their appends")
    func pendingAfterCrash() throws {
        // Two batches committed: changes 10..<13 and 13..<17; changes.next is 17.
        let entries = [(UInt64(10), Outbox.encode(changes(10...12))), (UInt64(13), Outbox.encode(changes(13...16)))]
        for end in UInt64(10)...17 {
            let pending = try Outbox.pending(entries, next: 17, changeLogEnd: end)
            #expect(pending == Array(changes(10...16).dropFirst(Int(end - 10))), "change log end \(end)")
        }
        #expect(try Outbox.pending([], next: 9, changeLogEnd: 9).isEmpty)
    }

    @Test("pending: a change log that lost changes, or holds changes the projections did not make, is refused with a clear error")
    func pendingMismatch() {
        let entries = [(UInt64(10), Outbox.encode(changes(10...12)))]
        let lost = #expect(throws: EngineError.self) { try Outbox.pending(entries, next: 13, changeLogEnd: 9) }
        #expect(lost?.code == .changeLogMismatch && lost?.message.contains("lost") == true)
        let foreign = #expect(throws: EngineError.self) { try Outbox.pending(entries, next: 13, changeLogEnd: 14) }
        #expect(foreign?.code == .changeLogMismatch && foreign?.message.contains("another writer") == true)
        // With an empty outbox the change log must end exactly at changes.next.
        #expect(throws: EngineError.self) { try Outbox.pending([], next: 9, changeLogEnd: 8) }
        #expect(throws: EngineError.self) { try Outbox.pending([], next: 9, changeLogEnd: 10) }
    }

    @Test("pending: entries that are not contiguous, or do not end at changes.next, are a corrupted projection")
    func pendingCorrupted() {
        let gap = [(UInt64(10), Outbox.encode(changes(10...12))), (UInt64(14), Outbox.encode(changes(14...15)))]
        let error = #expect(throws: EngineError.self) { try Outbox.pending(gap, next: 16, changeLogEnd: 10) }
        #expect(error?.code == .corruptedProjection)
        let short = [(UInt64(10), Outbox.encode(changes(10...12)))]
        #expect(throws: EngineError.self) { try Outbox.pending(short, next: 14, changeLogEnd: 10) }
    }
}
