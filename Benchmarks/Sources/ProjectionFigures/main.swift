// The projector's figures for `make bench`, measured in one run on the generated corpus:
//
//   durable projection (LMDB synced per commit, change log fsync always)  vs raw LMDB puts, same
//                                                                          writes, same transactions
//   durable projection under a realistic configuration (5 routing rules,  vs the durable projection
//   3 workflows, 10 segments; compliance applied at ingest by IngestGate)  without configuration,
//   with counts of what the configuration did                             same batch size
//   full replay at two log sizes: events/s and the replaying process's peak RSS
//   change log lag: event appended -> its change read by a tailing subscriber, p50/p99
//
// Usage: projection-figures [EVENTS]
//   EVENTS (or PROJECTION_EVENTS, default 1,000,000) events are projected and replayed; the larger
//   replay has REPLAY_LARGE_EVENTS events (default 5,000,000, or 5 x EVENTS when EVENTS is given).
//   Data goes to a fresh folder under $TMPDIR (or /tmp), removed at the end. The change log lag
//   runs for LAG_SECONDS (default 10). The realistic configuration's projection takes the first
//   REALISTIC_EVENTS events of the same corpus (default EVENTS; 0 skips it); REALISTIC_ONLY=1
//   measures only it and its baseline (the projection at the default batch size, with its raw
//   puts), skipping the other batch sizes, the replays and the lag.
import CairnEngine
import Glibc

let arguments = CommandLine.arguments
if arguments.count == 3 && arguments[1] == ReplayChild.subcommand {
    do {
        try await ReplayChild.run(dataPath: arguments[2])
        exit(0)
    } catch {
        print("replay failed: \(error)")
        exit(1)
    }
}

func environment(_ name: String) -> Int? { getenv(name).flatMap { Int(String(cString: $0)) } }

let eventsGiven = arguments.count > 1 ? Int(arguments[1]) : nil
let projectionEvents = eventsGiven ?? environment("PROJECTION_EVENTS") ?? 1_000_000
let largeEvents = environment("REPLAY_LARGE_EVENTS") ?? (eventsGiven.map { 5 * $0 } ?? 5_000_000)
let lagSeconds = Double(environment("LAG_SECONDS") ?? 10)
let realisticEvents = environment("REALISTIC_EVENTS") ?? projectionEvents
let realisticOnly = environment("REALISTIC_ONLY") == 1
let (lagEventsPerAppend, lagIntervalMs) = (10, 5)
precondition(projectionEvents >= 1 && largeEvents > projectionEvents, "the larger replay needs more events than the projection")
precondition(realisticEvents >= 0 && realisticEvents <= projectionEvents, "REALISTIC_EVENTS must be between 0 and the projection's events")
precondition(!realisticOnly || realisticEvents > 0, "REALISTIC_ONLY=1 with REALISTIC_EVENTS=0 leaves nothing to measure")
let defaultBatch = EngineConfiguration().eventsPerBatchMax
/// The batch sizes tried: 1,000 and 5,000 events per transaction and the default, which comes
/// last so that the realistic configuration's run follows its baseline (only the default with
/// REALISTIC_ONLY=1).
let batchSizes = (realisticOnly ? [] : [1000, 5000].filter { $0 != defaultBatch }) + [defaultBatch]
let base = (getenv("TMPDIR").map { String(cString: $0) } ?? "/tmp") + "/cairn-projection-figures-\(getpid())"

func shell(_ command: String) {
    precondition(system(command) == 0, "failed: \(command)")
}

/// The 1, 5 and 15 minute load averages.
func loadAverage() -> String {
    var loads = [Double](repeating: 0, count: 3)
    return getloadavg(&loads, 3) == 3 ? loads.map { format($0, 2) }.joined(separator: " ") : "?"
}

/// Everything measured, in the order of the table.
struct Figures {
    var projections: [(run: ProjectionRun, rawSeconds: Double)] = []
    var realistic: RealisticRun?
    var replays: [ReplayChild.Outcome] = []
    var lag: ChangeLag.Outcome?
    var loads: [String] = []
}

