import Fluent
import Foundation
import VertrouwdCore

extension DemoSeeder {
    /// Made-up registrations for the two years before this one, and a released yearly report for
    /// each, so that the demo organisation's contact has reports to read. Left alone when the
    /// organisation already has registrations for those years.
    func seedYearlyReports(organisationID: UUID, counsellorID: UUID) async throws {
        let db = app.db
        let current = FormalReportDeadlines.calendar.component(.year, from: app.vertrouwd.clock.now)
        for (year, people) in [(current - 2, 38), (current - 1, 47)] {
            let existing = try await CaseRegistration.query(on: db).filter(\.$organisation.$id == organisationID)
                .filter(\.$year == year).count()
            guard existing == 0 else { continue }
            var sample = SampleRegistrations(seed: UInt64(year), lopsided: false)
            let registeredAt = FormalReportDeadlines.calendar.date(from: DateComponents(year: year, month: 12, day: 20)) ?? Date()
            let rows = (0..<people).map { _ in
                CaseRegistration(
                    sample.registration(), organisationID: organisationID, counsellorID: counsellorID, year: year,
                    registeredAt: registeredAt)
            }
            try await db.transaction { db in try await rows.create(on: db) }
            let figures = try await RegistrationTotals.figures(.organisation(organisationID), year: year, on: db)
            // Released the way a counsellor releases, dated to the January after the year.
            let report = YearlyReport(organisationID: organisationID, year: year, version: 1, draftedBy: counsellorID)
            report.signals = Self.demoSignals
            report.recommendations = Self.demoRecommendations
            let published = try YearlyReports.encoded(try Disclosure.publish(figures))
            let releasedAt = FormalReportDeadlines.calendar.date(from: DateComponents(year: year + 1, month: 1, day: 28)) ?? Date()
            try await db.transaction { db in
                try await report.create(on: db)
                _ = try await YearlyReports.release(
                    report.requireID(), figures: published, signals: Self.demoSignals, recommendations: Self.demoRecommendations,
                    by: counsellorID, at: releasedAt, on: db)
                try await AuditLog(db: db, clock: app.vertrouwd.clock).record(
                    .staff(counsellorID), .reportRelease, detail: "\(Self.organisationSlug) \(year) v1", on: db)
            }
        }
    }

    static let demoSignals = """
        De meeste gesprekken gingen over de omgang binnen teams: pesten en intimidatie door collega's, vaak al langere tijd. \
        Mensen kwamen pas laat; velen zeiden dat ze eerst dachten dat het aan henzelf lag.

        Na de reorganisatie in het voorjaar kwamen meer mensen met vragen over hun leidinggevende.
        """

    static let demoRecommendations = """
        Bespreek in elk team hoe je elkaar aanspreekt, en maak de vertrouwenspersoon bekend bij nieuwe medewerkers.

        Geef leidinggevenden een training in het herkennen van signalen, en zorg dat na een reorganisatie iemand buiten de lijn bereikbaar is.
        """
}
