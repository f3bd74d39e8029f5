import App
import Fluent
import Foundation
import SQLKit
import Vapor
import VertrouwdCore

/// The yearly report at scale: a million registrations across 2,000 organisations and 3 years, in a
/// fresh SQLite file (or the PostgreSQL of `DATABASE_URL`). Measures one organisation's report
/// (SQL aggregation and disclosure control) against an indexed count of the same rows, and every
/// organisation's report of a year against a plain count of that year; also what loading the rows
/// into Swift would cost instead. Prints the database size.
func yearlyReportBenchmark(rows total: Int, organisations: Int = 2_000, years: Int = 3) async throws {
    try await withBenchmarkDatabase { app, postgres in
        try await run(app, total: total, organisations: organisations, years: years, postgres: postgres)
    }
}

/// A migrated application on a fresh SQLite file, or on the PostgreSQL of `DATABASE_URL` (emptied
/// before and after), for the database benchmarks.
func withBenchmarkDatabase(_ body: (Application, _ postgres: Bool) async throws -> Void) async throws {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("vertrouwd-bench-\(UUID().uuidString)")
    defer { try? FileManager.default.removeItem(at: directory) }
    let databaseURL = ProcessInfo.processInfo.environment["DATABASE_URL"]
    let settings = AppSettings(dataDirectory: directory.path, databaseURL: databaseURL, passwordParameters: .fastForTests)
    let app = try await Application.make(.testing)
    app.logger.logLevel = .error
    do {
        try await configure(app, settings: settings)
        if databaseURL != nil { try await app.autoRevert() }
        try await app.autoMigrate()
        try await body(app, databaseURL != nil)
        if databaseURL != nil { try await app.autoRevert() }
    } catch {
        try? await app.asyncShutdown()
        throw error
    }
    try await app.asyncShutdown()
}

