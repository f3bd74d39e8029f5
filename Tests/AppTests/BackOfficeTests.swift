import Fluent
import Foundation
import SQLKit
import Testing
import Vapor
import VaporTesting
import VertrouwdCore

@testable import App

/// The counsellor's daily work on one case, from arrival to closing, and what the retention purge
/// leaves of it.
@Suite("Back office: working a case, closing it, and letting it go")
struct BackOfficeTests {
    struct Setup {
        let organisation: Organisation
        let anna: Fixtures.Staff
        let bram: Fixtures.Staff
    }

    func setUp(_ app: Application) async throws -> Setup {
        let organisation = try await Fixtures.organisation(app)
        return Setup(
            organisation: organisation,
            anna: try await Fixtures.staff(app, role: .counsellor, email: "anna@acme.example", name: "Anna", serving: organisation),
            bram: try await Fixtures.staff(app, role: .counsellor, email: "bram@acme.example", name: "Bram", serving: organisation))
    }

    /// Sends a contact (or report) through the form; returns the receipt.
    func send(_ app: Application, to counsellor: Fixtures.Staff, message: String, path: String = "contact") async throws -> String {
        let browser = TestBrowser(app)
        let form = try await browser.get("/o/acme/\(path)")
        let submission = try #require(form.submissionToken)
        let page = try await browser.post(
            "/o/acme/\(path)",
            [
                ("counsellor", try counsellor.account.requireID().uuidString), ("message", message), ("identity", "anonymous"),
                ("channel", path == "contact" ? "messages" : "written"), ("kinds[]", "pesten"), ("submission", submission),
            ], csrf: form.csrf)
        return try #require(page.receiptCode)
    }

