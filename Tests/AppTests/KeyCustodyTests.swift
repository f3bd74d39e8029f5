import Crypto
import Fluent
import Foundation
import Testing
import Vapor
import VaporTesting
import VertrouwdCore

@testable import App

@Suite("Key custody: who can open a case")
struct KeyCustodyTests {
    /// Anna, a counsellor of Acme, and a case sealed to her with one message from the person.
    func annasCase(_ app: Application, message: String) async throws -> (Fixtures.Staff, CaseVault, CaseVault.OpenedCase) {
        let organisation = try await Fixtures.organisation(app)
        let anna = try await Fixtures.staff(app, role: .counsellor, email: "anna@acme.example", serving: organisation)
        let vault = CaseVault(services: app.vertrouwd, db: app.db)
        let (opened, _) = try await vault.createCase(
            organisationID: organisation.requireID(), kind: .contact, counsellorIDs: [anna.account.requireID()])
        try await vault.append(message, field: .message, author: .person, to: opened)
        return (anna, vault, opened)
    }

    /// Unlocks a fixture counsellor's key the way login does.
    func unlock(_ staff: Fixtures.Staff, _ app: Application, password: String? = nil) async throws -> Curve25519.KeyAgreement.PrivateKey {
        let key = try await CounsellorKeyService(services: app.vertrouwd, db: app.db)
            .unlock(accountID: staff.account.requireID(), password: password ?? staff.password)
        return try #require(key)
    }

