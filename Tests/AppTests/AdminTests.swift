import Fluent
import Foundation
import Testing
import Vapor
import VaporTesting
import VertrouwdCore

@testable import App

@Suite("Admin pages and account activation")
struct AdminTests {
    /// Logs in as a fresh admin and returns the browser.
    func adminBrowser(_ app: Application, _ clock: ManualWallClock) async throws -> TestBrowser {
        let admin = try await Fixtures.staff(app, role: .admin, email: "admin@example.org", name: "Beheer")
        let browser = TestBrowser(app)
        try await browser.logIn(admin, at: clock.now)
        return browser
    }

    @Test func anAdminCreatesAnOrganisationWithValidation() async throws {
        try await withTestApp { app, clock in
            let browser = try await adminBrowser(app, clock)
            let form = try await browser.get("/admin/organisations/new")
            #expect(form.status == .ok)
            let invalid = try await browser.post(
                "/admin/organisations", [("name", ""), ("slug", "Niet Goed!"), ("language", "fr")], csrf: form.csrf)
            #expect(invalid.status == .unprocessableEntity)
            for field in ["name", "slug", "language"] { #expect(invalid.body.contains("id=\"\(field)-error\""), "\(field)") }
            #expect(try await Organisation.query(on: app.db).count() == 0, "nothing is stored from an invalid form")

            let saved = try await browser.post(
                "/admin/organisations", [("name", "Acme Zorg"), ("slug", "acme"), ("language", "en")], csrf: form.csrf)
            #expect(saved.location == "/admin")
            let organisation = try #require(try await Organisation.query(on: app.db).first())
            #expect(organisation.slug == "acme" && organisation.defaultLanguage == "en")
            let duplicate = try await browser.post(
                "/admin/organisations", [("name", "Andere"), ("slug", "acme"), ("language", "nl")], csrf: form.csrf)
            #expect(duplicate.body.contains(app.vertrouwd.catalog.text("admin.organisation.error.slug_taken", in: .dutch)))
            #expect(try await browser.get("/admin").body.contains("Acme Zorg"))

            let edit = try await browser.post(
                "/admin/organisations/\(organisation.requireID())", [("name", "Acme Zorg BV"), ("slug", "acme"), ("language", "nl")],
                csrf: form.csrf)
            #expect(edit.location == "/admin")
            #expect(try await Organisation.find(organisation.id, on: app.db)?.name == "Acme Zorg BV")
        }
    }

    @Test func anAdminSetsWhichAttachmentsAnOrganisationTakes() async throws {
        try await withTestApp { app, clock in
            let browser = try await adminBrowser(app, clock)
            let organisation = try await Fixtures.organisation(app)
            _ = try await Fixtures.staff(app, role: .counsellor, email: "anna@acme.example", serving: organisation)
            let path = "/admin/organisations/\(try organisation.requireID())"
            let form = try await browser.get("\(path)/edit")
            #expect(form.body.contains(#"id="family-audio" name="attachment_families[]" value="audio" checked"#))
            let base = [("name", "Acme Zorg"), ("slug", "acme"), ("language", "nl")]
            let tooLarge = try await browser.post(
                path, base + [("attachment_max_mb", "26"), ("attachment_families[]", "pdf")], csrf: form.csrf)
            #expect(tooLarge.status == .unprocessableEntity)
            #expect(tooLarge.body.contains(#"id="attachment_max_mb-error""#))
            let saved = try await browser.post(
                path, base + [("attachment_max_mb", "5"), ("attachment_families[]", "pdf")], csrf: form.csrf)
            #expect(saved.location == "/admin")
            let contact = try await TestBrowser(app).get("/o/acme/contact")
            #expect(contact.body.contains(#"accept=".pdf""#))
            #expect(contact.body.contains(app.vertrouwd.catalog.text("attachment.hint", in: .dutch, ["5", "PDF"])))
            // Retention and reminder terms: whole numbers within their ranges.
            let terms = try await browser.post(
                path, base + [("attachment_max_mb", "5"), ("retention_months", "0"), ("remind_feedback_days", "61")], csrf: form.csrf)
            #expect(terms.status == .unprocessableEntity)
            #expect(terms.body.contains(#"id="retention_months-error""#) && terms.body.contains(#"id="remind_feedback_days-error""#))
            try await browser.post(
                path,
                base + [
                    ("attachment_max_mb", "5"), ("attachment_families[]", "pdf"), ("retention_months", "6"), ("remind_feedback_days", "30"),
                ],
                csrf: form.csrf)
            let stored = try #require(try await Organisation.find(organisation.id, on: app.db))
            #expect(stored.retentionMonths == 6 && stored.remindFeedbackDays == 30 && stored.remindAcknowledgementDays == 2)
            // Nothing ticked: text only, no file field at all.
            try await browser.post(path, base + [("attachment_max_mb", "5")], csrf: form.csrf)
            #expect(!(try await TestBrowser(app).get("/o/acme/contact").body.contains(#"type="file""#)))
        }
    }

    @Test func aNewCounsellorActivatesWithPasswordAndAuthenticatorAndThenLogsIn() async throws {
        try await withTestApp { app, clock in
            let organisation = try await Fixtures.organisation(app)
            let admin = try await adminBrowser(app, clock)
            let form = try await admin.get("/admin/accounts/new")
            let created = try await admin.post(
                "/admin/accounts",
                [
                    ("email", "Nieuw@Acme.Example"), ("name", "Nieuwe VP"), ("role", "counsellor"),
                    ("membership[\(try organisation.requireID())]", "external"),
                ], csrf: form.csrf)
            #expect(created.status == .ok)
            let link = try #require(created.firstMatch(#"id="activation-link">([^<]+)<"#))
            let path = try #require(URL(string: link)?.path)
            let account = try #require(try await StaffAccount.query(on: app.db).filter(\.$email == "nieuw@acme.example").first())
            #expect(account.passwordHash == nil && !account.isActivated)
            #expect(
                try await OrganisationMembership.query(on: app.db).filter(\.$account.$id == account.requireID()).first()?.counsellorKind
                    == "external")

            // The new counsellor opens the link in their own browser.
            let person = TestBrowser(app)
            let activation = try await person.get(path)
            #expect(activation.dataPage == "activation")
            let shownSecret = try #require(activation.firstMatch(#"<code>([A-Z2-7 ]+)</code>"#))
            let secret = try #require(Base32.decode(shownSecret))
            let weak = try await person.post(
                path, [("password", "kort"), ("password_confirm", "kort"), ("code", "123456")], csrf: activation.csrf)
            #expect(weak.status == .unprocessableEntity)
            #expect(weak.body.contains(app.vertrouwd.catalog.text("password.too_short", in: .dutch, ["12"])))
            #expect(weak.body.contains(shownSecret), "the same secret is shown again after an error")
            #expect(try await StaffAccount.find(account.id, on: app.db)?.passwordHash == nil)

            let password = "mijn nieuwe lange wachtwoordzin"
            let code = TOTP(secret: secret).code(at: clock.now)
            let done = try await person.post(
                path, [("password", password), ("password_confirm", password), ("code", code)], csrf: activation.csrf)
            #expect(done.dataPage == "activation-done")
            let recoveryCodes = done.body.matches(of: #/<li><code>([A-Z0-9-]{14})</code></li>/#).map { String($0.output.1) }
            #expect(recoveryCodes.count == 10)
            #expect(try await RecoveryCode.query(on: app.db).filter(\.$account.$id == account.requireID()).count() == 10)
            // The link works once.
            #expect(try await TestBrowser(app).get(path).status == .notFound)

            clock.advance(by: 30)
            let staff = Fixtures.Staff(account: account, email: "nieuw@acme.example", password: password, totpSecret: secret)
            #expect(try await TestBrowser(app).logIn(staff, at: clock.now).location == "/backoffice")
            #expect(try await admin.get("/admin").body.contains(app.vertrouwd.catalog.text("account.status.active", in: .dutch)))
        }
    }

    @Test func anActivationLinkExpiresAfterSevenDays() async throws {
        try await withTestApp { app, clock in
            let (_, link) = try await AccountProvisioning(services: app.vertrouwd, db: app.db)
                .create(email: EmailAddress("laat@example.org")!, displayName: "Laat", role: .counsellor)
            let path = try #require(URL(string: link)?.path)
            #expect(try await TestBrowser(app).get(path).status == .ok)
            clock.advance(by: 7 * 24 * 3600 + 1)
            let expired = try await TestBrowser(app).get(path)
            #expect(expired.status == .notFound)
            #expect(expired.heading == app.vertrouwd.catalog.text("activation.invalid.title", in: .dutch))
            #expect(try await TestBrowser(app).get("/activate/niet-een-echte-link").status == .notFound)
        }
    }

    @Test func membershipsMustFitTheRole() async throws {
        try await withTestApp { app, clock in
            let organisation = try await Fixtures.organisation(app)
            let second = try await Fixtures.organisation(app, slug: "tweede", name: "Tweede")
            let admin = try await adminBrowser(app, clock)
            let form = try await admin.get("/admin/accounts/new")
            let id = try organisation.requireID()
            let cases: [(role: String, memberships: [(UUID, String)])] = [
                ("admin", [(id, "internal")]),
                ("counsellor", [(id, "contact")]),
                ("organisation-contact", []),
                ("organisation-contact", [(id, "contact"), (try second.requireID(), "contact")]),
                ("organisation-contact", [(id, "external")]),
            ]
            for (index, example) in cases.enumerated() {
                var fields = [("email", "p\(index)@example.org"), ("name", "Persoon"), ("role", example.role)]
                fields += example.memberships.map { ("membership[\($0.0)]", $0.1) }
                let page = try await admin.post("/admin/accounts", fields, csrf: form.csrf)
                #expect(page.status == .unprocessableEntity, "\(example)")
            }
            #expect(try await StaffAccount.query(on: app.db).count() == 1, "only the admin exists")
            let contact = try await admin.post(
                "/admin/accounts",
                [("email", "hr@example.org"), ("name", "HR"), ("role", "organisation-contact"), ("membership[\(id)]", "contact")],
                csrf: form.csrf)
            #expect(contact.status == .ok)
            let taken = try await admin.post(
                "/admin/accounts",
                [("email", "HR@example.org"), ("name", "HR"), ("role", "organisation-contact"), ("membership[\(id)]", "contact")],
                csrf: form.csrf)
            #expect(taken.body.contains(app.vertrouwd.catalog.text("admin.account.error.email_taken", in: .dutch)))
        }
    }

    @Test func aResetStopsTheOldPasswordAtOnce() async throws {
        try await withTestApp { app, clock in
            let anna = try await Fixtures.staff(app, role: .counsellor, email: "anna@acme.example")
            let annasBrowser = TestBrowser(app)
            try await annasBrowser.logIn(anna, at: clock.now)
            let admin = try await adminBrowser(app, clock)
            let edit = try await admin.get("/admin/accounts/\(try anna.account.requireID())/edit")
            #expect(edit.status == .ok)
            let reset = try await admin.post("/admin/accounts/\(try anna.account.requireID())/activation", [], csrf: edit.csrf)
            #expect(reset.firstMatch(#"id="activation-link">([^<]+)<"#) != nil)
            #expect(try await annasBrowser.get("/backoffice").location == "/login", "the running session ends")
            clock.advance(by: 30)
            #expect(try await TestBrowser(app).logIn(anna, at: clock.now).status == .unauthorized)
        }
    }

    @Test func anAdminCanDisableOthersButNotThemselves() async throws {
        try await withTestApp { app, clock in
            let anna = try await Fixtures.staff(app, role: .counsellor, email: "anna@acme.example")
            let admin = try await adminBrowser(app, clock)
            let adminAccount = try #require(try await StaffAccount.query(on: app.db).filter(\.$email == "admin@example.org").first())
            let form = try await admin.get("/admin/accounts/\(try adminAccount.requireID())/edit")
            let selfDisable = try await admin.post(
                "/admin/accounts/\(try adminAccount.requireID())", [("name", "Beheer"), ("disabled", "on")], csrf: form.csrf)
            #expect(selfDisable.status == .unprocessableEntity)
            let disable = try await admin.post(
                "/admin/accounts/\(try anna.account.requireID())", [("name", "Anna"), ("disabled", "on")], csrf: form.csrf)
            #expect(disable.location == "/admin")
            #expect(try await StaffAccount.find(anna.account.id, on: app.db)?.isDisabled == true)
            #expect(try await admin.get("/admin/accounts/\(UUID())/edit").status == .notFound)
            #expect(try await admin.get("/admin/accounts/not-a-uuid/edit").status == .notFound)
        }
    }

    @Test func theDemoIsIdempotentAndItsLoginsWork() async throws {
        try await withTestApp { app, clock in
            try await DemoSeeder(app: app).run()
            try await DemoSeeder(app: app).run()
            #expect(try await Organisation.query(on: app.db).count() == 1)
            #expect(try await StaffAccount.query(on: app.db).count() == DemoSeeder.accounts.count)
            #expect(try await OrganisationMembership.query(on: app.db).count() == 3)
            for demo in DemoSeeder.accounts {
                let account = try #require(try await StaffAccount.query(on: app.db).filter(\.$email == demo.email).first())
                let secret = try app.vertrouwd.totpBox.open(Array(account.totpSecretSealed ?? Data()), context: account.totpSealContext)
                let staff = Fixtures.Staff(account: account, email: demo.email, password: demo.password, totpSecret: secret)
                #expect(try await TestBrowser(app).logIn(staff, at: clock.now).location == demo.role.homePath)
            }
            let portal = try await TestBrowser(app).get("/o/voorbeeld")
            #expect(portal.body.contains("Anna de Vries") && portal.body.contains("Mehmet Yılmaz"))
        }
    }
}
