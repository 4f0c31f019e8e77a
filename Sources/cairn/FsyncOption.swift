import ArgumentParser
import CairnLog

/// `--fsync always|interval|none` with `--fsync-interval-ms`.
struct FsyncOptions: ParsableArguments {
    enum Policy: String, ExpressibleByArgument, CaseIterable {
        case always, interval, none
    }

    @Option(help: "When appends are acknowledged: always (after fdatasync), interval, or none.")
    var fsync: Policy = .always

    @Option(help: "The sync interval for --fsync interval, in milliseconds.")
    var fsyncIntervalMs: Int = 100

    var policy: LogConfiguration.FsyncPolicy {
        switch fsync {
        case .always: return .always
        case .interval: return .interval(milliseconds: fsyncIntervalMs)
        case .none: return .none
        }
    }

    func validate() throws {
        guard fsyncIntervalMs >= 1 && fsyncIntervalMs <= 60_000 else {
            throw ValidationError("--fsync-interval-ms must be within 1...60000, got \(fsyncIntervalMs)")
        }
    }
}
