import Fluent
import Foundation
import Testing
import Vapor
import VaporTesting
import VertrouwdCore

@testable import App

@Suite("Staff login, 2FA, sessions and throttling")
struct LoginTests {
    @Test func aCounsellorLogsInWithPasswordAndCodeAndLandsInTheBackOffice() async throws {
        try await withTestApp { app, clock in
            let organisation = try await Fixtures.organisation(app)
            let anna = try await Fixtures.staff(app, role: .counsellor, email: "anna@acme.example", serving: organisation)
            let browser = TestBrowser(app)
            let anonymousCookie = try await browser.get("/login").csrf.map { _ in browser.sessionCookie }
            let done = try await browser.logIn(anna, at: clock.now)
            #expect(done.status == .seeOther)
            #expect(done.location == "/backoffice")
            // A new session id after login: a cookie planted before login is worth nothing.
            #expect(browser.sessionCookie != nil && browser.sessionCookie != anonymousCookie)
            let backoffice = try await browser.get("/backoffice")
            #expect(backoffice.status == .ok)
            #expect(backoffice.dataPage == "backoffice")
            #expect(backoffice.body.contains("Acme Zorg"))
            #expect(backoffice.headers.first(name: .cacheControl) == "no-store")
            let cookie = done.headers[.setCookie].first { $0.hasPrefix("vertrouwd_session=") } ?? ""
            #expect(cookie.contains("HttpOnly"))
            #expect(cookie.contains("SameSite=Strict"))
            #expect(!cookie.lowercased().contains("expires"), "a session cookie ends with the browser")
        }
    }

    @Test func logoutEndsTheSession() async throws {
        try await withTestApp { app, clock in
            let anna = try await Fixtures.staff(app, role: .counsellor, email: "anna@acme.example")
            let browser = TestBrowser(app)
            try await browser.logIn(anna, at: clock.now)
            let stolenCookie = browser.sessionCookie
            let backoffice = try await browser.get("/backoffice")
            let out = try await browser.post("/logout", [], csrf: backoffice.csrf)
            #expect(out.location == "/login")
            #expect(try await browser.get("/backoffice").location == "/login")
            // The old cookie no longer opens anything.
            let thief = TestBrowser(app)
            thief.clearCookies()
            let replay = try await thief.sendWithCookie("/backoffice", cookie: stolenCookie ?? "")
            #expect(replay.location == "/login")
        }
    }

