import Fluent
import Metrics
import Prometheus
import Vapor
import VertrouwdCore

/// Prometheus metrics through swift-metrics. Vapor itself counts and times every request by method,
/// route template (`/o/:slug/contact`, never the concrete path) and status; Vertrouwd adds the
/// outbox's depth, the key-derivation queue and submissions. No metric carries personal data, and
/// none names an organisation unless `VERTROUWD_METRICS_PER_ORGANISATION` is set.
enum PrometheusMetrics {
    /// One registry per process: swift-metrics can be bootstrapped only once.
    static let registry: PrometheusCollectorRegistry = {
        let registry = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
        return registry
    }()

    /// Counts one stored contact or report; per organisation too, only where that is configured.
    static func countSubmission(organisation slug: String, settings: AppSettings) {
        registry.makeCounter(name: "vertrouwd_submissions_total").increment()
        // Its own name: swift-prometheus keeps one set of label names per metric.
        if settings.metricsPerOrganisation {
            registry.makeCounter(name: "vertrouwd_organisation_submissions_total", labels: [("organisation", slug)]).increment()
        }
    }
}

/// `GET /metrics`: the Prometheus text format, for a scraper holding `VERTROUWD_METRICS_TOKEN` as a
/// bearer token. Without a configured token the route answers 404, as if it did not exist.
struct MetricsController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get(.metrics, use: metrics)
    }

    func metrics(req: Request) async throws -> Response {
        guard let token = req.vertrouwd.settings.metricsToken else { throw Abort(.notFound) }
        guard let given = req.headers.bearerAuthorization?.token,
            constantTimeEquals(Array(given.utf8), Array(token.utf8))
        else {
            let response = Response(status: .unauthorized)
            response.headers.replaceOrAdd(name: .wwwAuthenticate, value: "Bearer")
            return response
        }
        try await sampleGauges(req)
        let response = Response(status: .ok, body: .init(data: Data(PrometheusMetrics.registry.emitToBuffer())))
        response.headers.replaceOrAdd(name: .contentType, value: "text/plain; version=0.0.4; charset=utf-8")
        response.headers.replaceOrAdd(name: .cacheControl, value: "no-store")
        return response
    }

    /// Values read at scrape time: the outbox and the KDF queue of this instance.
    private func sampleGauges(_ req: Request) async throws {
        let registry = PrometheusMetrics.registry
        let now = req.now
        let waiting = try await OutgoingMail.query(on: req.db).filter(\.$sentAt == nil).filter(\.$failedAt == nil).all(\.$createdAt)
        registry.makeGauge(name: "vertrouwd_outbox_waiting", help: "Mails waiting to be sent, on every instance").set(
            Double(waiting.count))
        let oldest = waiting.compactMap { $0 }.min().map { now.timeIntervalSince($0) } ?? 0
        registry.makeGauge(name: "vertrouwd_outbox_oldest_seconds", help: "Age of the oldest waiting mail").set(max(0, oldest))
        let failed = try await OutgoingMail.query(on: req.db).filter(\.$failedAt != nil).filter(\.$sentAt == nil).count()
        registry.makeGauge(name: "vertrouwd_outbox_given_up", help: "Mails given up after every attempt failed").set(Double(failed))
        registry.makeGauge(name: "vertrouwd_kdf_queue", help: "Key derivations waiting for a thread, on this instance").set(
            Double(await req.vertrouwd.passwords.queueLength()))
    }
}
