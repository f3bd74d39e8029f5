import Fluent
import Foundation
import Logging
import NIOConcurrencyHelpers
import SQLKit
import Testing
import Vapor
import VaporTestUtils
import VaporTesting
import VertrouwdCore

@testable import App

/// What an operator runs the service by: liveness and readiness, metrics, request ids, JSON logs.
@Suite("Operations: readiness, metrics, logs")
struct OperationsTests {
    @Test func readyMeansTheDatabaseAnswersAndHoldsEveryMigration() async throws {
        try await withTestApp { app, _ in
            let browser = TestBrowser(app)
            let ready = try await browser.get("/ready")
            #expect(ready.status == .ok && ready.body.contains(#""status":"ok""#))
            #expect(try await browser.get("/health").status == .ok)
            // A newer version's migration not yet run: the instance is alive, but not ready.
            let last = try #require(Application.allMigrations.last?.name)
            let log = try #require(try await MigrationLog.query(on: app.db).filter(\.$name == last).first())
            try await log.delete(on: app.db)
            let pending = try await browser.get("/ready")
            #expect(pending.status == .serviceUnavailable && pending.body.contains("migrations-pending"))
            #expect(try await browser.get("/health").status == .ok)
            #expect(browser.cookies.isEmpty, "health checks make no session")
            try await MigrationLog(name: last, batch: log.batch).create(on: app.db)
            #expect(try await browser.get("/ready").status == .ok)
        }
    }

    @Test func metricsNeedTheTokenAndNameRouteTemplatesNotPaths() async throws {
        let token = "metrics-token-\(UUID().uuidString)"
        try await withTestApp(adjust: { $0.metricsToken = token }) { app, clock in
            let organisation = try await Fixtures.organisation(app, slug: "geheimbedrijf", name: "Geheim Bedrijf")
            let anna = try await Fixtures.staff(app, role: .counsellor, email: "anna@geheim.example", serving: organisation)
            func submissions() async throws -> Double {
                let text = try await app.sendRequest(.GET, "/metrics", headers: ["Authorization": "Bearer \(token)"]).body.string
                let line = text.split(separator: "\n").first { $0.hasPrefix("vertrouwd_submissions_total ") }
                return line.flatMap { Double($0.split(separator: " ").last ?? "") } ?? 0
            }
            let before = try await submissions()
            try await Fixtures.contact(app, slug: "geheimbedrijf", to: anna, message: "Persoonlijk verhaal")
            #expect(try await submissions() > before, "a stored contact is counted")
            let scraper = TestBrowser(app)
            #expect(try await scraper.get("/metrics").status == .unauthorized)
            let scraped = try await app.sendRequest(.GET, "/metrics", headers: ["Authorization": "Bearer \(token)"])
            #expect(scraped.status == .ok)
            let text = scraped.body.string
            #expect(text.contains("http_requests_total"))
            #expect(text.contains(#"path="/o/:slug/contact""#), "requests are counted by route template")
            #expect(text.contains("http_request_duration_seconds"))
            #expect(text.contains("vertrouwd_submissions_total"))
            #expect(text.contains("vertrouwd_outbox_waiting"))
            #expect(text.contains("vertrouwd_kdf_queue"))
            for secret in ["geheimbedrijf", "Geheim", "anna@", "Persoonlijk"] {
                #expect(!text.contains(secret), "metrics reveal \(secret)")
            }
            _ = clock
            let wrong = try await app.sendRequest(.GET, "/metrics", headers: ["Authorization": "Bearer \(token)x"])
            #expect(wrong.status == .unauthorized)
        }
        try await withTestApp { app, _ in
            let page = try await TestBrowser(app).get("/metrics")
            #expect(page.status == .notFound, "no token configured: no metrics")
        }
    }