func measureAll() async throws -> Figures {
    var figures = Figures()
    figures.loads.append("start: \(loadAverage())")
    var feed = CorpusFeed()

    // 1. The corpus, appended once; each projection runs on a copy of its event log.
    print("appending \(grouped(projectionEvents)) corpus events (seed 1) to an event log...")
    let corpus = try await DataDirectory.open(base + "/corpus", logger: quietLogger)
    try await feed.append(projectionEvents, to: corpus.eventLog)
    try await corpus.close()
    print("corpus: \(grouped(feed.produced)) events, \(grouped(feed.jsonBytes)) bytes of JSON")

    for batch in batchSizes {
        let path = base + "/projection-\(batch)"
        shell("mkdir -p '\(path)' && cp -r '\(base)/corpus/events' '\(path)/events'")
        print("projecting durably, eventsPerBatchMax \(batch)...")
        let run = try await ProjectionRun.measure(path: path, eventsPerBatchMax: batch)
        print("  \(format(run.eventsPerSecond, 0)) events/s, \(grouped(run.writes)) LMDB writes in \(grouped(run.transactions)) transactions, \(grouped(run.changes)) changes")
        print("raw LMDB puts: \(grouped(run.writes)) in \(grouped(run.transactions)) transactions...")
        let raw = try await RawPuts.measure(path: base + "/raw-\(batch)", writes: run.writes, transactions: run.transactions)
        shell("rm -rf '\(base)/raw-\(batch)'")
        print("  \(format(Double(run.writes) / raw, 0)) puts/s")
        figures.projections.append((run, raw))
        figures.loads.append("after the projection at \(batch): \(loadAverage())")
    }
    for batch in batchSizes.dropFirst() { shell("rm -rf '\(base)/projection-\(batch)'") }
    shell("rm -rf '\(base)/corpus'")

    // 2. The same corpus (its first REALISTIC_EVENTS events) under a realistic configuration,
    // right after its baseline, the projection at the default batch size.
    if realisticEvents > 0 {
        print("committing the realistic configuration, passing \(grouped(realisticEvents)) corpus events (seed 1) through the ingest gate...")
        let path = base + "/realistic"
        let run = try await RealisticRun.measure(path: path, events: realisticEvents, eventsPerBatchMax: defaultBatch)
        shell("rm -rf '\(path)'")
        print("  \(run.configurationRecords) configuration records; \(run.tally.lines.map { String($0.drop { $0 == " " }) }.joined(separator: "; "))")
        print("projected durably with the configuration, eventsPerBatchMax \(defaultBatch):")
        print("  \(format(run.eventsPerSecond, 0)) events/s, \(grouped(run.projection.writes)) LMDB writes, \(grouped(run.projection.changes)) changes")
        figures.realistic = run
        figures.loads.append("after the realistic configuration's projection: \(loadAverage())")
    }
    if realisticOnly {
        shell("rm -rf '\(base)/projection-\(batchSizes[0])'")
        return figures
    }

    // 3. Full replays in a child process: the log as projected, then grown to the larger size.
    let replayPath = base + "/projection-\(batchSizes[0])"
    print("replaying \(grouped(projectionEvents)) events in a child process...")
    figures.replays.append(try ReplayChild.spawn(dataPath: replayPath))
    figures.loads.append("after the replay of \(grouped(projectionEvents)): \(loadAverage())")
    print("appending \(grouped(largeEvents - projectionEvents)) more events...")
    let grown = try await DataDirectory.open(replayPath, logger: quietLogger)
    try await feed.append(largeEvents - projectionEvents, to: grown.eventLog)
    try await grown.close()
    print("replaying \(grouped(largeEvents)) events in a child process...")
    figures.replays.append(try ReplayChild.spawn(dataPath: replayPath))
    figures.loads.append("after the replay of \(grouped(largeEvents)): \(loadAverage())")
    shell("rm -rf '\(replayPath)'")

    // 4. The change log's lag under a steady stream of appends.
    print("measuring the change log lag for \(format(lagSeconds, 0)) s...")
    figures.lag = try await ChangeLag.measure(path: base + "/lag", feed: &feed, eventsPerAppend: lagEventsPerAppend, intervalMs: lagIntervalMs, runSeconds: lagSeconds)
    figures.loads.append("after the lag: \(loadAverage())")
    return figures
}

shell("rm -rf '\(base)' && mkdir -p '\(base)'")
let figures: Figures
do {
    figures = try await measureAll()
} catch {
    shell("rm -rf '\(base)'")
    print("projection-figures failed: \(error)")
    exit(1)
}
shell("rm -rf '\(base)'")
let (projections, replays, loads) = (figures.projections, figures.replays, figures.loads)

// The figures.
func verdict(_ ok: Bool) -> String { ok ? "met" : "NOT MET" }
let best = projections.max { $0.run.eventsPerSecond < $1.run.eventsPerSecond }!
func projectionRow(_ entry: (run: ProjectionRun, rawSeconds: Double), goal: String) -> String {
    let run = entry.run
    let putsPerSecond = Double(run.writes) / entry.rawSeconds
    return "| durable projection, eventsPerBatchMax \(run.eventsPerBatchMax)\(run.eventsPerBatchMax == defaultBatch ? " (the default)" : "") "
        + "| \(format(run.eventsPerSecond, 0)) events/s; \(format(run.writesPerSecond, 0)) LMDB writes/s (\(grouped(run.writes)) writes, \(grouped(run.changes)) changes) "
        + "| raw LMDB puts, \(grouped(run.writes)) in \(grouped(run.transactions)) transaction\(run.transactions == 1 ? "" : "s"): \(format(putsPerSecond, 0)) puts/s "
        + "| events/s = \(format(100 * run.eventsPerSecond / putsPerSecond))% of puts/s; writes/s = \(format(100 * run.writesPerSecond / putsPerSecond))% of puts/s "
        + "| \(goal) |"
}
let flatRatioMax = 1.2
func replayRow(_ replay: ReplayChild.Outcome, ratio: String, goal: String) -> String {
    "| full replay of \(grouped(replay.events)) events (child process) | \(format(replay.eventsPerSecond, 0)) events/s; peak RSS \(format(Double(replay.peakRSSKiB) / 1024, 0)) MiB | | \(ratio) | \(goal) |"
}

