import Contracts
import CoreMetrics
import Prometheus
import Synchronization

/// The gateway's metrics, in Prometheus text format at `/metrics`.
///
/// Labels are bounded: vendor ids (from the registry; `unknown` otherwise), decisions, categories and
/// reasons from the taxonomy and the policy. Never a subject, a value or a path a client chose.
///
/// - `gateway_requests_total{vendor,decision}`
/// - `gateway_fields_total{category,action}` (fields not sent as they came)
/// - `gateway_dropped_records_total{vendor,reason}`
/// - `gateway_ledger_append_seconds` and `gateway_upstream_seconds{vendor}` (histograms)
public final class GatewayMetrics: Sendable {
    public let registry: PrometheusCollectorRegistry
    let factory: PrometheusMetricsFactory
    private let counters = Mutex<[String: CoreMetrics.Counter]>([:])
    private let timers = Mutex<[String: CoreMetrics.Timer]>([:])

    public init(registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry()) {
        self.registry = registry
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.defaultDurationHistogramBuckets = [
            .microseconds(100), .microseconds(250), .microseconds(500), .milliseconds(1), .milliseconds(2),
            .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100),
            .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(5),
        ]
        self.factory = factory
    }

    /// The metrics in Prometheus text format.
    public func render() -> String {
        registry.emitToString()
    }

    func counter(_ label: String, _ dimensions: [(String, String)]) -> CoreMetrics.Counter {
        let key = label + dimensions.map { "|\($0.0)=\($0.1)" }.joined()
        return counters.withLock { counters in
            if let counter = counters[key] { return counter }
            let counter = CoreMetrics.Counter(label: label, dimensions: dimensions, factory: factory)
            counters[key] = counter
            return counter
        }
    }

    func timer(_ label: String, _ dimensions: [(String, String)]) -> CoreMetrics.Timer {
        let key = label + dimensions.map { "|\($0.0)=\($0.1)" }.joined()
        return timers.withLock { timers in
            if let timer = timers[key] { return timer }
            let timer = CoreMetrics.Timer(label: label, dimensions: dimensions, factory: factory)
            timers[key] = timer
            return timer
        }
    }

    public func countRequest(vendor: String, decision: String) {
        counter("gateway_requests_total", [("vendor", vendor), ("decision", decision)]).increment()
    }

    /// Counts a decision that is about to be sent: the request, the fields not sent as they came, the
    /// records dropped.
    public func countDecision(vendor: String, decision: ShareDecision) {
        countRequest(vendor: vendor, decision: "shared")
        for field in decision.fields where field.action != .sent {
            counter(
                "gateway_fields_total",
                [("category", field.category ?? "unmapped"), ("action", field.action.rawValue)]
            )
            .increment(by: field.count)
        }
        for record in decision.records where !record.kept {
            counter(
                "gateway_dropped_records_total",
                [("vendor", vendor), ("reason", record.reason?.rawValue ?? "unknown")]
            )
            .increment()
        }
    }

    public func recordLedgerAppend(_ duration: Duration) {
        timer("gateway_ledger_append_seconds", []).recordNanoseconds(duration.nanoseconds)
    }

    public func recordUpstream(vendor: String, duration: Duration) {
        timer("gateway_upstream_seconds", [("vendor", vendor)]).recordNanoseconds(duration.nanoseconds)
    }
}

extension Duration {
    var nanoseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }
}
