import CairnEngine

/// One durable projection of a whole event log: the default durability (LMDB synced at every
/// commit, the change log's fsync `always`), from an empty store to the log's end.
struct ProjectionRun {
    let eventsPerBatchMax: Int
    let events: UInt64
    let seconds: Double
    /// Puts and deletes the projection committed to LMDB.
    let writes: Int
    /// Changes it appended to the change log.
    let changes: UInt64

    /// LMDB write transactions the projection made, one per batch.
    var transactions: Int { Int((events + UInt64(eventsPerBatchMax) - 1) / UInt64(eventsPerBatchMax)) }
    var eventsPerSecond: Double { Double(events) / seconds }
    var writesPerSecond: Double { Double(writes) / seconds }

    /// Times `Projector.open` and `catchUp()` on the data directory at `path`, whose event log is
    /// full and whose change log and projections are empty. The directory is left closed.
    static func measure(path: String, eventsPerBatchMax: Int) async throws -> ProjectionRun {
        let data = try await DataDirectory.open(path, logger: quietLogger)
        var configuration = EngineConfiguration()
        configuration.eventsPerBatchMax = eventsPerBatchMax
        do {
            let events = data.eventLog.endOffset
            var applied: UInt64 = 0
            let elapsed = try await elapsedSeconds {
                let projector = try await Projector.open(eventLog: data.eventLog, changeLog: data.changeLog, store: data.store,
                                                         configuration: configuration, logger: quietLogger)
                applied = try await projector.catchUp()
            }
            precondition(applied == events, "the projection applied \(applied) of \(events) events")
            let run = ProjectionRun(eventsPerBatchMax: eventsPerBatchMax, events: events, seconds: elapsed,
                                    writes: try data.store.info().committedWrites, changes: data.changeLog.endOffset)
            try await data.close()
            return run
        } catch {
            try? await data.close()
            throw error
        }
    }
}
