import Fluent
import Foundation
import Testing
import Vapor
import VaporTesting
import VertrouwdCore

@testable import App

@Suite("Formal reports under the Wbk")
struct ReportTests {
    @Test func aReportRunsTheSevenDayAndThreeMonthClocksInTheInboxAndTheBackOffice() async throws {
        try await withTestApp { app, clock in
            let organisation = try await Fixtures.organisation(app)
            let point = try await Fixtures.staff(
                app, role: .counsellor, email: "meldpunt@acme.example", name: "Meldpunt", serving: organisation)
            let other = try await Fixtures.staff(app, role: .counsellor, email: "vp@acme.example", name: "Andere VP", serving: organisation)
            let membership = try #require(
                try await OrganisationMembership.query(on: app.db).filter(\.$account.$id == point.account.requireID()).first())
            membership.receivesReports = true
            try await membership.save(on: app.db)

            let person = TestBrowser(app)
            let form = try await person.get("/o/acme/melden")
            #expect(form.dataPage == "report")
            #expect(form.body.contains("Huis voor Klokkenluiders"))
            #expect(form.body.contains(try point.account.requireID().uuidString))
            #expect(!form.body.contains(try other.account.requireID().uuidString), "only the reporting point receives reports")
            let submission = try #require(form.submissionToken)
            let refused = try await person.post(
                "/o/acme/melden",
                [
                    ("counsellor", try other.account.requireID().uuidString), ("message", "x"), ("identity", "anonymous"),
                    ("channel", "written"), ("submission", submission),
                ],
                csrf: form.csrf)
            #expect(refused.status == .unprocessableEntity)
            let sent = try await person.post(
                "/o/acme/melden",
                [
                    ("counsellor", try point.account.requireID().uuidString), ("message", "De afdeling loost afvalwater in de sloot."),
                    ("identity", "confidential"), ("name", "Jan Jansen"), ("channel", "meeting"), ("kinds[]", "misstanden-maatschappij"),
                    ("submission", submission),
                ], csrf: form.csrf)
            let code = try #require(sent.receiptCode)
            #expect(try await CaseRecord.query(on: app.db).first()?.kind == .formalReport)

            func inbox() async throws -> TestBrowser.Page {
                let browser = TestBrowser(app)
                let login = try await browser.get("/o/acme/inbox")
                return try await browser.post("/o/acme/inbox", [("receipt", code), ("action", "open")], csrf: login.csrf)
            }
            let catalog = app.vertrouwd.catalog
            #expect(try await inbox().body.contains(catalog.text("deadline.state.on-time", in: .dutch)))

            clock.advance(by: 7 * 86_400 + 1)
            let late = try await inbox()
            #expect(late.body.contains(catalog.text("deadline.state.overdue", in: .dutch)))
            let counsellor = TestBrowser(app)
            try await counsellor.logIn(point, at: clock.now)
            let dashboard = try await counsellor.get("/backoffice")
            #expect(dashboard.body.contains("deadline overdue"))
            let casePath = try #require(dashboard.firstCasePath)
            let casePage = try await counsellor.get(casePath)
            #expect(casePage.firstMatch(#"id="identity-name">([^<]+)<"#) == "Jan Jansen")
            #expect(
                try await counsellor.post("\(casePath)/feedback", [], csrf: casePage.csrf).status == .notFound,
                "feedback before acknowledgement")
            #expect(try await counsellor.post("\(casePath)/acknowledge", [], csrf: casePage.csrf).location == casePath)
            #expect(try await counsellor.post("\(casePath)/acknowledge", [], csrf: casePage.csrf).status == .notFound, "only once")

            let acknowledged = try await inbox()
            #expect(acknowledged.body.contains(catalog.text("deadline.acknowledgement.message", in: .dutch)))
            #expect(acknowledged.body.contains(catalog.text("deadline.state.done", in: .dutch)))
            let record = try #require(try await CaseRecord.query(on: app.db).first())
            let deadlines = try #require(record.deadlines)
            #expect(deadlines.acknowledgedAt == clock.now)
            #expect(deadlines.feedbackDue == FormalReportDeadlines.calendar.date(byAdding: .month, value: 3, to: clock.now))

            #expect(try await counsellor.post("\(casePath)/feedback", [], csrf: casePage.csrf).location == casePath)
            #expect(try await CaseRecord.query(on: app.db).first()?.feedbackGivenAt == clock.now)
            // A contact has no deadlines and no acknowledgement button.
            #expect(!casePage.body.contains("case-acknowledge") || record.kind == .formalReport)
            try await expectQueueInStep(app)
        }
    }

    @Test func anOrganisationWithoutAReportingPointSaysSo() async throws {
        try await withTestApp { app, _ in
            let organisation = try await Fixtures.organisation(app)
            _ = try await Fixtures.staff(app, role: .counsellor, email: "vp@acme.example", serving: organisation)
            let page = try await TestBrowser(app).get("/o/acme/melden")
            #expect(page.status == .ok)
            #expect(!page.body.contains(#"id="contact-form""#))
            #expect(page.body.contains(app.vertrouwd.catalog.text("report.no_point", in: .dutch)))
        }
    }
}
