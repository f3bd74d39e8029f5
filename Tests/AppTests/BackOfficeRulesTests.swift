import Fluent
import Foundation
import Testing
import Vapor
import VaporTesting
import VertrouwdCore

@testable import App

/// The rules around a case that a review of the back office asked for: who may hold a formal
/// report, whose access may be taken back, what an ended case still takes, what "unwanted" may
/// remove, and how the purge counts months.
@Suite("Back office: rules on access, ended cases and removal")
struct BackOfficeRulesTests {
    func sendReport(_ app: Application, to counsellor: Fixtures.Staff, path: String = "melden") async throws -> String {
        let browser = TestBrowser(app)
        let form = try await browser.get("/o/acme/\(path)")
        let submission = try #require(form.submissionToken)
        let page = try await browser.post(
            "/o/acme/\(path)",
            [
                ("counsellor", try counsellor.account.requireID().uuidString), ("message", "Iets over declaraties"),
                ("identity", "anonymous"),
                ("channel", path == "melden" ? "written" : "messages"), ("submission", submission),
            ], csrf: form.csrf)
        return try #require(page.receiptCode)
    }

    @Test func aFormalReportStaysWithTheReportingPoint() async throws {
        try await withTestApp { app, clock in
            let organisation = try await Fixtures.organisation(app)
            let anna = try await Fixtures.staff(app, role: .counsellor, email: "anna@acme.example", serving: organisation)
            let bram = try await Fixtures.staff(app, role: .counsellor, email: "bram@acme.example", serving: organisation)
            let point = try #require(
                try await OrganisationMembership.query(on: app.db).filter(\.$account.$id == anna.account.requireID()).first())
            point.receivesReports = true
            try await point.save(on: app.db)
            _ = try await sendReport(app, to: anna)
            let path = "/backoffice/cases/\(try #require(try await CaseRecord.query(on: app.db).first()?.id))"
            let browser = TestBrowser(app)
            try await browser.logIn(anna, at: clock.now)
            let page = try await browser.get(path)
            #expect(!page.body.contains(#"id="share-form""#), "Bram is not in the reporting point: nobody to share with")
            let bramID = try bram.account.requireID().uuidString
            #expect(try await browser.post("\(path)/share", [("counsellor", bramID)], csrf: page.csrf).status == .unprocessableEntity)
            #expect(
                try await browser.post("\(path)/transfer", [("counsellor", bramID), ("confirm", "on")], csrf: page.csrf).status
                    == .unprocessableEntity)
            // Hand-over of everything leaves the report where it is.
            let handover = try await browser.get("/backoffice/handover")
            try await browser.post(
                "/backoffice/handover",
                [("organisation", try organisation.requireID().uuidString), ("counsellor", bramID), ("confirm", "on")], csrf: handover.csrf)
            #expect(try await BackofficeController.caseIDs(of: anna.account.requireID(), on: app.db).count == 1)
            #expect(try await BackofficeController.caseIDs(of: bram.account.requireID(), on: app.db).isEmpty)
        }
    }

    @Test func onlyAccessOneGaveCanBeTakenBackAndLeavingAnOrganisationLeavesOnlyTheHandOver() async throws {
        try await withTestApp { app, clock in
            let organisation = try await Fixtures.organisation(app)
            let anna = try await Fixtures.staff(app, role: .counsellor, email: "anna@acme.example", serving: organisation)
            let bram = try await Fixtures.staff(app, role: .counsellor, email: "bram@acme.example", serving: organisation)
            _ = try await sendReport(app, to: anna, path: "contact")
            let path = "/backoffice/cases/\(try #require(try await CaseRecord.query(on: app.db).first()?.id))"
            let annas = TestBrowser(app)
            try await annas.logIn(anna, at: clock.now)
            var page = try await annas.get(path)
            try await annas.post("\(path)/share", [("counsellor", try bram.account.requireID().uuidString)], csrf: page.csrf)
            // Bram was given access; he cannot take away Anna's, whom the person chose.
            let brams = TestBrowser(app)
            clock.advance(by: 31)
            try await brams.logIn(bram, at: clock.now)
            page = try await brams.get(path)
            let refused = try await brams.post("\(path)/revoke", [("counsellor", try anna.account.requireID().uuidString)], csrf: page.csrf)
            #expect(refused.status == .unprocessableEntity)
            #expect(try await annas.get(path).status == .ok)

            // Anna is taken off the organisation: her case pages close, her hand-over page still offers them.
            try await OrganisationMembership.query(on: app.db).filter(\.$account.$id == anna.account.requireID()).delete()
            #expect(try await annas.get(path).status == .notFound)
            let handover = try await annas.get("/backoffice/handover")
            #expect(handover.body.contains("Acme Zorg"))
            try await annas.post(
                "/backoffice/handover",
                [
                    ("organisation", try organisation.requireID().uuidString), ("counsellor", try bram.account.requireID().uuidString),
                    ("confirm", "on"),
                ], csrf: handover.csrf)
            #expect(try await BackofficeController.caseIDs(of: anna.account.requireID(), on: app.db).isEmpty)
            try await expectQueueInStep(app)
        }
    }

    @Test func anEndedCaseTakesNoMoreWorkAndStatusesFollowTheirRules() async throws {
        try await withTestApp { app, clock in
            let organisation = try await Fixtures.organisation(app)
            let anna = try await Fixtures.staff(app, role: .counsellor, email: "anna@acme.example", serving: organisation)
            let point = try #require(try await OrganisationMembership.query(on: app.db).first())
            point.receivesReports = true
            try await point.save(on: app.db)
            let code = try await sendReport(app, to: anna)
            // The person withdraws.
            let person = TestBrowser(app)
            let login = try await person.get("/o/acme/inbox")
            try await person.post("/o/acme/inbox", [("receipt", code), ("action", "withdraw"), ("confirm", "on")], csrf: login.csrf)
            let record = try #require(try await CaseRecord.query(on: app.db).first())
            #expect(record.status == .withdrawn && record.endedAt != nil)
            let path = "/backoffice/cases/\(try record.requireID())"
            let browser = TestBrowser(app)
            try await browser.logIn(anna, at: clock.now)
            let page = try await browser.get(path)
            let before = try await CaseContent.query(on: app.db).count()
            #expect(try await browser.post("\(path)/acknowledge", [], csrf: page.csrf).status == .notFound)
            #expect(try await browser.post("\(path)/reply", [("message", "x")], csrf: page.csrf).status == .unprocessableEntity)
            #expect(
                try await browser.post("\(path)/consent", [("consent_kind", "referral"), ("consent_event", "given")], csrf: page.csrf)
                    .status
                    == .unprocessableEntity)
            #expect(try await browser.post("\(path)/status", [("status", "in-conversation")], csrf: page.csrf).status == .notFound)
            #expect(try await browser.post("\(path)/reopen", [], csrf: page.csrf).status == .notFound, "only the person can withdraw")
            #expect(try await CaseContent.query(on: app.db).count() == before)
            // The withdrawal was recorded as the person's, not as anyone's name.
            #expect(try await AuditEvent.query(on: app.db).filter(\.$action == "case-withdraw").first()?.actor == "person")
            try await expectQueueInStep(app)
        }
    }

    @Test func thePersonStaysAnonymousInTheAuditLogEvenFromAStaffBrowser() async throws {
        try await withTestApp { app, clock in
            let organisation = try await Fixtures.organisation(app)
            let anna = try await Fixtures.staff(app, role: .counsellor, email: "anna@acme.example", serving: organisation)
            let hr = try await Fixtures.staff(app, role: .organisationContact, email: "hr@acme.example", serving: organisation)
            let browser = TestBrowser(app)
            try await browser.logIn(hr, at: clock.now)
            let form = try await browser.get("/o/acme/contact")
            let submission = try #require(form.submissionToken)
            let receipt = try await browser.post(
                "/o/acme/contact",
                [
                    ("counsellor", try anna.account.requireID().uuidString), ("message", "Vanuit mijn werkbrowser"),
                    ("identity", "anonymous"),
                    ("channel", "messages"), ("submission", submission),
                ], csrf: form.csrf)
            let code = try #require(receipt.receiptCode)
            try await browser.post("/o/acme/inbox", [("receipt", code), ("action", "open")], csrf: receipt.csrf)
            let reads = try await AuditEvent.query(on: app.db).filter(\.$action == "case-read").all()
            #expect(reads.count == 1 && reads[0].actor == "person")
            #expect(
                try await AuditEvent.query(on: app.db).filter(\.$actor == "staff:\(try hr.account.requireID().uuidString)").all()
                    .allSatisfy { $0.caseID.isEmpty })
        }
    }

    @Test func removingUnwantedCasesSparesWorkedOnesAndIsAudited() async throws {
        try await withTestApp { app, clock in
            let organisation = try await Fixtures.organisation(app)
            let anna = try await Fixtures.staff(app, role: .counsellor, email: "anna@acme.example", serving: organisation)
            let vault = CaseVault(services: app.vertrouwd, db: app.db)
            let (spam, _) = try await vault.createCase(
                organisationID: organisation.requireID(), kind: .contact, counsellorIDs: [anna.account.requireID()])
            let (worked, _) = try await vault.createCase(
                organisationID: organisation.requireID(), kind: .contact, counsellorIDs: [anna.account.requireID()])
            try await vault.append("Een antwoord", field: .message, author: .counsellor, to: worked)
            for opened in [spam, worked] {
                opened.record.flaggedAt = clock.now
                try await opened.record.save(on: app.db)
            }
            let browser = TestBrowser(app)
            try await browser.logIn(anna, at: clock.now)
            let page = try await browser.get("/backoffice")
            try await browser.post("/backoffice/cases/remove-flagged", [("confirm", "on")], csrf: page.csrf)
            #expect(try await CaseRecord.find(spam.caseID, on: app.db) == nil)
            #expect(try await CaseRecord.find(worked.caseID, on: app.db) != nil)
            #expect(try await AuditEvent.query(on: app.db).filter(\.$action == "case-remove").count() == 1)
            try await expectQueueInStep(app)
        }
    }

    @Test func retentionMonthsEndAtTheMonthEndAndAReopenedCaseStays() async throws {
        let calendar = FormalReportDeadlines.calendar
        let ended = try #require(calendar.date(from: DateComponents(year: 2027, month: 3, day: 31, hour: 12)))
        let purgeDay = try #require(calendar.date(from: DateComponents(year: 2027, month: 4, day: 30, hour: 12)))
        try await withTestApp(clock: ManualWallClock(purgeDay)) { app, clock in
            let organisation = try await Fixtures.organisation(app)
            organisation.retentionMonths = 1
            try await organisation.save(on: app.db)
            let anna = try await Fixtures.staff(app, role: .counsellor, email: "anna@acme.example", serving: organisation)
            let vault = CaseVault(services: app.vertrouwd, db: app.db)
            var ids: [UUID] = []
            for _ in 0..<2 {
                let (opened, _) = try await vault.createCase(
                    organisationID: organisation.requireID(), kind: .contact, counsellorIDs: [anna.account.requireID()])
                opened.record.status = .closed
                opened.record.endedAt = ended
                try await opened.record.save(on: app.db)
                ids.append(opened.caseID)
            }
            let purger = CasePurger(services: app.vertrouwd, db: app.db, logger: app.logger)
            #expect(try await purger.due(before: clock.now).count == 2, "31 March + 1 month = 30 April")
            // One is reopened after the list was made: the purge looks again and keeps it.
            let kept = try await purger.destroy(ids[0], action: .casePurge, actor: .system) { record, _ in
                record.status = .inConversation
                record.endedAt = nil
                return record.endedAt != nil
            }
            #expect(!kept)
            #expect(try await purger.purge() == 2 - 0, "both still ended in the database: both go")
            #expect(try await CaseRecord.query(on: app.db).count() == 0)
        }
    }

    /// Each organisation's own term decides, also in a counsellor's own list (the dashboard's count),
    /// which reads the end date from their queue rows.
    @Test func casesDueSoonFollowEachOrganisationsTermAndOnlyTheCounsellorsOwn() async throws {
        let calendar = FormalReportDeadlines.calendar
        let now = try #require(calendar.date(from: DateComponents(year: 2027, month: 6, day: 15, hour: 12)))
        try await withTestApp(clock: ManualWallClock(now)) { app, clock in
            let short = try await Fixtures.organisation(app)
            short.retentionMonths = 1
            try await short.save(on: app.db)
            let long = try await Fixtures.organisation(app, slug: "lang", name: "Lang Bewaard")
            let anna = try await Fixtures.staff(app, role: .counsellor, email: "anna@acme.example", serving: short)
            let bram = try await Fixtures.staff(app, role: .counsellor, email: "bram@acme.example", serving: long)
            try await OrganisationMembership(
                organisationID: long.requireID(), accountID: anna.account.requireID(), counsellorKind: .external
            )
            .create(on: app.db)
            let vault = CaseVault(services: app.vertrouwd, db: app.db)
            func ended(_ organisation: Organisation, by counsellor: Fixtures.Staff, monthsAgo: Int) async throws -> UUID {
                let (opened, _) = try await vault.createCase(
                    organisationID: organisation.requireID(), kind: .contact, counsellorIDs: [counsellor.account.requireID()])
                opened.record.status = .closed
                opened.record.endedAt = calendar.date(byAdding: .month, value: -monthsAgo, to: clock.now)
                try await opened.record.save(on: app.db)
                return opened.caseID
            }
            let shortDue = try await ended(short, by: anna, monthsAgo: 2)
            _ = try await ended(short, by: anna, monthsAgo: 0)
            let longDue = try await ended(long, by: anna, monthsAgo: 13)
            _ = try await ended(long, by: anna, monthsAgo: 2)
            let bramsDue = try await ended(long, by: bram, monthsAgo: 14)
            let purger = CasePurger(services: app.vertrouwd, db: app.db, logger: app.logger)
            let everyone = Set(try await purger.due(before: clock.now).compactMap(\.record.id))
            #expect(everyone == [shortDue, longDue, bramsDue])
            let annas = Set(try await purger.due(before: clock.now, heldBy: anna.account.requireID()).compactMap(\.record.id))
            #expect(annas == [shortDue, longDue])
            // A month on, her case that ended this month is due too.
            let soon = try #require(calendar.date(byAdding: .month, value: 1, to: clock.now))
            #expect(try await purger.due(before: soon, heldBy: anna.account.requireID()).count == 3)
            try await expectQueueInStep(app)
        }
    }

    @Test func onlyFormsWithFilesTakeLargeBodiesAndTheRelayCannotInjectBeforeTLS() async throws {
        try await withTestApp { app, _ in
            let browser = TestBrowser(app)
            let csrf = try await browser.get("/login").csrf
            let big = [UInt8](repeating: 0x41, count: 2 << 20)
            let login = try await browser.postMultipart("/login", [("email", "a@b.example")], files: [.init("x.pdf", big)], csrf: csrf)
            #expect(login.status == .payloadTooLarge)
            let contact = try await browser.postMultipart("/o/geen/contact", [], files: [.init("x.pdf", big)], csrf: csrf)
            #expect(contact.status != .payloadTooLarge, "a form with files may be larger")
        }
        let server = try TestSMTPServer(injectsAfterStartTLS: true)
        defer { server.stop() }
        let client = SMTPClient(
            settings: .init(
                host: "127.0.0.1", port: server.port, from: "a@b.example", timeout: TestSMTPServer.patientTimeout, security: .startTLS))
        await #expect(throws: SMTPClient.Failure.injectedBeforeTLS) { try await client.send(to: "c@d.example", subject: "x", body: "y") }
        #expect(!server.transcript.contains { $0.hasPrefix("MAIL FROM") })
        #expect(SMTPClient.serverName("smtp.example.org") == "smtp.example.org")
        #expect(SMTPClient.serverName("192.0.2.1") == nil)
        #expect(SMTPClient.serverName("2001:db8::1") == nil)
        #expect(SMTPClient.serverName("[2001:db8::1]") == nil)
    }
}