private func run(_ app: Application, total: Int, organisations: Int, years: Int, postgres: Bool) async throws {
    guard let sql = app.db as? any SQLDatabase else { return }
    let lastYear = 2026
    let firstYear = lastYear - years + 1
    print("database: \(postgres ? "PostgreSQL" : "SQLite (file)"), \(total) registrations, \(organisations) organisations, \(years) years")

    // Organisations of very different sizes, as in practice: a few large, many small.
    var random = SplitMix64(seed: 2026)
    let ids = (0..<organisations).map { _ in UUID() }
    let weights = ids.map { _ in exp(Double.random(in: -2...2, using: &random)) }
    let weightSum = weights.reduce(0, +)
    let started = ContinuousClock.now
    for chunk in stride(from: 0, to: organisations, by: 500) {
        let slice = chunk..<min(chunk + 500, organisations)
        let values = slice.map { index -> SQLQueryString in
            "(\(bind: ids[index]), \(bind: "Organisatie \(index)"), \(bind: "org-\(index)"), 'nl')"
        }
        try await sql.raw("INSERT INTO organisations (id, name, slug, default_language) VALUES " + values.joined(separator: ", ")).run()
    }
    var sample = SampleRegistrations(seed: 1, lopsided: false)
    var inserted = 0
    var batch: [SQLQueryString] = []
    func flush() async throws {
        guard !batch.isEmpty else { return }
        try await sql.raw(
            "INSERT INTO case_registrations (id, organisation_id, year, quarter, case_kind, kinds, other_party, pattern, outcomes, contacts, quarter_hours, acknowledged_in_time, feedback_in_time, retaliation_signal, registered_at) VALUES "
                + batch.joined(separator: ", ")
        ).run()
        batch.removeAll(keepingCapacity: true)
    }
    let now = Date()
    for year in firstYear...lastYear {
        let share = total / years
        for (index, id) in ids.enumerated() {
            let count = Int((Double(share) * weights[index] / weightSum).rounded())
            for _ in 0..<count {
                let facts = sample.registration()
                let registration = facts.registration
                batch.append(
                    "(\(bind: UUID()), \(bind: id), \(bind: year), \(bind: facts.quarter), \(bind: facts.isReport ? "report" : "contact"), \(bind: registration.kinds.map(\.rawValue).joined(separator: ",")), \(bind: registration.otherParty.rawValue), \(bind: registration.pattern.rawValue), \(bind: registration.outcomes.map(\.rawValue).joined(separator: ",")), \(bind: registration.contacts), \(bind: registration.quarterHours), \(bind: facts.isReport ? facts.acknowledgedInTime : nil), \(bind: facts.isReport ? facts.feedbackInTime : nil), \(bind: facts.retaliationSignal), \(bind: now))"
                )
                inserted += 1
                if batch.count == 2_000 { try await flush() }
            }
        }
    }
    try await flush()
    if postgres { try await sql.raw("ANALYZE case_registrations").run() } else { try await sql.raw("ANALYZE").run() }
    print("generated \(inserted) registrations in \(format(ContinuousClock.now - started))")

    // One organisation: a median-sized one and the largest, 30 runs each.
    let order = weights.indices.sorted { weights[$0] < weights[$1] }
    for (label, index) in [("median organisation", order[order.count / 2]), ("largest organisation", order.last!)] {
        let id = ids[index]
        let rows =
            try await sql.raw(
                "SELECT COUNT(*) AS n FROM case_registrations WHERE organisation_id = \(bind: id) AND year = \(bind: lastYear)"
            )
            .first()?.decode(column: "n", as: Int.self) ?? 0
        let baseline = try await median(30) {
            _ = try await sql.raw(
                "SELECT COUNT(*) AS n FROM case_registrations WHERE organisation_id = \(bind: id) AND year = \(bind: lastYear)"
            ).all()
        }
        let report = try await median(30) {
            let figures = try await RegistrationTotals.figures(.organisation(id), year: lastYear, on: app.db)
            _ = try Disclosure.publish(figures)
        }
        let loading = try await median(30) {
            _ = try await sql.raw("SELECT * FROM case_registrations WHERE organisation_id = \(bind: id) AND year = \(bind: lastYear)").all()
        }
        print("")
        print("\(label) (\(rows) registrations in \(lastYear)):")
        line("indexed COUNT(*) = baseline", baseline, baseline)
        line("report (SQL + disclosure)", report, baseline)
        line("loading the rows instead", loading, baseline)
    }

    // Every organisation's report of one year.
    let yearBaseline = try await median(3) {
        _ = try await sql.raw(
            "SELECT organisation_id, COUNT(*) AS n FROM case_registrations WHERE year = \(bind: lastYear) GROUP BY organisation_id"
        ).all()
    }
    let aggregation = try await median(3) {
        _ = try await RegistrationTotals.figuresByOrganisation(year: lastYear, on: app.db)
    }
    var published = 0
    let all = try await median(3) {
        let figures = try await RegistrationTotals.figuresByOrganisation(year: lastYear, on: app.db)
        published = try figures.values.map { try Disclosure.publish($0) }.count
    }
    print("")
    print("all organisations' reports for \(lastYear) (\(published) organisations):")
    line("COUNT(*) by org. = baseline", yearBaseline, yearBaseline)
    line("SQL aggregation alone", aggregation, yearBaseline)
    line("reports (SQL + disclosure)", all, yearBaseline)

    print("")
    if postgres {
        let size = try await sql.raw(
            "SELECT pg_database_size(current_database()) AS bytes, pg_total_relation_size('case_registrations') AS registrations, pg_indexes_size('case_registrations') AS indexes"
        ).first()
        print(
            "database size: \(megabytes(try size?.decode(column: "bytes", as: Int.self) ?? 0)); registrations table with indexes: \(megabytes(try size?.decode(column: "registrations", as: Int.self) ?? 0)) (indexes \(megabytes(try size?.decode(column: "indexes", as: Int.self) ?? 0)))"
        )
    } else {
        let pages = try await sql.raw("PRAGMA page_count").first()?.decode(column: "page_count", as: Int.self) ?? 0
        let pageSize = try await sql.raw("PRAGMA page_size").first()?.decode(column: "page_size", as: Int.self) ?? 0
        print("database size: \(megabytes(pages * pageSize)) (SQLite file)")
    }
}

private func median(_ runs: Int, _ body: () async throws -> Void) async throws -> Duration {
    var times: [Duration] = []
    for _ in 0..<runs {
        let start = ContinuousClock.now
        try await body()
        times.append(ContinuousClock.now - start)
    }
    return times.sorted()[runs / 2]
}

private func seconds(_ duration: Duration) -> Double {
    Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
}

private func format(_ duration: Duration) -> String {
    let value = seconds(duration)
    return value >= 1 ? String(format: "%.2f s", value) : String(format: "%.2f ms", value * 1000)
}

private func line(_ label: String, _ duration: Duration, _ baseline: Duration) {
    row([label, format(duration), String(format: "%.1f×", seconds(duration) / max(seconds(baseline), 1e-9))])
}

private func megabytes(_ bytes: Int) -> String { String(format: "%.0f MB", Double(bytes) / 1_048_576) }
