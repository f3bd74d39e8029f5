import Fluent
import Foundation
import SQLKit
import Testing
import Vapor
import VaporTesting
import VertrouwdCore

@testable import App

/// The yearly report end to end: counting in the database, drafting, previewing, releasing,
/// correcting, who may read it, and the exports.
@Suite("Yearly report")
struct YearlyReportTests {
    static func year(_ clock: ManualWallClock) -> Int { FormalReportDeadlines.calendar.component(.year, from: clock.now) }

    /// Registrations straight into the table, as the back office leaves them.
    @discardableResult
    static func register(
        _ app: Application, _ facts: [RegistrationFacts], organisation: Organisation, counsellor: Fixtures.Staff?, year: Int
    ) async throws -> [RegistrationFacts] {
        let rows = try facts.map {
            CaseRegistration(
                $0, organisationID: try organisation.requireID(), counsellorID: try counsellor?.account.requireID(), year: year,
                registeredAt: app.vertrouwd.clock.now)
        }
        try await rows.create(on: app.db)
        return facts
    }

    @Test func theDatabaseCountsWhatSwiftCounts() async throws {
        try await withTestApp { app, clock in
            let year = Self.year(clock)
            let acme = try await Fixtures.organisation(app)
            let other = try await Fixtures.organisation(app, slug: "other", name: "Other")
            let anna = try await Fixtures.staff(app, role: .counsellor, email: "anna@acme.example", serving: acme)
            var sample = SampleRegistrations(seed: 7)
            let counted = try await Self.register(
                app, (0..<180).map { _ in sample.registration() }, organisation: acme, counsellor: anna, year: year)
            // Noise: another organisation, another year, another counsellor.
            let elsewhere = try await Self.register(
                app, (0..<40).map { _ in sample.registration() }, organisation: other, counsellor: anna, year: year)
            try await Self.register(app, (0..<30).map { _ in sample.registration() }, organisation: acme, counsellor: nil, year: year - 1)

            let figures = try await RegistrationTotals.figures(.organisation(acme.requireID()), year: year, on: app.db)
            #expect(figures == YearFigures.tally(counted))
            #expect(figures.cases == 180)
            let mine = try await RegistrationTotals.figures(.counsellor(anna.account.requireID()), year: year, on: app.db)
            #expect(mine == YearFigures.tally(counted + elsewhere))
            let all = try await RegistrationTotals.figuresByOrganisation(year: year, on: app.db)
            #expect(all[try acme.requireID()] == figures)
            #expect(all[try other.requireID()] == YearFigures.tally(elsewhere))
        }
    }

    @Test func aCounsellorDraftsPreviewsAndReleasesAndManagementReadsOnlyThat() async throws {
        try await withTestApp { app, clock in
            let year = Self.year(clock) - 1
            let acme = try await Fixtures.organisation(app)
            let anna = try await Fixtures.staff(app, role: .counsellor, email: "anna@acme.example", serving: acme)
            let hr = try await Fixtures.staff(app, role: .organisationContact, email: "hr@acme.example", serving: acme)
            var sample = SampleRegistrations(seed: 11, lopsided: false)
            try await Self.register(app, (0..<40).map { _ in sample.registration() }, organisation: acme, counsellor: anna, year: year)

            let counsellor = TestBrowser(app)
            try await counsellor.logIn(anna, at: clock.now)
            let base = "/backoffice/jaarverslag/acme/\(year)"
            let list = try await counsellor.get("/backoffice/jaarverslag")
            #expect(list.body.contains(base))
            let draft = try await counsellor.get(base)
            #expect(draft.status == .ok && draft.body.contains(#"id="release-form""#))
            let saved = try await counsellor.post(
                base, [("signals", "Meer meldingen over <b>werkdruk</b>."), ("recommendations", "Train leidinggevenden.")],
                csrf: draft.csrf)
            #expect(saved.status == .seeOther)

            // Management sees nothing before the release.
            let manager = TestBrowser(app)
            try await manager.logIn(hr, at: clock.now)
            #expect(try await manager.get("/management").body.contains("id=\"released") == false)
            let stored = try #require(try await YearlyReport.query(on: app.db).first())
            #expect(try await manager.get("/jaarverslag/\(try stored.requireID())").status == .notFound)

            // Release needs the tick and the fingerprint of what was previewed.
            let preview = try await counsellor.get(base)
            #expect(preview.body.contains("Meer meldingen over &lt;b&gt;werkdruk&lt;/b&gt;."))
            let fingerprint = try #require(preview.firstMatch(#"name="fingerprint" value="([0-9a-f]+)""#))
            #expect(
                try await counsellor.post("\(base)/release", [("fingerprint", fingerprint)], csrf: preview.csrf).status
                    == .unprocessableEntity)
            #expect(
                try await counsellor.post("\(base)/release", [("fingerprint", "stale"), ("confirm", "yes")], csrf: preview.csrf).status
                    == .conflict)
            let released = try await counsellor.post(
                "\(base)/release", [("fingerprint", fingerprint), ("confirm", "yes")], csrf: preview.csrf)
            #expect(released.status == .seeOther)
            let report = try #require(try await YearlyReport.find(stored.requireID(), on: app.db))
            #expect(report.isReleased && report.releasedAt == clock.now)
            #expect(report.auditDigest != nil)
            let published = try #require(report.published)
            #expect(!published.peopleCounts.contains { (1...4).contains($0) })
            #expect(try await AuditEvent.query(on: app.db).filter(\.$action == "report-release").count() == 1)