    @Test func everyResponseCarriesARequestIdThatOnlyATrustedProxyMayChoose() async throws {
        try await withTestApp { app, _ in
            let own = try await app.sendRequest(.GET, "/health", headers: ["X-Request-Id": "chosen-by-client"])
            let id = try #require(own.headers.first(name: .xRequestId))
            #expect(id != "chosen-by-client" && UUID(uuidString: id) != nil)
        }
        try await withTestApp(adjust: { $0.trustProxy = true }) { app, _ in
            let passed = try await app.sendRequest(.GET, "/health", headers: ["X-Request-Id": "proxy-4f2a.9"])
            #expect(passed.headers.first(name: .xRequestId) == "proxy-4f2a.9")
            for hostile in ["a\"b}{", "line\u{7f}break", "with space", String(repeating: "x", count: 65), ""] {
                let answered = try await app.sendRequest(.GET, "/health", headers: ["X-Request-Id": hostile])
                #expect(answered.headers.first(name: .xRequestId).flatMap(UUID.init(uuidString:)) != nil, "\(hostile)")
            }
            let longest = String(repeating: "x", count: 64)
            let kept = try await app.sendRequest(.GET, "/health", headers: ["X-Request-Id": longest])
            #expect(kept.headers.first(name: .xRequestId) == longest)
        }
    }

    @Test func jsonLogLinesAreObjectsWithTheRequestIdAndNothingPersonal() throws {
        let lines = NIOLockedValueBox<[String]>([])
        var logger = Logger(label: "vertrouwd.test") { label in
            PrivacyLogHandler(wrapping: JSONLogHandler(label: label, level: .debug) { line in lines.withLockedValue { $0.append(line) } })
        }
        logger[metadataKey: "request-id"] = "3F1C"
        logger.info("request \"quoted\"\nsecond line", metadata: ["route": "/o/:slug", "email": "anna@acme.example"])
        let recorded = lines.withLockedValue { $0 }
        #expect(recorded.count == 1)
        #expect(!recorded[0].contains("\n"), "one line per event")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(recorded[0].utf8)) as? [String: Any])
        #expect(object["message"] as? String == "request \"quoted\"\nsecond line")
        #expect(object["level"] as? String == "info")
        let metadata = try #require(object["metadata"] as? [String: String])
        #expect(metadata["request-id"] == "3F1C" && metadata["route"] == "/o/:slug")
        #expect(metadata["email"] == "[redacted]")
        #expect(!recorded[0].contains("anna@acme.example"))
    }

    @Test func serveTakesHostnameAndPortAndRefusesAnythingElse() throws {
        #expect(try ServeOptions([]) == ServeOptions(hostname: nil, port: nil))
        #expect(try ServeOptions(["--hostname", "0.0.0.0", "-p", "8081"]) == ServeOptions(hostname: "0.0.0.0", port: 8081))
        for bad in [["--port"], ["--port", "http"], ["--port", "70000"], ["--bind", "x:1"], ["extra"]] {
            #expect(throws: ServeOptions.Failure.self) { try ServeOptions(bad) }
        }
    }

    @Test func operatorSettingsComeFromTheEnvironment() throws {
        let settings = try AppSettings.fromEnvironment([
            "VERTROUWD_LOG_FORMAT": "JSON", "VERTROUWD_METRICS_TOKEN": "0123456789abcdef0123", "VERTROUWD_METRICS_PER_ORGANISATION": "1",
            "VERTROUWD_OUTBOX_INTERVAL_SECONDS": "2", "VERTROUWD_REMINDER_INTERVAL_SECONDS": "30",
        ])
        #expect(settings.logFormat == .json && settings.metricsPerOrganisation)
        #expect(settings.metricsToken == "0123456789abcdef0123")
        #expect(settings.outboxIntervalSeconds == 2 && settings.reminderIntervalSeconds == 30)
        #expect(throws: AppSettings.Failure.self) { try AppSettings.fromEnvironment(["VERTROUWD_METRICS_TOKEN": "short"]) }
        #expect(throws: AppSettings.Failure.self) { try AppSettings.fromEnvironment(["VERTROUWD_LOG_FORMAT": "xml"]) }
        #expect(throws: AppSettings.Failure.self) { try AppSettings.fromEnvironment(["VERTROUWD_REMINDER_INTERVAL_SECONDS": "0"]) }
    }
}