    @Test func aCaseIsWorkedFromArrivalToClosingAndPurgedOnSchedule() async throws {
        try await withTestApp { app, clock in
            let setup = try await setUp(app)
            let code = try await send(app, to: setup.anna, message: "Mijn leidinggevende scheldt me uit. MELDINGTEKST")
            let anna = TestBrowser(app)
            try await anna.logIn(setup.anna, at: clock.now)

            // The dashboard counts what came in and who waits.
            let dashboard = try await anna.get("/backoffice")
            #expect(dashboard.firstMatch(#"id="summary-new">(\d+)<"#) == "1")
            #expect(dashboard.firstMatch(#"id="summary-waiting">(\d+)<"#) == "1")
            let casePath = try #require(dashboard.firstCasePath)
            let caseID = try #require(UUID(uuidString: String(casePath.split(separator: "/").last!)))
            var page = try await anna.get(casePath)
            #expect(page.body.contains("MELDINGTEKST"))

            // Reply: the person no longer waits.
            try await anna.post("\(casePath)/reply", [("message", "Dank je, ik help je graag.")], csrf: page.csrf)
            #expect(try await anna.get("/backoffice").firstMatch(#"id="summary-waiting">(\d+)<"#) == "0")

            // Notes are versioned: an edit adds a version and keeps the first.
            page = try await anna.get(casePath)
            try await anna.post("\(casePath)/notes", [("note", "Eerste indruk AANTEKENINGV1")], csrf: page.csrf)
            page = try await anna.get(casePath)
            let thread = try #require(page.firstMatch(#"name="thread" value="([0-9A-F-]+)""#))
            try await anna.post("\(casePath)/notes", [("thread", thread), ("note", "Bijgesteld AANTEKENINGV2")], csrf: page.csrf)
            page = try await anna.get(casePath)
            #expect(page.body.contains("AANTEKENINGV2") && page.body.contains("AANTEKENINGV1"))
            #expect(page.body.contains(app.vertrouwd.catalog.text("note.edited", in: .dutch)))
            #expect(try await CaseContent.query(on: app.db).filter(\.$field == .note).count() == 2)

            // A referral needs consent; once recorded, the referral goes through and the case is "referred".
            let refused = try await anna.post("\(casePath)/referral", [("referral_to", "hr")], csrf: page.csrf)
            #expect(refused.status == .unprocessableEntity)
            #expect(refused.body.contains(app.vertrouwd.catalog.text("referral.error.consent", in: .dutch)))
            try await anna.post("\(casePath)/consent", [("consent_kind", "referral"), ("consent_event", "given")], csrf: page.csrf)
            let referred = try await anna.post("\(casePath)/referral", [("referral_to", "company-doctor")], csrf: page.csrf)
            #expect(referred.status == .seeOther)
            page = try await anna.get(casePath)
            #expect(page.firstMatch(#"id="case-status">([^<]+)<"#) == app.vertrouwd.catalog.text("case.status.referred", in: .dutch))
            // Consent taken back: no further referral.
            try await anna.post("\(casePath)/consent", [("consent_kind", "referral"), ("consent_event", "withdrawn")], csrf: page.csrf)
            #expect(try await anna.post("\(casePath)/referral", [("referral_to", "hr")], csrf: page.csrf).status == .unprocessableEntity)

            // The retaliation signal shows on the page and is counted in the registration.
            try await anna.post("\(casePath)/signal", [("signal", "on")], csrf: page.csrf)
            page = try await anna.get(casePath)
            #expect(page.body.contains(#"id="signal-banner""#))

            // Closing needs a registration; a wrong one is explained field by field.
            let early = try await anna.post("\(casePath)/close", [], csrf: page.csrf)
            #expect(early.status == .unprocessableEntity)
            let wrong = try await anna.post(
                "\(casePath)/registration", [("other_party", "baas"), ("contacts", "0"), ("hours", "veel")], csrf: page.csrf)
            #expect(wrong.status == .unprocessableEntity)
            for key in [
                "registration.error.kinds", "registration.error.contacts", "registration.error.hours", "registration.error.outcomes",
            ] {
                #expect(wrong.body.contains(app.vertrouwd.catalog.text(key, in: .dutch)), "\(key)")
            }
            let registered = try await anna.post(
                "\(casePath)/registration",
                [
                    ("kinds[]", "pesten"), ("kinds[]", "intimidatie"), ("other_party", "leidinggevende"), ("pattern", "herhaald"),
                    ("outcomes[]", "advies"), ("outcomes[]", "verwezen-bedrijfsarts"), ("contacts", "3"), ("hours", "2,5"),
                ], csrf: page.csrf)
            #expect(registered.status == .seeOther)
            let row = try #require(try await CaseRegistration.query(on: app.db).first())
            #expect(row.kinds == "intimidatie,pesten" && row.quarterHours == 10 && row.retaliationSignal)
            #expect(row.year == FormalReportDeadlines.calendar.component(.year, from: clock.now))
            try await anna.post("\(casePath)/close", [], csrf: page.csrf)
            page = try await anna.get(casePath)
            #expect(page.firstMatch(#"id="case-status">([^<]+)<"#) == app.vertrouwd.catalog.text("case.status.closed", in: .dutch))
            #expect(page.body.contains(#"id="purge-date""#))
            let retention = try await anna.get("/backoffice/retention")
            #expect(retention.body.contains(casePath))

            // Just before the end of the term nothing goes; just after, the content and keys are destroyed.
            let purger = CasePurger(services: app.vertrouwd, db: app.db, logger: app.logger)
            let sample = try #require(try await CaseContent.query(on: app.db).filter(\.$field == .note).first())
            let ciphertext = Array(sample.ciphertext.prefix(64))
            clock.advance(by: 364 * 86_400)
            #expect(try await purger.purge() == 0)
            clock.advance(by: 2 * 86_400)
            #expect(try await purger.purge() == 1)
            #expect(try await CaseRecord.find(caseID, on: app.db) == nil)
            #expect(try await CaseContent.query(on: app.db).count() == 0)
            #expect(try await CaseKeyGrant.query(on: app.db).count() == 0)
            let kept = try #require(try await CaseRegistration.query(on: app.db).first())
            #expect(kept.caseID == nil && kept.contacts == 3 && kept.outcomes == "advies,verwezen-bedrijfsarts")
            // Gone from the files, not only from the tables.
            let stored = try await PlaintextScanTests.storedBytes(app)
            for (name, bytes) in stored {
                #expect(!PlaintextScanTests.contains(bytes, ciphertext), "\(name) still holds the destroyed ciphertext")
            }
            #expect(try await ReceiptGate.openDirect(app, code) == nil, "the receipt opens nothing any more")
            #expect(try await AuditEvent.query(on: app.db).filter(\.$action == "case-purge").count() == 1)
            #expect(try await AuditLog(db: app.db, clock: clock).verify() == nil)
            try await expectQueueInStep(app)
        }
    }