    @Test func unknownAccountsAndWrongPasswordsLookTheSame() async throws {
        try await withTestApp { app, _ in
            _ = try await Fixtures.staff(app, role: .counsellor, email: "anna@acme.example")
            let browser = TestBrowser(app)
            let form = try await browser.get("/login")
            let wrongPassword = try await browser.post(
                "/login", [("email", "anna@acme.example"), ("password", "niet het wachtwoord")], csrf: form.csrf)
            let unknown = try await browser.post(
                "/login", [("email", "niemand@acme.example"), ("password", "niet het wachtwoord")], csrf: form.csrf)
            #expect(wrongPassword.status == .unauthorized)
            #expect(unknown.status == .unauthorized)
            let message = app.vertrouwd.catalog.text("login.error.invalid", in: .dutch)
            #expect(wrongPassword.body.contains(message) && unknown.body.contains(message))
            #expect(
                wrongPassword.body.replacingOccurrences(of: "anna@acme.example", with: "X")
                    == unknown.body.replacingOccurrences(of: "niemand@acme.example", with: "X"))
        }
    }

    @Test func emptyFieldsGetMessagesNextToTheFields() async throws {
        try await withTestApp { app, _ in
            let browser = TestBrowser(app)
            let form = try await browser.get("/login")
            let page = try await browser.post("/login", [("email", "  "), ("password", "")], csrf: form.csrf)
            #expect(page.status == .unprocessableEntity)
            #expect(page.body.contains(##"href="#email""##))
            #expect(page.body.contains(#"id="password-error""#))
            #expect(page.body.contains(#"aria-invalid="true""#))
        }
    }

    @Test func aPostWithoutItsCSRFTokenIsRefused() async throws {
        try await withTestApp { app, _ in
            let anna = try await Fixtures.staff(app, role: .counsellor, email: "anna@acme.example")
            let browser = TestBrowser(app)
            _ = try await browser.get("/login")
            for token in [nil, "", "forged-token"] as [String?] {
                let page = try await browser.post("/login", [("email", anna.email), ("password", anna.password)], csrf: token)
                #expect(page.status == .forbidden)
                #expect(page.dataPage == "error")
                #expect(page.body.contains(app.vertrouwd.catalog.text("error.csrf.body", in: .dutch)))
            }
            // A token from one visitor's session does not work in another's.
            let other = TestBrowser(app)
            let otherForm = try await other.get("/login")
            #expect(
                try await browser.post("/login", [("email", anna.email), ("password", anna.password)], csrf: otherForm.csrf).status
                    == .forbidden)
        }
    }

    @Test func aCodeWorksOnceAndARecoveryCodeWorksOnce() async throws {
        try await withTestApp { app, clock in
            let anna = try await Fixtures.staff(app, role: .counsellor, email: "anna@acme.example")
            let first = TestBrowser(app)
            try await first.logIn(anna, at: clock.now)
            // The same code again, within the same 30 seconds: refused.
            let second = TestBrowser(app)
            let replay = try await second.logIn(anna, at: clock.now)
            #expect(replay.status == .unauthorized)
            #expect(replay.body.contains(app.vertrouwd.catalog.text("login.error.code_invalid", in: .dutch)))

            let codes = RecoveryCodes.generate()
            for code in codes {
                let digest = app.vertrouwd.lookupDigest(RecoveryCodes.normalize(code), purpose: "recovery-code")
                try await RecoveryCode(accountID: anna.account.requireID(), digest: digest).create(on: app.db)
            }
            func useRecovery(_ code: String) async throws -> TestBrowser.Page {
                let browser = TestBrowser(app)
                let form = try await browser.get("/login")
                try await browser.post("/login", [("email", anna.email), ("password", anna.password)], csrf: form.csrf)
                let codePage = try await browser.get("/login/2fa")
                return try await browser.post("/login/2fa", [("code", code.lowercased())], csrf: codePage.csrf)
            }
            #expect(try await useRecovery(codes[0]).location == "/backoffice")
            #expect(try await useRecovery(codes[0]).status == .unauthorized)
        }
    }

    @Test func fiveFailuresBringGrowingWaitsThatPassWithTime() async throws {
        try await withTestApp(adjust: { $0.trustProxy = true }) { app, clock in
            let anna = try await Fixtures.staff(app, role: .counsellor, email: "anna@acme.example")
            let browser = TestBrowser(app)
            browser.forwardedFor = "192.0.2.10"
            let form = try await browser.get("/login")
            for _ in 0..<5 {
                let page = try await browser.post("/login", [("email", anna.email), ("password", "fout fout fout")], csrf: form.csrf)
                #expect(page.status == .unauthorized)
            }
            // Now even the right password waits, with a message that says how long.
            let held = try await browser.post("/login", [("email", anna.email), ("password", anna.password)], csrf: form.csrf)
            #expect(held.status == .tooManyRequests)
            #expect(held.body.contains(app.vertrouwd.catalog.text("login.error.throttled", in: .dutch, ["1"])))
            // From another client too: the count belongs to the account.
            let elsewhere = TestBrowser(app)
            elsewhere.forwardedFor = "198.51.100.20"
            let otherForm = try await elsewhere.get("/login")
            #expect(
                try await elsewhere.post("/login", [("email", anna.email), ("password", anna.password)], csrf: otherForm.csrf).status
                    == .tooManyRequests)

            // An account that does not exist is held back the same way: the throttle reveals nothing.
            let prober = TestBrowser(app)
            prober.forwardedFor = "203.0.113.30"
            let proberForm = try await prober.get("/login")
            for _ in 0..<5 {
                #expect(
                    try await prober.post("/login", [("email", "niemand@acme.example"), ("password", "x")], csrf: proberForm.csrf).status
                        == .unauthorized)
            }
            let probe = try await prober.post("/login", [("email", "niemand@acme.example"), ("password", "x")], csrf: proberForm.csrf)
            #expect(probe.status == .tooManyRequests)

            clock.advance(by: 31)
            let after = try await browser.post("/login", [("email", anna.email), ("password", anna.password)], csrf: form.csrf)
            #expect(after.location == "/login/2fa")
        }
    }

    @Test func aClientThatFailsOftenWaitsWhateverAccountItTries() async throws {
        try await withTestApp(adjust: { $0.trustProxy = true }) { app, _ in
            let browser = TestBrowser(app)
            browser.forwardedFor = "192.0.2.99"
            let form = try await browser.get("/login")
            for index in 0..<5 {
                try await browser.post("/login", [("email", "persoon\(index)@acme.example"), ("password", "x")], csrf: form.csrf)
            }
            #expect(
                try await browser.post("/login", [("email", "nog-een@acme.example"), ("password", "x")], csrf: form.csrf).status
                    == .tooManyRequests)
            let other = TestBrowser(app)
            other.forwardedFor = "192.0.2.100"
            let otherForm = try await other.get("/login")
            #expect(
                try await other.post("/login", [("email", "nog-een@acme.example"), ("password", "x")], csrf: otherForm.csrf).status
                    == .unauthorized)
        }
    }

    @Test func wrongCodesAreThrottledToo() async throws {
        try await withTestApp { app, clock in
            let anna = try await Fixtures.staff(app, role: .counsellor, email: "anna@acme.example")
            let browser = TestBrowser(app)
            let form = try await browser.get("/login")
            try await browser.post("/login", [("email", anna.email), ("password", anna.password)], csrf: form.csrf)
            for _ in 0..<5 { try await browser.post("/login/2fa", [("code", "000000")], csrf: form.csrf) }
            let held = try await browser.post("/login/2fa", [("code", anna.code(at: clock.now))], csrf: form.csrf)
            #expect(held.status == .tooManyRequests)
        }
    }

    @Test func anIdleSessionEndsAfterThirtyMinutes() async throws {
        try await withTestApp { app, clock in
            let anna = try await Fixtures.staff(app, role: .counsellor, email: "anna@acme.example")
            let browser = TestBrowser(app)
            try await browser.logIn(anna, at: clock.now)
            clock.advance(by: 29 * 60)
            #expect(try await browser.get("/backoffice").status == .ok)
            clock.advance(by: 29 * 60)
            #expect(try await browser.get("/backoffice").status == .ok, "activity keeps the session alive")
            clock.advance(by: 31 * 60)
            let expired = try await browser.get("/backoffice")
            #expect(expired.location == "/login")
            let login = try await browser.get("/login")
            #expect(login.body.contains(app.vertrouwd.catalog.text("login.notice.expired", in: .dutch)))
        }
    }

    @Test func anActiveSessionStillEndsAfterTwelveHours() async throws {
        try await withTestApp { app, clock in
            let anna = try await Fixtures.staff(app, role: .counsellor, email: "anna@acme.example")
            let browser = TestBrowser(app)
            try await browser.logIn(anna, at: clock.now)
            for _ in 0..<(12 * 3) {
                clock.advance(by: 20 * 60)
                _ = try await browser.get("/backoffice")
            }
            clock.advance(by: 20 * 60)
            #expect(try await browser.get("/backoffice").location == "/login")
        }
    }

    @Test func aDisabledAccountIsLoggedOutAndCannotLogIn() async throws {
        try await withTestApp { app, clock in
            let anna = try await Fixtures.staff(app, role: .counsellor, email: "anna@acme.example")
            let browser = TestBrowser(app)
            try await browser.logIn(anna, at: clock.now)
            anna.account.isDisabled = true
            try await anna.account.save(on: app.db)
            #expect(try await browser.get("/backoffice").location == "/login")
            clock.advance(by: 60)
            #expect(try await TestBrowser(app).logIn(anna, at: clock.now).status == .unauthorized)
        }
    }

    @Test func eachRoleReachesOnlyItsOwnPages() async throws {
        try await withTestApp { app, clock in
            let organisation = try await Fixtures.organisation(app)
            let staff: [(StaffRole, Fixtures.Staff)] = [
                (.admin, try await Fixtures.staff(app, role: .admin, email: "admin@example.org")),
                (.counsellor, try await Fixtures.staff(app, role: .counsellor, email: "vp@example.org", serving: organisation)),
                (
                    .organisationContact,
                    try await Fixtures.staff(app, role: .organisationContact, email: "hr@example.org", serving: organisation)
                ),
            ]
            let homes = ["/admin", "/backoffice", "/management"]
            for (role, member) in staff {
                let browser = TestBrowser(app)
                let landed = try await browser.logIn(member, at: clock.now)
                #expect(landed.location == role.homePath)
                for home in homes {
                    let page = try await browser.get(home)
                    #expect(page.status == (home == role.homePath ? .ok : .forbidden), "\(role) → \(home)")
                }
            }
            let anonymous = TestBrowser(app)
            for home in homes + ["/admin/accounts/new", "/admin/organisations/new"] {
                #expect(try await anonymous.get(home).location == "/login", "anonymous → \(home)")
            }
        }
    }
}

extension TestBrowser {
    /// A request carrying only the given session cookie, as a thief replaying it would send.
    func sendWithCookie(_ path: String, cookie: String) async throws -> Page {
        var headers = HTTPHeaders()
        headers.add(name: .cookie, value: "vertrouwd_session=\(cookie)")
        let response = try await app.testing().sendRequest(.GET, path, headers: headers)
        return Page(
            status: response.status, headers: response.headers, body: response.body.string, bytes: Array(response.body.readableBytesView))
    }
}