    @Test func thePersonAndTheChosenCounsellorCanReadAndNobodyElse() async throws {
        try await withTestApp { app, _ in
            let organisation = try await Fixtures.organisation(app)
            let anna = try await Fixtures.staff(app, role: .counsellor, email: "anna@acme.example", serving: organisation)
            let bram = try await Fixtures.staff(app, role: .counsellor, email: "bram@acme.example", serving: organisation)
            let vault = CaseVault(services: app.vertrouwd, db: app.db)
            let (opened, receipt) = try await vault.createCase(
                organisationID: organisation.requireID(), kind: .contact, counsellorIDs: [anna.account.requireID()])
            try await vault.append("Het gebeurde weer op maandag.", field: .message, author: .person, to: opened)

            let byReceipt = try #require(try await vault.open(receipt: receipt))
            #expect(try await vault.contents(of: byReceipt).map(\.text) == ["Het gebeurde weer op maandag."])
            let byAnna = try await vault.open(caseID: opened.caseID, counsellorID: anna.account.requireID(), privateKey: unlock(anna, app))
            #expect(try await vault.contents(of: byAnna).map(\.text) == ["Het gebeurde weer op maandag."])
            await #expect(throws: CaseVault.Failure.noAccess) {
                try await vault.open(caseID: opened.caseID, counsellorID: bram.account.requireID(), privateKey: unlock(bram, app))
            }
            // Bram's key cannot open Anna's sealed copy either, even if he names himself as Anna.
            await #expect(throws: CryptoFailure.cannotOpen) {
                try await vault.open(caseID: opened.caseID, counsellorID: anna.account.requireID(), privateKey: unlock(bram, app))
            }
            #expect(try await vault.open(receipt: Receipt.generate()) == nil)
        }
    }

    @Test func aRemovedCounsellorCannotOpenWhatIsWrittenAfterwards() async throws {
        try await withTestApp { app, _ in
            let organisation = try await Fixtures.organisation(app)
            let anna = try await Fixtures.staff(app, role: .counsellor, email: "anna@acme.example", serving: organisation)
            let bram = try await Fixtures.staff(app, role: .counsellor, email: "bram@acme.example", serving: organisation)
            let vault = CaseVault(services: app.vertrouwd, db: app.db)
            let (created, receipt) = try await vault.createCase(
                organisationID: organisation.requireID(), kind: .contact,
                counsellorIDs: [anna.account.requireID(), bram.account.requireID()])
            try await vault.append("voor de wissel", field: .message, author: .person, to: created)
            // Bram opened the case while he still had access, and keeps that key in memory.
            let bramsOldView = try await vault.open(
                caseID: created.caseID, counsellorID: bram.account.requireID(), privateKey: unlock(bram, app))

            let byAnna = try await vault.open(caseID: created.caseID, counsellorID: anna.account.requireID(), privateKey: unlock(anna, app))
            let rotated = try await vault.revoke(byAnna, from: bram.account.requireID())
            #expect(rotated.record.keyVersion == 2)
            try await vault.append("na de wissel", field: .note, author: .counsellor, to: rotated)

            await #expect(throws: CaseVault.Failure.noAccess) {
                try await vault.open(caseID: created.caseID, counsellorID: bram.account.requireID(), privateKey: unlock(bram, app))
            }
            #expect(try await vault.contents(of: bramsOldView).map(\.text) == ["voor de wissel"], "his old key opens nothing new")
            let annaAgain = try await vault.open(
                caseID: created.caseID, counsellorID: anna.account.requireID(), privateKey: unlock(anna, app))
            #expect(try await vault.contents(of: annaAgain).map(\.text) == ["voor de wissel", "na de wissel"])
            let person = try #require(try await vault.open(receipt: receipt))
            #expect(try await vault.contents(of: person).map(\.text) == ["voor de wissel", "na de wissel"], "the person keeps access")

            // Giving access back seals every version to him again.
            try await vault.grant(annaAgain, to: bram.account.requireID())
            let bramBack = try await vault.open(
                caseID: created.caseID, counsellorID: bram.account.requireID(), privateKey: unlock(bram, app))
            #expect(try await vault.contents(of: bramBack).count == 2)
            try await expectQueueInStep(app)
        }
    }

    @Test func anAdminHasNoPathToAnyPlaintext() async throws {
        try await withTestApp { app, clock in
            let marker = "ADMINZIETDITNIET\(Int.random(in: 1000...9999))"
            let organisation = try await Fixtures.organisation(app)
            let anna = try await Fixtures.staff(app, role: .counsellor, email: "anna@acme.example", serving: organisation)
            let admin = try await Fixtures.staff(app, role: .admin, email: "admin@example.org")
            let vault = CaseVault(services: app.vertrouwd, db: app.db)
            let (opened, _) = try await vault.createCase(
                organisationID: organisation.requireID(), kind: .contact, counsellorIDs: [anna.account.requireID()])
            try await vault.append(marker, field: .message, author: .person, to: opened)

            #expect(try await CounsellorKey.query(on: app.db).filter(\.$account.$id == admin.account.requireID()).count() == 0)
            let browser = TestBrowser(app)
            try await browser.logIn(admin, at: clock.now)
            var paths = ["/admin", "/admin/organisations/new", "/admin/accounts/new", "/backoffice", "/management"]
            paths += try ["/admin/organisations/\(organisation.requireID())/edit", "/admin/accounts/\(anna.account.requireID())/edit"]
            for path in paths {
                let page = try await browser.get(path)
                #expect(!page.body.contains(marker), "\(path) shows case content to an admin")
            }
            // Every route the app has, as the admin: none shows the marker.
            for route in app.routes.all
            where route.method == .GET && !route.path.contains(where: { if case .parameter = $0 { true } else { false } }) {
                let path = "/" + route.path.map(\.description).joined(separator: "/")
                #expect(try await !browser.get(path).body.contains(marker), "\(path)")
            }
        }
    }

    @Test func aPasswordChangeKeepsAccessAndRetiresTheOldPassword() async throws {
        try await withTestApp { app, clock in
            let (anna, vault, opened) = try await annasCase(app, message: "blijft leesbaar")

            let browser = TestBrowser(app)
            try await browser.logIn(anna, at: clock.now)
            let form = try await browser.get("/account/password")
            let wrong = try await browser.post(
                "/account/password",
                [
                    ("current_password", "niet goed"), ("password", "nieuwe lange wachtwoordzin"),
                    ("password_confirm", "nieuwe lange wachtwoordzin"),
                ],
                csrf: form.csrf)
            #expect(wrong.status == .unauthorized)
            let changed = try await browser.post(
                "/account/password",
                [
                    ("current_password", anna.password), ("password", "nieuwe lange wachtwoordzin"),
                    ("password_confirm", "nieuwe lange wachtwoordzin"),
                ],
                csrf: form.csrf)
            #expect(changed.location == "/backoffice")
            #expect(try await browser.get("/backoffice").status == .ok, "the running session keeps its unlocked key")

            let newKey = try await unlock(anna, app, password: "nieuwe lange wachtwoordzin")
            let reopened = try await vault.open(caseID: opened.caseID, counsellorID: anna.account.requireID(), privateKey: newKey)
            #expect(try await vault.contents(of: reopened).map(\.text) == ["blijft leesbaar"])
            #expect(
                try await CounsellorKeyService(services: app.vertrouwd, db: app.db).unlock(
                    accountID: anna.account.requireID(), password: anna.password) == nil)
        }
    }

    @Test func theKeyRecoveryCodeRestoresAccessAfterAnAdminReset() async throws {
        try await withTestApp { app, clock in
            let (anna, vault, opened) = try await annasCase(app, message: "van voor de reset")

            let link = try await AccountProvisioning(services: app.vertrouwd, db: app.db).issueActivationLink(for: anna.account)
            let path = try #require(URL(string: link)?.path)
            let person = TestBrowser(app)
            let page = try await person.get(path)
            #expect(page.body.contains(#"id="key_recovery""#), "the form asks for the key recovery code")
            let shown = try #require(page.firstMatch(#"<code>([A-Z2-7 ]+)</code>"#))
            let secret = try #require(Base32.decode(shown))
            let password = "een nieuw wachtwoord na reset"
            func submit(_ extra: [(String, String)]) async throws -> TestBrowser.Page {
                clock.advance(by: 30)
                return try await person.post(
                    path,
                    [("password", password), ("password_confirm", password), ("code", TOTP(secret: secret).code(at: clock.now))] + extra,
                    csrf: page.csrf)
            }
            #expect(
                try await submit([("key_recovery", "")]).body.contains(
                    app.vertrouwd.catalog.text("activation.error.key_code_format", in: .dutch)))
            #expect(
                try await submit([("key_recovery", Receipt.generate().description)]).body.contains(
                    app.vertrouwd.catalog.text("activation.error.key_code_wrong", in: .dutch)))
            let code = try #require(anna.keyRecoveryCode)
            let done = try await submit([("key_recovery", code.description.lowercased())])
            #expect(done.dataPage == "activation-done")
            let newRecovery = try #require(done.firstMatch(#"id="key-recovery-code">([0-9A-Z-]+)<"#))
            #expect(newRecovery != code.description, "a used recovery code is replaced")

            let key = try await unlock(anna, app, password: password)
            let reopened = try await vault.open(caseID: opened.caseID, counsellorID: anna.account.requireID(), privateKey: key)
            #expect(try await vault.contents(of: reopened).map(\.text) == ["van voor de reset"])
            let record = try #require(
                try await CounsellorKeyService(services: app.vertrouwd, db: app.db).record(for: anna.account.requireID()))
            #expect(
                try record.material.unlock(recoveryCode: newRecovery, accountID: anna.account.requireID()).rawRepresentation
                    == key.rawRepresentation)
        }
    }

    @Test func startingANewKeyAfterAResetClosesTheOldCases() async throws {
        try await withTestApp { app, clock in
            let organisation = try await Fixtures.organisation(app)
            let anna = try await Fixtures.staff(app, role: .counsellor, email: "anna@acme.example", serving: organisation)
            let vault = CaseVault(services: app.vertrouwd, db: app.db)
            let (opened, _) = try await vault.createCase(
                organisationID: organisation.requireID(), kind: .contact, counsellorIDs: [anna.account.requireID()])
            let link = try await AccountProvisioning(services: app.vertrouwd, db: app.db).issueActivationLink(for: anna.account)
            let path = try #require(URL(string: link)?.path)
            let person = TestBrowser(app)
            let page = try await person.get(path)
            let shown = try #require(page.firstMatch(#"<code>([A-Z2-7 ]+)</code>"#))
            let secret = try #require(Base32.decode(shown))
            let password = "een nieuw wachtwoord na reset"
            let done = try await person.post(
                path,
                [
                    ("password", password), ("password_confirm", password), ("code", TOTP(secret: secret).code(at: clock.now)),
                    ("new_key", "on"),
                ],
                csrf: page.csrf)
            #expect(done.dataPage == "activation-done")
            let key = try await unlock(anna, app, password: password)
            await #expect(throws: CaseVault.Failure.noAccess) {
                try await vault.open(caseID: opened.caseID, counsellorID: anna.account.requireID(), privateKey: key)
            }
            try await expectQueueInStep(app)
        }
    }

    @Test func theUnlockedKeyLivesOnlyAsLongAsTheSession() async throws {
        try await withTestApp { app, clock in
            let anna = try await Fixtures.staff(app, role: .counsellor, email: "anna@acme.example")
            func stored() async throws -> Int { try await UnlockedKeyRecord.query(on: app.db).count() }
            let browser = TestBrowser(app)
            try await browser.logIn(anna, at: clock.now)
            #expect(try await stored() == 1)
            let page = try await browser.get("/backoffice")
            try await browser.post("/logout", [], csrf: page.csrf)
            #expect(try await stored() == 0, "logout drops the key")

            clock.advance(by: 60)
            try await browser.logIn(anna, at: clock.now)
            #expect(try await stored() == 1)
            clock.advance(by: 31 * 60)
            #expect(try await browser.get("/backoffice").location == "/login")
            #expect(try await stored() == 0, "a timed-out session's key is gone")

            // A reset drops the keys on every instance: the counsellor is asked to log in again, not shown a broken page.
            clock.advance(by: 60)
            let again = TestBrowser(app)
            try await again.logIn(anna, at: clock.now)
            try await UnlockedKeys.removeAll(of: try anna.account.requireID(), kind: .counsellor, on: app.db)
            #expect(try await again.get("/backoffice").location == "/login")
            #expect(try await again.get("/login").body.contains(app.vertrouwd.catalog.text("login.notice.key_locked", in: .dutch)))
        }
    }

    @Test func theDailySweepDeletesSealedKeysNobodyUsed() async throws {
        try await withTestApp { app, clock in
            let anna = try await Fixtures.staff(app, role: .counsellor, email: "anna@acme.example")
            try await TestBrowser(app).logIn(anna, at: clock.now)
            let idle = app.vertrouwd.settings.sessionIdleTimeout
            try await UnlockedKeys.sweep(idleTimeout: idle, now: clock.now, on: app.db)
            #expect(try await UnlockedKeyRecord.query(on: app.db).count() == 1, "a key in use stays")
            clock.advance(by: idle + 1)
            try await UnlockedKeys.sweep(idleTimeout: idle, now: clock.now, on: app.db)
            #expect(try await UnlockedKeyRecord.query(on: app.db).count() == 0)
        }
    }

    /// A secret someone planted in (or knew from) the browser before never seals a key: every login
    /// makes a new one, and logging out expires it.
    @Test func everyLoginSealsUnderANewBrowserSecret() async throws {
        try await withTestApp { app, clock in
            let anna = try await Fixtures.staff(app, role: .counsellor, email: "anna@acme.example")
            let browser = TestBrowser(app)
            let planted = Data(repeating: 3, count: 32).base64EncodedString()
            browser.setCookie(UnlockedKeys.cookieName, planted)
            try await browser.logIn(anna, at: clock.now)
            let fresh = try #require(browser.cookies[UnlockedKeys.cookieName])
            #expect(fresh != planted)
            #expect(try await browser.get("/backoffice").status == .ok)
            browser.setCookie(UnlockedKeys.cookieName, planted)
            #expect(try await browser.get("/backoffice").location == "/login", "the planted secret opens nothing")

            clock.advance(by: 60)
            try await browser.logIn(anna, at: clock.now)
            let page = try await browser.get("/backoffice")
            try await browser.post("/logout", [], csrf: page.csrf)
            #expect(browser.cookies[UnlockedKeys.cookieName] == nil, "logging out expires the browser's secret")
        }
    }

    @Test func openingAJournalKeepsTheCounsellorSignedInInTheSameBrowser() async throws {
        try await withTestApp { app, clock in
            let organisation = try await Fixtures.organisation(app)
            let anna = try await Fixtures.staff(app, role: .counsellor, email: "anna@acme.example", serving: organisation)
            let browser = TestBrowser(app)
            try await browser.logIn(anna, at: clock.now)
            let before = browser.cookies[UnlockedKeys.cookieName]
            _ = try await JournalFlowTests().start(browser)
            #expect(browser.cookies[UnlockedKeys.cookieName] != before, "the journal is sealed under a new secret")
            #expect(try await browser.get("/backoffice").status == .ok, "and the counsellor's key under it too")
            #expect(try await browser.get("/o/acme/logboek/tijdlijn").status == .ok)
        }
    }

    /// The database holds the sealed key; the browser holds the other half. Without the cookie, or
    /// with another browser's, the session is worth nothing, and no row holds the key in clear.
    @Test func theStoredKeyOpensOnlyWithTheBrowsersHalf() async throws {
        try await withTestApp { app, clock in
            let anna = try await Fixtures.staff(app, role: .counsellor, email: "anna@acme.example")
            let browser = TestBrowser(app)
            try await browser.logIn(anna, at: clock.now)
            #expect(try await browser.get("/backoffice").status == .ok)
            let secret = try #require(browser.cookies[UnlockedKeys.cookieName])
            let unlocked = try await CounsellorKeyService(services: app.vertrouwd, db: app.db).unlock(
                accountID: anna.account.requireID(), password: anna.password)
            let raw = try #require(unlocked?.rawRepresentation)
            for record in try await UnlockedKeyRecord.query(on: app.db).all() {
                #expect(record.sealed.range(of: raw) == nil, "the private key is never stored in clear")
                #expect(record.sealed.range(of: Data(base64Encoded: secret) ?? Data()) == nil)
            }
            browser.setCookie(UnlockedKeys.cookieName, Data(repeating: 7, count: 32).base64EncodedString())
            #expect(try await browser.get("/backoffice").location == "/login", "another browser's half opens nothing")
        }
    }
}