    @Test func onlyTheCounsellorsOfACaseCanReachItOnAnyRoute() async throws {
        try await withTestApp { app, clock in
            let setup = try await setUp(app)
            let other = try await Fixtures.organisation(app, slug: "ander", name: "Ander BV")
            let carla = try await Fixtures.staff(app, role: .counsellor, email: "carla@ander.example", serving: other)
            let contact = try await Fixtures.staff(app, role: .organisationContact, email: "hr@acme.example", serving: setup.organisation)
            let admin = try await Fixtures.staff(app, role: .admin, email: "admin@example.org")
            _ = try await send(app, to: setup.anna, message: "Alleen voor Anna")
            let caseID = try #require(try await CaseRecord.query(on: app.db).first()?.id)
            let base = "/backoffice/cases/\(caseID)"
            let posts = [
                "reply", "acknowledge", "feedback", "notes", "consent", "referral", "signal", "registration", "status", "close", "reopen",
                "share",
                "transfer", "revoke",
            ]
            let item = try #require(try await CaseContent.query(on: app.db).first()?.id)
            for (staff, expected) in [(setup.bram, HTTPStatus.notFound), (carla, .notFound), (contact, .forbidden), (admin, .forbidden)] {
                let browser = TestBrowser(app)
                clock.advance(by: 31)
                try await browser.logIn(staff, at: clock.now)
                let csrf = try await browser.get("/account/password").csrf
                #expect(try await browser.get(base).status == expected, "\(staff.email) GET")
                #expect(try await browser.get("\(base)/attachments/\(item)").status == expected)
                for action in posts {
                    let page = try await browser.post(
                        "\(base)/\(action)", [("message", "x"), ("note", "x"), ("counsellor", try staff.account.requireID().uuidString)],
                        csrf: csrf)
                    #expect(page.status == expected, "\(staff.email) POST \(action): \(page.status)")
                }
                // A guessed id is the same 404 as a real case of someone else.
                #expect(try await browser.get("/backoffice/cases/\(UUID())").status == (expected == .notFound ? .notFound : .forbidden))
            }
            #expect(try await CaseContent.query(on: app.db).count() == 2, "nothing was added by anyone")
            #expect(try await CaseRecord.find(caseID, on: app.db)?.status == .new)
        }
    }

    @Test func sharingTransferAndRevocationResealTheKey() async throws {
        try await withTestApp { app, clock in
            let setup = try await setUp(app)
            _ = try await send(app, to: setup.anna, message: "Voor Anna, later ook Bram")
            let caseID = try #require(try await CaseRecord.query(on: app.db).first()?.id)
            let path = "/backoffice/cases/\(caseID)"
            let anna = TestBrowser(app)
            try await anna.logIn(setup.anna, at: clock.now)
            let bram = TestBrowser(app)
            clock.advance(by: 31)
            try await bram.logIn(setup.bram, at: clock.now)
            #expect(try await bram.get(path).status == .notFound)

            var page = try await anna.get(path)
            try await anna.post("\(path)/share", [("counsellor", try setup.bram.account.requireID().uuidString)], csrf: page.csrf)
            #expect(try await bram.get(path).body.contains("Voor Anna, later ook Bram"))

            // Revoking renews the key: what is written afterwards is closed to Bram even with an old copy.
            page = try await anna.get(path)
            try await anna.post("\(path)/revoke", [("counsellor", try setup.bram.account.requireID().uuidString)], csrf: page.csrf)
            #expect(try await bram.get(path).status == .notFound)
            #expect(try await CaseRecord.find(caseID, on: app.db)?.keyVersion == 2)
            // The last counsellor cannot be removed.
            let alone = try await anna.post(
                "\(path)/revoke", [("counsellor", try setup.anna.account.requireID().uuidString)], csrf: page.csrf)
            #expect(alone.status == .unprocessableEntity)

            // Transfer: Bram gets it, Anna loses it.
            let refused = try await anna.post(
                "\(path)/transfer", [("counsellor", try setup.bram.account.requireID().uuidString)], csrf: page.csrf)
            #expect(refused.status == .unprocessableEntity, "a transfer needs the confirmation")
            try await anna.post(
                "\(path)/transfer", [("counsellor", try setup.bram.account.requireID().uuidString), ("confirm", "on")], csrf: page.csrf)
            #expect(try await anna.get(path).status == .notFound)
            #expect(try await bram.get(path).status == .ok)
            let actions = try await AuditEvent.query(on: app.db).filter(\.$caseID == caseID.uuidString).all().map(\.action)
            for action in ["key-grant", "key-revoke", "case-transfer"] { #expect(actions.contains(action)) }

            // Bram leaves: all his cases of Acme go to Anna in one step.
            _ = try await send(app, to: setup.bram, message: "Tweede zaak voor Bram")
            let handover = try await bram.get("/backoffice/handover")
            #expect(handover.body.contains(app.vertrouwd.catalog.text("handover.count", in: .dutch, ["2"])))
            try await bram.post(
                "/backoffice/handover",
                [
                    ("organisation", try setup.organisation.requireID().uuidString),
                    ("counsellor", try setup.anna.account.requireID().uuidString),
                    ("confirm", "on"),
                ], csrf: handover.csrf)
            #expect(try await BackofficeController.caseIDs(of: setup.bram.account.requireID(), on: app.db).isEmpty)
            #expect(try await BackofficeController.caseIDs(of: setup.anna.account.requireID(), on: app.db).count == 2)
            #expect(try await anna.get(path).body.contains("Voor Anna, later ook Bram"))
            try await expectQueueInStep(app)
        }
    }

    @Test func reportDeadlinesRemindTheCounsellorOncePerStage() async throws {
        let server = try TestSMTPServer()
        defer { server.stop() }
        try await withTestApp(adjust: {
            $0.smtp = SMTPClient.Settings(
                host: "127.0.0.1", port: server.port, from: "noreply@vertrouwd.example", timeout: TestSMTPServer.patientTimeout)
        }) { app, clock in
            let setup = try await setUp(app)
            let membership = try #require(
                try await OrganisationMembership.query(on: app.db).filter(\.$account.$id == setup.anna.account.requireID()).first())
            membership.receivesReports = true
            try await membership.save(on: app.db)
            _ = try await send(app, to: setup.anna, message: "Fraude met declaraties", path: "melden")
            try await OutgoingMail.query(on: app.db).delete()
            let reminders = DeadlineReminders(services: app.vertrouwd, db: app.db)
            clock.advance(by: 4 * 86_400)
            #expect(try await reminders.queueDue() == 0, "five days before the acknowledgement is due: nothing yet")
            /// Sessions end after 30 idle minutes, so each look at the dashboard after days starts with a login.
            func dashboard() async throws -> (TestBrowser, TestBrowser.Page) {
                let browser = TestBrowser(app)
                try await browser.logIn(setup.anna, at: clock.now)
                return (browser, try await browser.get("/backoffice"))
            }
            #expect(try await dashboard().1.firstMatch(#"id="summary-due-soon">(\d+)<"#) == "0")
            clock.advance(by: 1 * 86_400 + 60)
            #expect(try await dashboard().1.firstMatch(#"id="summary-due-soon">(\d+)<"#) == "1")
            #expect(try await reminders.queueDue() == 1)
            #expect(try await reminders.queueDue() == 0, "once per stage")
            let mail = try #require(try await OutgoingMail.query(on: app.db).first())
            #expect(mail.template == "reminder-acknowledgement" && mail.recipient == "anna@acme.example")
            _ = try await OutboxSender(services: app.vertrouwd, db: app.db, logger: app.logger).sendDue()
            #expect(server.messages.first?.data.contains("Fraude") == false)

            clock.advance(by: 3 * 86_400)
            let (anna, overdue) = try await dashboard()
            #expect(overdue.firstMatch(#"id="summary-overdue">(\d+)<"#) == "1")
            let casePath = try #require(overdue.firstCasePath)
            try await anna.post("\(casePath)/acknowledge", [], csrf: try await anna.get(casePath).csrf)
            // Feedback is due three months after the acknowledgement; the reminder comes 14 days before.
            clock.advance(by: 70 * 86_400)
            #expect(try await reminders.queueDue() == 0)
            clock.advance(by: 10 * 86_400)
            #expect(try await reminders.queueDue() == 1)
            #expect(try await OutgoingMail.query(on: app.db).filter(\.$template == "reminder-feedback").count() == 1)
            try await expectQueueInStep(app)
        }
    }

