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
        var before = ""
        try await withData(dataOptions) { data in
            before = try await ProjectionDigest.compute(data.store)
        }
        let eventLog = try await DurableLog.open(directory: dataOptions.data + "/events")
        let changeLog: DurableLog
        do { changeLog = try await DurableLog.open(directory: dataOptions.data + "/changes") } catch {
            try? await eventLog.close()
            throw error
        }
        let started = ContinuousClock.now
        do {
            let after = try await Replay.rebuild(dataPath: dataOptions.data, eventLog: eventLog, liveChangeLog: changeLog) { applied, end in
                if applied == end || applied % 100_000 < 1000 {
                    print("replayed \(applied) of \(end) events")
                }
            }
            let rate = Rate(records: Int(eventLog.endOffset), bytes: 0, elapsed: ContinuousClock.now - started)
            print("replayed \(eventLog.endOffset) events in \(rate.seconds) s (\(rate.recordsPerSecond) events/s)")
            print("digest before \(before)")
            print("digest after  \(after)")
        } catch {
            try? await changeLog.close()
            try? await eventLog.close()
            throw error
        }
        try await changeLog.close()
        try await eventLog.close()
    }
}
