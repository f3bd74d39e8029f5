import Fluent
import Foundation
import SQLKit
import Testing
import Vapor
import VaporTesting
import VertrouwdCore

@testable import App

@Suite("Staff pages in both languages, failures and the command line")
struct PagesTests {
    @Test("each staff page renders in Dutch and English", arguments: [StaffRole.admin, .counsellor, .organisationContact])
    func staffPagesInBothLanguages(role: StaffRole) async throws {
        try await withTestApp { app, clock in
            let organisation = try await Fixtures.organisation(app)
            let member = try await Fixtures.staff(app, role: role, email: "staff@example.org", serving: role == .admin ? nil : organisation)
            let browser = TestBrowser(app)
            try await browser.logIn(member, at: clock.now)
            let catalog = app.vertrouwd.catalog
            let headingKey = ["admin": "admin.heading", "counsellor": "backoffice.heading", "organisation-contact": "management.heading"][
                role.rawValue]!
            let dutch = try await browser.get(role.homePath)
            #expect(dutch.lang == "nl")
            #expect(dutch.heading == catalog.text(headingKey, in: .dutch))
            #expect(!dutch.body.contains(#"id="quick-exit""#), "staff pages have no quick exit")
            #expect(dutch.body.contains(#"id="logout""#))
            let password = try await browser.get("/account/password")
            #expect(password.status == .ok && password.lang == "nl")
            #expect(password.heading == catalog.text("account.password.heading", in: .dutch))
            try await browser.get("/lang/en?return=\(role.homePath)")
            #expect(try await browser.get("/account/password").heading == catalog.text("account.password.heading", in: .english))
            let english = try await browser.get(role.homePath)
            #expect(english.lang == "en")
            #expect(english.heading == catalog.text(headingKey, in: .english))
            if role == .counsellor {
                let year = FormalReportDeadlines.calendar.component(.year, from: clock.now)
                for (path, headingKey) in [
                    ("/backoffice/jaarverslag", "yearly.list.heading"), ("/backoffice/jaarverslag/acme/\(year)", "yearly.draft.heading"),
                    ("/backoffice/mijn-jaarverslag/\(year)", "yearly.own.heading"),
                ] {
                    let page = try await browser.get(path)
                    #expect(page.status == .ok && page.lang == "en", "\(path)")
                    #expect(page.heading == catalog.text(headingKey, in: .english, [String(year)]))
                }
            }
            if role == .admin {
                for path in [
                    "/admin/organisations/new", "/admin/accounts/new", "/admin/organisations/\(try organisation.requireID())/edit",
                ] {
                    let page = try await browser.get(path)
                    #expect(page.status == .ok && page.lang == "en", "\(path)")
                }
            }
        }
    }

    @Test func aServerErrorShowsAPlainPageAndLogsOnlyTheErrorType() async throws {
        try await withTestApp { app, _ in
            _ = try await Fixtures.organisation(app)
            let sql = try #require(app.db as? any SQLDatabase)
            // A table that the migrations' revert only drops, so the test database can be reset afterwards.
            try await sql.raw("DROP TABLE organisation_articles").run()
            let page = try await TestBrowser(app).get("/o/acme/kennisbank")
            #expect(page.status == .internalServerError)
            #expect(page.heading == app.vertrouwd.catalog.text("error.500.title", in: .dutch))
            for detail in ["organisation_articles", "SQL", "sqlite", "Error", "Sources/"] {
                #expect(!page.body.contains(detail), "the error page reveals \(detail)")
            }
            #expect(TestLogs.lines(ofRequest: page.requestID).contains { $0.contains("request failed") })
            try await sql.raw("CREATE TABLE organisation_articles (id TEXT)").run()
        }
    }

    @Test func adminCreatePrintsALinkThatActivatesAnAdmin() async throws {
        try await withTestApp(arguments: ["vertrouwd", "admin", "create", "--email", "Eerste@Example.org", "--name", "Eerste Beheerder"]) {
            app, _ in
            app.asyncCommands.use(AdminCommand(), as: "admin")
            try await app.execute()
            let account = try #require(try await StaffAccount.query(on: app.db).filter(\.$email == "eerste@example.org").first())
            #expect(account.role == .admin)
            #expect(account.displayName == "Eerste Beheerder")
            #expect(!account.isActivated)
            #expect(try await ActivationToken.query(on: app.db).filter(\.$account.$id == account.requireID()).count() == 1)
        }
    }

    @Test func purgeAndAuditVerifyRunFromTheCommandLine() async throws {
        try await withTestApp(arguments: ["vertrouwd", "audit", "verify"]) { app, clock in
            app.asyncCommands.use(AuditCommand(), as: "audit")
            try await AuditLog(db: app.db, clock: clock).record(.system, .casePurge)
            try await app.execute()
            let sql = try #require(app.db as? any SQLDatabase)
            try await sql.raw("UPDATE audit_events SET detail = 'x'").run()
            await #expect(throws: ExitCode.self) { try await app.execute() }
        }
        try await withTestApp(arguments: ["vertrouwd", "purge", "--dry-run"]) { app, clock in
            app.asyncCommands.use(PurgeCommand(), as: "purge")
            let organisation = try await Fixtures.organisation(app)
            let anna = try await Fixtures.staff(app, role: .counsellor, email: "anna@acme.example", serving: organisation)
            let (opened, _) = try await CaseVault(services: app.vertrouwd, db: app.db).createCase(
                organisationID: organisation.requireID(), kind: .contact, counsellorIDs: [anna.account.requireID()])
            opened.record.status = .closed
            opened.record.endedAt = clock.now
            try await opened.record.save(on: app.db)
            clock.advance(by: 400 * 86_400)
            try await app.execute()
            #expect(try await CaseRecord.query(on: app.db).count() == 1, "a dry run destroys nothing")
            app.environment.arguments = ["vertrouwd", "purge"]
            try await app.execute()
            #expect(try await CaseRecord.query(on: app.db).count() == 0)
        }
    }

    @Test func noRouteInvestigatesJudgesOrMediates() async throws {
        try await withTestApp { app, _ in
            let paths = app.routes.all.map { $0.path.map(\.description).joined(separator: "/").lowercased() }
            #expect(paths.count > 40)
            for forbidden in ["investigat", "onderzoek", "verdict", "oordeel", "mediat", "bemiddel"] {
                #expect(!paths.contains { $0.contains(forbidden) }, "a route contains \(forbidden)")
            }
        }
    }
}
