import CairnEngine
import CairnLog
import CairnModel
import Dispatch
import Glibc

/// The durable projection of the corpus under ``RealisticConfiguration``, prepared as in service:
///
/// 1. the configuration is committed through `ConfigurationStore` (records of kind 3 at the start
///    of the event log), with `StandardChecks` (conditions parse, workflows validate);
/// 2. every corpus event passes the `IngestGate` of the event source it names (bridge `rest`),
///    consents read from the projections (`ProjectionConsentLookup`), and is appended as the gate
///    left it, a rejected one to the dead-letter log: what `IngestAppender.add` does, with the gate
///    chosen per event, since the corpus interleaves three sources and an appender has one gate;
/// 3. the projection is timed as ``ProjectionRun`` times it (not the ingest);
/// 4. the change log is read back to count what the configuration did.
struct RealisticRun {
    /// The timed projection. Its `events` counts the log's records: the events and the
    /// configuration records before them.
    let projection: ProjectionRun
    let configurationRecords: Int
    /// The gate's decisions.
    let tally: IngestTally
    let ingestSeconds: Double
    /// Workflow id → accepted events that a routing rule sends to it: the runs the projector makes.
    let routed: [String: Int]
    let work: ChangeCounts

    /// Events in the log (accepted by the gate).
    var events: Int { tally.accepted }
    var eventsPerSecond: Double { Double(events) / projection.seconds }

    /// Commits the configuration to a fresh data directory at `path`, ingests the first `events`
    /// corpus events (seed 1) through the gate, projects them durably in batches of
    /// `eventsPerBatchMax` and counts the changes. The directory is left closed.
    static func measure(path: String, events: Int, eventsPerBatchMax: Int) async throws -> RealisticRun {
        let data = try await DataDirectory.open(path, logger: quietLogger)
        let configurationRecords: Int
        var tally = IngestTally()
        // Workflow id → the log offsets of the events routed to it.
        var routedOffsets: [String: Set<UInt64>] = [:]
        let ingestSeconds: Double
        do {
            let state: ConfigurationState
            (configurationRecords, state) = try await configure(data.eventLog)
            let routes: [RoutingRule] = state.entries(of: .routingRule).compactMap { entry in
                guard case .routingRule(let rule) = entry.object, rule.enabled else { return nil }
                return rule
            }
            let consents = try await ProjectionConsentLookup.open(data.store)
            var gates: [String: IngestGate] = [:]
            var accepted = PipelinedAppender(log: data.eventLog)
            var rejected = PipelinedAppender(log: data.deadLetterLog)
            var feed = CorpusFeed()
            let receivedMicros = wallClockMicros()
            ingestSeconds = try await elapsedSeconds {
                var left = events
                while left > 0 {
                    let chunk = min(left, 10_000)
                    for (line, event) in try feed.events(chunk) {
                        let gate = gates[event.sourceID] ?? IngestGate(configuration: state, sourceID: event.sourceID, bridge: .rest)
                        gates[event.sourceID] = gate
                        let decision = try gate.decide(event, receivedMicros: receivedMicros, consents: consents)
                        switch decision {
                        case .accept(let acceptance):
                            let stored = acceptance.event
                            try await accepted.add(AppendRecord(kind: RecordKind.event, key: Array(stored.id.utf8), payload: EventRecord.encode(stored)))
                            // The configuration records come first, then the accepted events in order.
                            let offset = UInt64(configurationRecords + tally.accepted)
                            if stored.profileID != nil && stored.options.saveProfile {
                                for route in routes where route.eventType == stored.type.rawValue && route.sourceID == stored.sourceID {
                                    routedOffsets[route.workflowID, default: []].insert(offset)
                                }
                            }
                        case .reject(let rejection):
                            let payload = try JSONParser.parse(line)
                            try await rejected.add(DeadLetterRecord(rejection, event: event, gate: gate, payload: payload).appendRecord)
                        }
                        tally.count(decision)
                    }
                    left -= chunk
                }
                try await accepted.finish()
                try await rejected.finish()
            }
            precondition(data.eventLog.endOffset == UInt64(configurationRecords + tally.accepted),
                         "the event log holds other records than the configuration's and the accepted events")
            try await data.close()
        } catch {
            try? await data.close()
            throw error
        }

        let projection = try await ProjectionRun.measure(path: path, eventsPerBatchMax: eventsPerBatchMax)
        let work = try await ChangeCounts.read(path: path, runOffsets: routedOffsets)
        return RealisticRun(projection: projection, configurationRecords: configurationRecords, tally: tally,
                            ingestSeconds: ingestSeconds, routed: routedOffsets.mapValues(\.count), work: work)
    }

