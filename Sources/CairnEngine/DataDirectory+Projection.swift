/// The projector of a data directory, and a catch-up that leaves nothing pending.
extension DataDirectory {
    /// Opens the projector of this directory's logs and projections, with its ephemeral keys.
    public func projector(configuration: EngineConfiguration = EngineConfiguration()) async throws -> Projector {
        try await Projector.open(eventLog: eventLog, changeLog: changeLog, store: store, configuration: configuration, ephemeralKeys: ephemeralKeys)
    }

    /// Projects every pending event, appends the events workflows emitted and projects those
    /// (until none is emitted), then moves the effects of ephemeral events into the event log and
    /// shreds the keys no longer needed. Returns the applied offset.
    @discardableResult
    public func settle(_ projector: Projector) async throws -> UInt64 {
        let applied = try await EventEmitter(eventLog: eventLog, changeLog: changeLog, cursorPath: emitterCursorPath).catchUp(projector)
        let recorded = try await EphemeralEffectRecorder(eventLog: eventLog, store: store, keys: ephemeralKeys).run()
        // The effect records are for replays; the projector passes over them.
        return recorded.effects > 0 ? try await projector.catchUp() : applied
    }
}
