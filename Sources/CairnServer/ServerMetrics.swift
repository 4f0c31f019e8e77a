import CairnEngine
import Hummingbird
import Prometheus

/// The server's metrics, in Prometheus's text format at `GET /metrics` (a registry of its own,
/// no process-wide bootstrap):
///
/// | metric | kind | labels |
/// |---|---|---|
/// | `cairn_ingest_events_total` | counter | `bridge`, `outcome` (`accepted`, `rejected`) |
/// | `cairn_ingest_rejections_total` | counter | `reason` (`unknown-source`, `disabled-source`, `wrong-bridge`, `source-mismatch`) |
/// | `cairn_append_seconds` | histogram | durable append of one request's events |
/// | `cairn_projection_wait_seconds` | histogram | from durable to projected, as a `/track` reply waited for it |
/// | `cairn_projector_lag_events` | gauge | event log end − applied offset, at the scrape |
/// | `cairn_change_log_end` | gauge | change log end offset, at the scrape |
final class ServerMetrics: Sendable {
    let registry = PrometheusCollectorRegistry()
    private let appendSeconds: DurationHistogram
    private let projectionWaitSeconds: DurationHistogram
    private let lag: Gauge
    private let changeLogEnd: Gauge

    static let buckets: [Duration] = [.microseconds(500), .milliseconds(1), .milliseconds(2), .milliseconds(5), .milliseconds(10),
                                      .milliseconds(25), .milliseconds(50), .milliseconds(100), .milliseconds(250), .seconds(1), .seconds(5)]

    static var events: MetricNameDescriptor { name("ingest_events", "total", "Events through the ingest gate") }
    static var rejections: MetricNameDescriptor { name("ingest_rejections", "total", "Events refused by the ingest gate, by reason") }

    static func name(_ metric: String, _ unit: String, _ help: String) -> MetricNameDescriptor {
        MetricNameDescriptor(namespace: "cairn", metricName: metric, unitName: unit, helpText: help)
    }

    init() {
        appendSeconds = registry.makeDurationHistogram(
            descriptor: Self.name("append", "seconds", "Durable appends of one request's events to the event log"), buckets: Self.buckets)
        projectionWaitSeconds = registry.makeDurationHistogram(
            descriptor: Self.name("projection_wait", "seconds", "Time a reply waited for its events to be projected"), buckets: Self.buckets)
        lag = registry.makeGauge(descriptor: Self.name("projector_lag", "events", "Events appended and not yet projected"))
        changeLogEnd = registry.makeGauge(descriptor: Self.name("change_log", "end", "The change log's end offset"))
    }

    func ingested(bridge: EventSourceDefinition.Bridge, accepted: Int, rejected: [IngestRejection]) {
        if accepted > 0 {
            registry.makeCounter(descriptor: Self.events, labels: [("bridge", bridge.rawValue), ("outcome", "accepted")]).increment(by: Int64(accepted))
        }
        if !rejected.isEmpty {
            registry.makeCounter(descriptor: Self.events, labels: [("bridge", bridge.rawValue), ("outcome", "rejected")]).increment(by: Int64(rejected.count))
        }
        for rejection in rejected {
            registry.makeCounter(descriptor: Self.rejections, labels: [("reason", rejection.reason.name)]).increment()
        }
    }

    func appended(in duration: Duration) { appendSeconds.record(duration) }
    func projectionWaited(_ duration: Duration) { projectionWaitSeconds.record(duration) }

    /// The text exposition, with the gauges read now.
    func scrape(lag events: UInt64, changeLogEnd end: UInt64) -> [UInt8] {
        lag.set(Double(events))
        changeLogEnd.set(Double(end))
        return registry.emitToBuffer()
    }
}