    /// Commits ``RealisticConfiguration`` to `eventLog`, as `cairn config apply` records a
    /// directory of files; returns how many records it took and the configuration they make.
    private static func configure(_ eventLog: DurableLog) async throws -> (records: Int, state: ConfigurationState) {
        let store = try await ConfigurationStore.open(log: eventLog)
        let records = try await store.commit(try RealisticConfiguration.objects().map { .put($0) }, author: "projection-figures",
                                             checks: StandardChecks())
        return (records.count, try await store.state())
    }

    /// Microseconds since the epoch: the time the events are received, which the gate uses only
    /// for events without a plausible time of their own.
    private static func wallClockMicros() -> Int64 {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        return Int64(now.tv_sec) * 1_000_000 + Int64(now.tv_nsec) / 1000
    }
}

extension RealisticRun {
    /// The table row: this projection beside `baseline`, the projection without configuration at
    /// the same batch size measured in the same run.
    func row(baseline: ProjectionRun) -> String {
        let run = projection
        let sameSize = UInt64(events) == baseline.events
        return "| durable projection with a realistic configuration (5 routing rules, 3 workflows, 10 segments, 2 identification points; "
            + "2 compliance rules applied at ingest), eventsPerBatchMax \(run.eventsPerBatchMax) "
            + "| \(format(eventsPerSecond, 0)) events/s; \(format(run.writesPerSecond, 0)) LMDB writes/s (\(grouped(run.writes)) writes, \(grouped(run.changes)) changes) "
            + "| durable projection without configuration, eventsPerBatchMax \(baseline.eventsPerBatchMax)\(sameSize ? "" : " (\(grouped(baseline.events)) events)"): "
            + "\(format(baseline.eventsPerSecond, 0)) events/s "
            + "| \(format(100 * eventsPerSecond / baseline.eventsPerSecond))% of the events/s without configuration "
            + "| >= 50,000 events/s: \(eventsPerSecond >= 50_000 ? "met" : "NOT MET") |"
    }

    /// The details: how the log was made, and what the configuration did.
    var details: String {
        let compliance = tally.complianceRules.entries.map { "\($0.key) \(grouped($0.value))" }.joined(separator: ", ")
        let runs = RealisticConfiguration.runFields.map { entry in
            "\(entry.workflow) \(grouped(routed[entry.workflow] ?? 0)) routed / \(grouped(work.runs[entry.workflow] ?? 0)) seen"
        }.joined(separator: ", ")
        return """
            - Realistic configuration (`RealisticConfiguration.swift`): \(configurationRecords) configuration records (kind 3) committed through `ConfigurationStore` with `StandardChecks` at the start of the event log; then the first \(grouped(events + tally.rejected)) corpus events, each through the `IngestGate` of its event source (bridge rest, consents from `ProjectionConsentLookup`), appended as the gate left them (generated, parsed, gated and appended in \(format(ingestSeconds, 1)) s, not part of the figure). The projection is timed as without configuration; its events/s counts the \(grouped(events)) events, not the configuration records.
            - What the configuration did (the gate's tally, then the projection's change log):
              - ingest: accepted \(grouped(tally.accepted)), rejected \(grouped(tally.rejected)); changed by compliance rules: \(compliance.isEmpty ? "none" : compliance)
              - workflow runs (events a routing rule sends to the workflow / those of them whose profile change holds the field every run of it changes): \(runs); failed runs: \(listed(work.failures))\(work.firstFailure.map { ", the first: \($0)" } ?? ""); effects requested: \(listed(work.effects))
              - segments entered: \(listed(work.entered)); exited: \(listed(work.exited))
              - merges \(grouped(work.kind(.profileMerged))); identities linked: \(listed(work.linked)); profiles created \(grouped(work.kind(.profileCreated))); changes by kind: \(listed(work.kinds))
            """
    }
}