    @Test func theAuditChainShowsTampering() async throws {
        try await withTestApp { app, clock in
            let setup = try await setUp(app)
            let admin = try await Fixtures.staff(app, role: .admin, email: "admin@example.org")
            _ = try await send(app, to: setup.anna, message: "Iets")
            let anna = TestBrowser(app)
            try await anna.logIn(setup.anna, at: clock.now)
            let casePath = try #require(try await anna.get("/backoffice").firstCasePath)
            _ = try await anna.get(casePath)
            let actions = try await AuditEvent.query(on: app.db).sort(\.$sequence).all().map(\.action)
            #expect(actions.starts(with: ["login", "key-unlock", "case-read"]))
            let adminBrowser = TestBrowser(app)
            clock.advance(by: 31)
            try await adminBrowser.logIn(admin, at: clock.now)
            let intact = try await adminBrowser.get("/admin/audit")
            #expect(intact.body.contains(#"id="audit-intact""#))
            #expect(!intact.body.contains("Iets"))

            // Someone with database access rewrites who read the case: the chain shows it.
            let sql = try #require(app.db as? any SQLDatabase)
            try await sql.raw("UPDATE audit_events SET actor = 'system' WHERE action = 'case-read'").run()
            #expect(try await AuditLog(db: app.db, clock: clock).verify() == .altered(sequence: 3))
            #expect(try await adminBrowser.get("/admin/audit").body.contains(#"id="audit-broken""#))
        }
    }
}

extension ReceiptGate {
    /// Opens a case by receipt without the request path (for tests after a purge).
    static func openDirect(_ app: Application, _ code: String) async throws -> CaseVault.OpenedCase? {
        guard let receipt = Receipt(typed: code) else { return nil }
        return try await CaseVault(services: app.vertrouwd, db: app.db).open(receipt: receipt)
    }
}