            // A released report does not change: saving now asks for a correction.
            let after = try await counsellor.get(base)
            #expect(after.body.contains(#"id="start-correction""#))
            try await counsellor.post(base, [("signals", "Anders")], csrf: after.csrf)
            #expect(try await YearlyReport.find(stored.requireID(), on: app.db)?.signals == "Meer meldingen over <b>werkdruk</b>.")

            // Management reads it, in Dutch and English, with charts and the table behind each.
            let overview = try await manager.get("/management")
            #expect(overview.body.contains("/jaarverslag/\(try stored.requireID())"))
            let page = try await manager.get("/jaarverslag/\(try stored.requireID())")
            #expect(page.status == .ok && page.body.contains(#"<svg class="chart""#) && page.body.contains(#"class="report-table""#))
            #expect(page.body.contains("Train leidinggevenden."))
            let anchor = try #require(report.auditDigest)
            #expect(page.body.contains(#"id="audit-anchor""#) && page.body.contains(anchor))
            manager.acceptLanguage = "en"
            #expect(try await manager.get("/jaarverslag/\(try stored.requireID())").body.contains("People who came forward"))

            // Exports: exactly the published figures.
            let csv = try await manager.get("/jaarverslag/\(try stored.requireID())/export.csv")
            #expect(csv.headers.first(name: .contentType)?.hasPrefix("text/csv") == true)
            #expect(csv.body.hasPrefix("section,category,label,value\r\npeople,,"))
            let json = try await manager.get("/jaarverslag/\(try stored.requireID())/export.json")
            let decoded = try JSONDecoder().decode(ExportShape.self, from: Data(json.bytes))
            #expect(decoded.figures == published && decoded.year == year)