var rows: [String] = []
var details = [
    "- Durable projection: `Projector.open` + `catchUp()` from an empty store, default durability (LMDB fsync at every commit, change log fsync always); appending the events is not timed. One LMDB transaction per batch.",
    "- Raw LMDB puts: `StoreEnvironment` (fsync at every commit) on a fresh directory, the projection's number of writes spread evenly over its number of transactions, \(RawPuts.keyBytes)-byte keys (SplitMix64 hashes of a counter, so random order, all inserts), \(RawPuts.valueBytes)-byte values, \(RawPuts.tableCount) tables.",
]
for entry in projections {
    let goal = entry.run.eventsPerBatchMax == best.run.eventsPerBatchMax
        ? ">= 50,000 events/s (the better batch size): \(verdict(entry.run.eventsPerSecond >= 50_000))"
        : "reported"
    rows.append(projectionRow(entry, goal: goal))
}
if let realistic = figures.realistic, let baseline = projections.first(where: { $0.run.eventsPerBatchMax == defaultBatch })?.run {
    rows.append(realistic.row(baseline: baseline))
    details.append(realistic.details)
}
if replays.count == 2 {
    let rssRatio = Double(replays[1].peakRSSKiB) / Double(replays[0].peakRSSKiB)
    rows.append(replayRow(replays[0], ratio: "", goal: ">= 100,000 events/s: \(verdict(replays[0].eventsPerSecond >= 100_000))"))
    let anonRatio = Double(replays[1].anonKiBMax) / Double(replays[0].anonKiBMax)
    rows.append(replayRow(replays[1], ratio: "peak RSS \(format(rssRatio, 2))x the \(grouped(replays[0].events))-event replay's (its anonymous part \(format(anonRatio, 2))x)",
                          goal: ">= 100,000 events/s: \(verdict(replays[1].eventsPerSecond >= 100_000)); RSS flat (<= \(format(flatRatioMax, 1))x): \(verdict(rssRatio <= flatRatioMax))"))
    details.append("- Full replay: `Replay.rebuild` (deferred LMDB syncs, one sync at the end, at least \(grouped(Replay.rebuildEventsPerBatch)) events per transaction, no changes computed) in a child process; peak RSS is the child's `VmHWM` (its own address space since exec). `wait4`'s `ru_maxrss` for the two children: \(replays.map { "\(format(Double($0.waitMaxRSSKiB) / 1024, 0)) MiB" }.joined(separator: " / ")), not used: for a `posix_spawn`ed child Linux includes the parent's high-water mark in it. Largest resident anonymous / file-backed memory during the rebuild (file-backed: mapped files, mostly LMDB's map), sampled every 10 ms, and the sizes on disk of the new store's data.mdb and of the event log: \(replays.map { "\(grouped($0.events)) events: \(format(Double($0.anonKiBMax) / 1024, 0)) / \(format(Double($0.fileKiBMax) / 1024, 0)) MiB, store \(format(Double($0.storeBytes) / 1048576, 0)) MiB, log \(format(Double($0.eventLogBytes) / 1048576, 0)) MiB" }.joined(separator: "; ")).")
}
if let lag = figures.lag {
    let lags = lag.lagsMs
    rows.append("| change log lag at \(format(lag.eventsPerSecond, 0)) events/s (\(lagEventsPerAppend) events every \(lagIntervalMs) ms, open loop) | p50 \(format(percentile(lags, 50), 2)) ms, p99 \(format(percentile(lags, 99), 2)) ms, max \(format(lags.last ?? 0, 2)) ms (\(grouped(lags.count)) of \(grouped(lag.eventsAppended)) events) | | | reported |")
    details.append("- Change log lag: from the submission of an event's append to the subscriber reading the first change at that event's offset, while `Projector.run()` tails the event log (events that change nothing have no change and are not counted); the producer fell behind its schedule by at most \(format(lag.producerSlipMsMax, 2)) ms.")
}
details.append("- Load average (1, 5, 15 min): \(loads.joined(separator: "; ")).")

print("""

    Cairn projector figures: \(grouped(projectionEvents)) corpus events projected (seed 1)\(replays.isEmpty ? " (REALISTIC_ONLY=1: no replays, no lag)" : ", replays at \(grouped(projectionEvents)) and \(grouped(largeEvents))")
    | figure | measured | same-run baseline | ratio | goal |
    |---|---|---|---|---|
    \(rows.joined(separator: "\n"))

    Details:
    \(details.joined(separator: "\n"))
    """)
