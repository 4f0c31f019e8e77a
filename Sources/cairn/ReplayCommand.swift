import ArgumentParser
import CairnEngine
import CairnLog

struct ReplayCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "replay",
        abstract: "Rebuild every projection from offset 0 into a fresh store, then switch to it atomically.",
        discussion: "Prints progress and, at the end, the digests before and after (equal unless the reducer's rules changed)."
    )

    @OptionGroup var dataOptions: DataOptions

    func run() async throws {
        try await withData(dataOptions) { data in
            let before = try await ProjectionDigest.compute(data.store)
            // The rebuild needs the projections to itself; the logs stay open for it.
            try await data.store.close()
            let eventLog = data.eventLog
            let started = ContinuousClock.now
            var reported: UInt64 = 0
            let after = try await Replay.rebuild(dataPath: dataOptions.data, eventLog: eventLog, liveChangeLog: data.changeLog) { applied, end in
                // A line per 100,000 events, and the last.
                if applied == end || applied / 100_000 > reported / 100_000 {
                    print("replayed \(applied) of \(end) events")
                    reported = applied
                }
            }
            let rate = Rate(records: Int(eventLog.endOffset), bytes: 0, elapsed: ContinuousClock.now - started)
            print("replayed \(eventLog.endOffset) events in \(rate.seconds) s (\(rate.recordsPerSecond) events/s)")
            print("digest before \(before)")
            print("digest after  \(after)")
        }
    }
}