            // Management never reaches the counsellor's side.
            #expect(try await manager.get(base).status == .forbidden)
        }
    }

    struct ExportShape: Decodable {
        let format: String
        let year: Int
        let figures: PublishedYearlyReport
    }

    @Test func aCorrectionIsANewVersionProtectedAgainstTheFirst() async throws {
        try await withTestApp { app, clock in
            let year = Self.year(clock) - 1
            let acme = try await Fixtures.organisation(app)
            let anna = try await Fixtures.staff(app, role: .counsellor, email: "anna@acme.example", serving: acme)
            var sample = SampleRegistrations(seed: 5, lopsided: false)
            try await Self.register(app, (0..<30).map { _ in sample.registration() }, organisation: acme, counsellor: anna, year: year)
            let browser = TestBrowser(app)
            try await browser.logIn(anna, at: clock.now)
            let base = "/backoffice/jaarverslag/acme/\(year)"
            var page = try await browser.get(base)
            var fingerprint = try #require(page.firstMatch(#"name="fingerprint" value="([0-9a-f]+)""#))
            try await browser.post("\(base)/release", [("fingerprint", fingerprint), ("confirm", "yes")], csrf: page.csrf)

            // Two late registrations: releasing them would show two people by subtraction.
            try await Self.register(app, (0..<2).map { _ in sample.registration() }, organisation: acme, counsellor: anna, year: year)
            page = try await browser.get(base)
            try await browser.post("\(base)/correct", [], csrf: page.csrf)
            page = try await browser.get(base)
            #expect(page.body.contains(#"id="small-change""#) && !page.body.contains(#"id="release-form""#))
            #expect(
                try await browser.post("\(base)/release", [("fingerprint", ""), ("confirm", "yes")], csrf: page.csrf).status == .conflict)

            // Three more make five: the correction can go out, as version 2, beside version 1.
            try await Self.register(app, (0..<3).map { _ in sample.registration() }, organisation: acme, counsellor: anna, year: year)
            page = try await browser.get(base)
            fingerprint = try #require(page.firstMatch(#"name="fingerprint" value="([0-9a-f]+)""#))
            try await browser.post("\(base)/release", [("fingerprint", fingerprint), ("confirm", "yes")], csrf: page.csrf)
            let versions = try await YearlyReports(db: app.db).released(of: acme.requireID(), year: year)
            #expect(versions.map(\.version) == [1, 2])
            #expect(versions[0].published?.cases == .count(30) && versions[1].published?.cases == .count(35))
            let first = try #require(versions[0].published)
            let second = try #require(versions[1].published)
            for table in second.tables {
                for (index, cell) in (table.cells ?? []).enumerated() {
                    guard let now = cell.value, let before = first.table(table.breakdown)?.cells?[index].value else { continue }
                    #expect(!(1...4).contains(abs(now - before)), "\(table.breakdown) changed by a small number")
                }
            }
            // The first version says it was replaced.
            let old = try await browser.get("/jaarverslag/\(try versions[0].requireID())")
            #expect(old.body.contains(#"id="newer-version""#))
        }
    }

    @Test func optionalBreakdownsAreOffUntilTheAdminSwitchesThemOn() async throws {
        try await withTestApp { app, clock in
            let year = Self.year(clock)
            let acme = try await Fixtures.organisation(app)
            let anna = try await Fixtures.staff(app, role: .counsellor, email: "anna@acme.example", serving: acme)
            let admin = try await Fixtures.staff(app, role: .admin, email: "admin@example.org")
            // Off by default: the registration form does not ask.
            try await Fixtures.contact(app, slug: "acme", to: anna, message: "Iets op de afdeling")
            let casePath = "/backoffice/cases/\(try #require(try await CaseRecord.query(on: app.db).first()?.id))"
            let counsellor = TestBrowser(app)
            try await counsellor.logIn(anna, at: clock.now)
            #expect(try await counsellor.get(casePath).body.contains(#"name="location""#) == false)

            // The admin switches on gender and two locations (a blank line and a repeat are dropped).
            let browser = TestBrowser(app)
            try await browser.logIn(admin, at: clock.now)
            let editPath = "/admin/organisations/\(try acme.requireID())"
            let edit = try await browser.get("\(editPath)/edit")
            var fields = [
                ("name", "Acme Zorg"), ("slug", "acme"), ("language", "nl"), ("attachment_max_mb", "10"), ("retention_months", "12"),
                ("remind_acknowledgement_days", "2"), ("remind_feedback_days", "14"), ("registers_gender", "on"),
            ]
            let tooMany = (0...30).map { "Plaats \($0)" }.joined(separator: "\n")
            #expect(try await browser.post(editPath, fields + [("locations", tooMany)], csrf: edit.csrf).status == .unprocessableEntity)
            fields.append(("locations", "Utrecht\n\nZwolle\nutrecht"))
            #expect(try await browser.post(editPath, fields, csrf: edit.csrf).status == .seeOther)
            let saved = try #require(try await Organisation.find(acme.requireID(), on: app.db))
            #expect(saved.optionalBreakdowns == [.gender: OptionalBreakdown.genders, .location: ["Utrecht", "Zwolle"]])

            // Now the form asks, and only the organisation's own categories are taken.
            let page = try await counsellor.get(casePath)
            #expect(page.body.contains(#"name="location" value="Zwolle""#) && page.body.contains(#"name="gender" value="vrouw""#))
            let registration = [
                ("kinds[]", "pesten"), ("other_party", "collega"), ("pattern", "herhaald"), ("outcomes[]", "advies"), ("contacts", "2"),
                ("hours", "1"), ("gender", "vrouw"),
            ]
            let wrong = try await counsellor.post("\(casePath)/registration", registration + [("location", "Elders")], csrf: page.csrf)
            #expect(wrong.status == .unprocessableEntity)
            try await counsellor.post("\(casePath)/registration", registration + [("location", "Zwolle")], csrf: page.csrf)
            let row = try #require(try await CaseRegistration.query(on: app.db).first())
            #expect(row.gender == "vrouw" && row.location == "Zwolle" && row.jobGroup == nil)

            // The database counts them as Swift does, the unrecorded included.
            var sample = SampleRegistrations(seed: 9)
            sample.optionalCategories = saved.optionalBreakdowns
            let more = try await Self.register(
                app, (0..<60).map { _ in sample.registration() }, organisation: acme, counsellor: anna, year: year)
            var facts = more
            facts.append(
                RegistrationFacts(
                    quarter: row.quarter, isReport: false, registration: try #require(row.registration),
                    retaliationSignal: row.retaliationSignal))
            facts[facts.count - 1].optional = row.optional
            let figures = try await RegistrationTotals.figures(
                .organisation(acme.requireID()), year: year, optional: saved.optionalBreakdowns, on: app.db)
            #expect(figures.optional == YearFigures.tally(facts, optional: saved.optionalBreakdowns).optional)
            let draft = try await counsellor.get("/backoffice/jaarverslag/acme/\(year)")
            #expect(draft.body.contains(#"id="location""#) && draft.body.contains(#"id="gender""#))
            #expect(!draft.body.contains(#"id="job-group""#))
        }
    }

    @Test func aReleaseAnchorsTheAuditLog() async throws {
        try await withTestApp(arguments: ["vertrouwd", "audit", "verify"]) { app, clock in
            app.asyncCommands.use(AuditCommand(), as: "audit")
            let acme = try await Fixtures.organisation(app)
            let anna = try await Fixtures.staff(app, role: .counsellor, email: "anna@acme.example", serving: acme)
            try await AuditLog(db: app.db, clock: clock).record(.system, .casePurge)
            try await AuditLog(db: app.db, clock: clock).record(.system, .casePurge)
            let draft = YearlyReport(
                organisationID: try acme.requireID(), year: Self.year(clock) - 1, version: 1, draftedBy: try anna.account.requireID())
            try await draft.create(on: app.db)
            let figures = try YearlyReports.encoded(try Disclosure.publish(YearFigures()))
            let released = try await YearlyReports.release(
                draft.requireID(), figures: figures, signals: "", recommendations: "", by: anna.account.requireID(), at: clock.now,
                on: app.db)
            #expect(released)
            // Releasing again finds no draft.
            #expect(
                try await YearlyReports.release(
                    draft.requireID(), figures: figures, signals: "", recommendations: "", by: nil, at: clock.now, on: app.db) == false)
            let stored = try #require(try await YearlyReport.find(draft.requireID(), on: app.db))
            let head = try #require(try await AuditEvent.query(on: app.db).sort(\.$sequence, .descending).first())
            #expect(stored.auditSequence == head.sequence && stored.auditDigest == head.digest)
            try await app.execute()
            // A log that no longer has the printed entry fails the check.
            let sql = try #require(app.db as? any SQLDatabase)
            try await sql.raw("UPDATE yearly_reports SET audit_digest = 'printed-elsewhere'").run()
            await #expect(throws: ExitCode.self) { try await app.execute() }
        }
    }

    @Test func onlyMembersOfTheOrganisationReachItsReports() async throws {
        try await withTestApp { app, clock in
            let year = Self.year(clock) - 1
            let acme = try await Fixtures.organisation(app)
            let other = try await Fixtures.organisation(app, slug: "other", name: "Other")
            let anna = try await Fixtures.staff(app, role: .counsellor, email: "anna@acme.example", serving: acme)
            let stranger = try await Fixtures.staff(app, role: .counsellor, email: "c@other.example", serving: other)
            let otherHR = try await Fixtures.staff(app, role: .organisationContact, email: "hr@other.example", serving: other)
            let admin = try await Fixtures.staff(app, role: .admin, email: "admin@example.org")
            let report = YearlyReport(organisationID: try acme.requireID(), year: year, version: 1, draftedBy: try anna.account.requireID())
            report.status = YearlyReport.Status.released.rawValue
            report.figures = try YearlyReports.encoded(try Disclosure.publish(YearFigures()))
            try await report.create(on: app.db)
            let path = "/jaarverslag/\(try report.requireID())"
            for (staff, expected) in [(stranger, HTTPResponseStatus.notFound), (otherHR, .notFound), (admin, .forbidden), (anna, .ok)] {
                let browser = TestBrowser(app)
                try await browser.logIn(staff, at: clock.now)
                #expect(try await browser.get(path).status == expected, "\(staff.email)")
                #expect(try await browser.get("\(path)/export.csv").status == expected, "\(staff.email)")
                if staff.email == stranger.email {
                    #expect(try await browser.get("/backoffice/jaarverslag/acme/\(year)").status == .notFound)
                }
            }
            #expect(try await TestBrowser(app).get(path).status == .seeOther)
        }
    }

    @Test func theCounsellorsOwnReportCoversTheirRegistrationsEverywhere() async throws {
        try await withTestApp { app, clock in
            let year = Self.year(clock)
            let acme = try await Fixtures.organisation(app)
            let other = try await Fixtures.organisation(app, slug: "other", name: "Other")
            let anna = try await Fixtures.staff(app, role: .counsellor, email: "anna@acme.example", serving: acme)
            var sample = SampleRegistrations(seed: 3, lopsided: false)
            try await Self.register(app, (0..<9).map { _ in sample.registration() }, organisation: acme, counsellor: anna, year: year)
            try await Self.register(app, (0..<8).map { _ in sample.registration() }, organisation: other, counsellor: anna, year: year)
            let browser = TestBrowser(app)
            try await browser.logIn(anna, at: clock.now)
            let page = try await browser.get("/backoffice/mijn-jaarverslag/\(year)")
            #expect(page.status == .ok)
            #expect(page.firstMatch(#"id="figure-people">([^<]+)<"#) == "17")
            #expect(try await browser.get("/backoffice/mijn-jaarverslag/\(year + 1)").status == .notFound)
        }
    }
}
