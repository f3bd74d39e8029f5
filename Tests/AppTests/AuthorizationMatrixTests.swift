import Fluent
import Foundation
import Testing
import Vapor
import VaporTesting
import VertrouwdCore

@testable import App

/// Every route the application registers, requested by every kind of visitor, with the outcome
/// each must get. A route without a row fails the test, so a new route cannot ship without a
/// decision on who may use it.
///
/// Visitors, in the order of each row's outcome string: no session; the person of case A (with
/// receipt A in the form); the person of case B; the counsellor holding case A (organisation X);
/// the counsellor holding case B (organisation Y); a second counsellor of X without access to A;
/// X's organisation contact; the platform admin. Outcomes: `o` reaches the page or action (which
/// may still refuse the input), `l` is sent to log in, `f` is forbidden, `n` is not found.
@Suite("Authorization matrix: every route, every visitor")
struct AuthorizationMatrixTests {
    static let visitors = ["anonymous", "person A", "person B", "counsellor X", "counsellor Y", "co-counsellor X", "contact X", "admin"]

    /// Public pages: the same for everyone.
    static let open = "oooooooo"
    /// Staff-only pages for one role.
    static let counsellors = "llloooff"
    static let admins = "lllffffo"

    static let rows: [(route: String, expected: String)] = [
        // Public: portal, self-help, contact, inbox, journal, language.
        ("GET /", open), ("GET /o", open), ("GET /o/:slug", open), ("GET /lang/:code", open),
        ("GET /o/:slug/kennisbank", open), ("GET /o/:slug/kennisbank/:article", open),
        ("GET /o/:slug/kennisbank/eigen/:article", open), ("GET /o/:slug/zoeken", open),
        ("GET /o/:slug/wegwijzer", open), ("POST /o/:slug/wegwijzer", open),
        ("GET /o/:slug/vertrouwenspersonen", open), ("GET /o/:slug/vertrouwenspersonen/:id/foto", "nnnnnnnn"),
        ("GET /o/:slug/contact", open), ("POST /o/:slug/contact", open),
        ("GET /o/:slug/melden", open), ("POST /o/:slug/melden", open),
        ("GET /o/:slug/inbox", open), ("POST /o/:slug/inbox", "oonooooo"), ("POST /o/:slug/code", "noonnnnn"),
        ("GET /o/:slug/logboek", open), ("GET /o/:slug/logboek/tijdlijn", open), ("GET /o/:slug/logboek/voorval", open),
        ("GET /o/:slug/logboek/voorval/:entry", open), ("POST /o/:slug/logboek/voorval", open),
        ("GET /o/:slug/logboek/bestand/:sequence", open), ("GET /o/:slug/logboek/patroon", open),
        ("GET /o/:slug/logboek/delen", open), ("POST /o/:slug/logboek/delen", open), ("POST /o/:slug/logboek/delen/stoppen", open),
        ("GET /o/:slug/logboek/export", open), ("GET /o/:slug/logboek/export.json", open), ("GET /o/:slug/logboek/export.pdf", open),
        ("GET /o/:slug/logboek/backup", open), ("POST /o/:slug/logboek/importeren", open),
        ("POST /o/:slug/logboek/nieuw", open), ("POST /o/:slug/logboek/sleutel-bewaard", open),
        ("POST /o/:slug/logboek/openen", open), ("POST /o/:slug/logboek/sluiten", open), ("POST /o/:slug/logboek/verwijderen", open),
        ("GET /health", open), ("GET /ready", open),
        // Metrics only for a scraper with the configured bearer token; without one the route is not there.
        ("GET /metrics", "nnnnnnnn"),
        // The JSON API: public, read-only, without a session.
        ("GET /api/v1/openapi.json", open), ("GET /api/v1/organisations/:slug/search", open),
        ("POST /api/v1/organisations/:slug/guide", open),
        // Accounts.
        ("GET /login", open),
        // The code step only follows a password; without one it goes back to the login.
        ("GET /login/2fa", "llllllll"), ("GET /activate/:token", "nnnnnnnn"), ("POST /activate/:token", "nnnnnnnn"),
        ("GET /account/password", "lllooooo"), ("POST /account/password", "lllooooo"),
        ("GET /account/profile", counsellors), ("POST /account/profile", counsellors), ("GET /account/profile/photo", "lllnnnff"),
        // The back office; case A belongs to counsellor X only.
        ("GET /backoffice", counsellors), ("GET /backoffice/retention", counsellors),
        ("GET /backoffice/handover", counsellors), ("POST /backoffice/handover", counsellors),
        ("POST /backoffice/cases/flag", counsellors), ("POST /backoffice/cases/remove-flagged", counsellors),
        ("GET /backoffice/cases/:id", "lllonnff"), ("GET /backoffice/cases/:id/attachments/:item", "lllnnnff"),
        ("POST /backoffice/cases/:id/reply", "lllonnff"), ("POST /backoffice/cases/:id/acknowledge", "lllnnnff"),
        ("POST /backoffice/cases/:id/feedback", "lllnnnff"), ("POST /backoffice/cases/:id/notes", "lllonnff"),
        ("POST /backoffice/cases/:id/consent", "lllonnff"), ("POST /backoffice/cases/:id/referral", "lllonnff"),
        ("POST /backoffice/cases/:id/signal", "lllonnff"), ("POST /backoffice/cases/:id/registration", "lllonnff"),
        ("POST /backoffice/cases/:id/match", "lllonnff"),
        ("POST /backoffice/cases/:id/status", "lllnnnff"), ("POST /backoffice/cases/:id/close", "lllonnff"),
        ("POST /backoffice/cases/:id/reopen", "lllnnnff"), ("POST /backoffice/cases/:id/share", "lllonnff"),
        ("POST /backoffice/cases/:id/transfer", "lllonnff"), ("POST /backoffice/cases/:id/revoke", "lllonnff"),
        // Yearly reports: organisation X's, released; counsellor Y does not serve X.
        ("GET /backoffice/jaarverslag", counsellors), ("GET /backoffice/jaarverslag/:slug/:year", "lllonoff"),
        ("POST /backoffice/jaarverslag/:slug/:year", "lllonoff"), ("POST /backoffice/jaarverslag/:slug/:year/release", "lllonoff"),
        ("POST /backoffice/jaarverslag/:slug/:year/correct", "lllonnff") /* X's correction leaves a draft: none left to start */,
        ("GET /backoffice/mijn-jaarverslag/:year", counsellors),
        ("GET /jaarverslag/:id", "lllonoof"), ("GET /jaarverslag/:id/print", "lllonoof"), ("GET /jaarverslag/:id/export.csv", "lllonoof"),
        ("GET /jaarverslag/:id/export.json", "lllonoof"), ("GET /jaarverslag/:id/export.pdf", "lllonoof"),
        ("GET /management", "lllfffof"),
        // The platform admin.
        ("GET /admin", admins), ("GET /admin/audit", admins),
        ("GET /admin/organisations/new", admins), ("POST /admin/organisations", admins),
        ("GET /admin/organisations/:id/edit", admins), ("POST /admin/organisations/:id", admins),
        ("GET /admin/organisations/:id/articles/new", admins), ("POST /admin/organisations/:id/articles", admins),
        ("GET /admin/organisations/:id/articles/:article/edit", admins), ("POST /admin/organisations/:id/articles/:article", admins),
        ("GET /admin/accounts/new", admins), ("POST /admin/accounts", admins),
        ("GET /admin/accounts/:id/edit", admins), ("POST /admin/accounts/:id", admins),
        // Last: what changes the session or the data other rows use.
        ("POST /admin/organisations/:id/articles/:article/delete", admins), ("POST /admin/accounts/:id/activation", admins),
        ("POST /login", open), ("POST /login/2fa", "llllllll"),
        // Logging out ends on the login page, for everyone.
        ("POST /logout", "llllllll"),
    ]

    @Test func everyRouteHasARowAndEveryVisitorGetsItsOutcome() async throws {
        try await withTestApp { app, clock in
            let registered = Set(app.routes.all.map { "\($0.method.rawValue) /" + $0.path.map(\.description).joined(separator: "/") })
            let listed = Set(Self.rows.map(\.route))
            #expect(registered.subtracting(listed).isEmpty, "routes without a row: \(registered.subtracting(listed).sorted())")
            #expect(listed.subtracting(registered).isEmpty, "rows without a route: \(listed.subtracting(registered).sorted())")
            #expect(Self.rows.allSatisfy { $0.expected.count == Self.visitors.count })

            let world = try await MatrixWorld.make(app, clock: clock)
            var mismatches: [String] = []
            for row in Self.rows where registered.contains(row.route) {
                let path = world.fill(row.route)
                var actual = ""
                for (index, browser) in world.browsers.enumerated() {
                    let page: TestBrowser.Page
                    if row.route.hasPrefix("POST") {
                        let token = try await browser.get("/o/acme/contact").csrf
                        page = try await browser.post(path, world.fields(for: index), csrf: token)
                        #expect(
                            !(page.status == .forbidden && page.body.contains(app.vertrouwd.catalog.text("error.csrf.body", in: .dutch))),
                            "\(row.route) as \(Self.visitors[index]): the CSRF token was refused")
                    } else {
                        page = try await browser.get(path)
                    }
                    #expect(page.status != .internalServerError, "\(row.route) as \(Self.visitors[index]) failed")
                    actual.append(Self.outcome(page))
                }
                if actual != row.expected { mismatches.append("(\"\(row.route)\", \"\(actual)\") expected \(row.expected)") }
            }
            #expect(mismatches.isEmpty, "\(mismatches.joined(separator: "\n"))")
        }
    }

    /// Every state-changing route refuses a form without the session's CSRF token, for a visitor
    /// without a session and for a signed-in counsellor alike, before doing anything.
    @Test func everyPostRouteRefusesAFormWithoutItsToken() async throws {
        try await withTestApp { app, clock in
            let world = try await MatrixWorld.make(app, clock: clock)
            // The JSON API and the guide are left out: they read no session and change nothing, so a
            // forged request gains nothing (PublicAPITests, PageCacheTests).
            let paths = app.routes.all.filter { $0.method == .POST }.map { "/" + $0.path.map(\.description).joined(separator: "/") }
            let posts = paths.filter { !$0.hasPrefix("/api/") && !Endpoint.isSessionFree($0) }.map { "POST " + $0 }
            #expect(paths.count - posts.count == 2, "the guide and the API's guide")
            #expect(posts.count > 40)
            let refusal = app.vertrouwd.catalog.text("error.csrf.body", in: .dutch)
            let auditBefore = try await AuditEvent.query(on: app.db).count()
            for route in posts {
                for browser in [world.browsers[0], world.browsers[3]] {
                    _ = try await browser.get("/o/acme/contact")
                    let page = try await browser.post(world.fill(route), [("receipt", world.receipts[1])], csrf: nil)
                    #expect(page.status == .forbidden && page.body.contains(refusal), "\(route) took a form without its token")
                    let forged = try await browser.post(world.fill(route), [], csrf: "forged-token")
                    #expect(forged.status == .forbidden, "\(route) took a forged token")
                }
            }
            #expect(try await AuditEvent.query(on: app.db).count() == auditBefore, "a refused form still did something")
        }
    }

    static func outcome(_ page: TestBrowser.Page) -> Character {
        switch page.status {
        case .unauthorized: "l"
        case .forbidden: "f"
        case .notFound: "n"
        case .seeOther, .found: page.location?.hasPrefix("/login") == true ? "l" : "o"
        default: "o"
        }
    }
}

/// Two organisations, their staff, a case in each (with receipts), a released report and an
/// article: enough for every route to have something real to point at.
struct MatrixWorld {
    let browsers: [TestBrowser]
    let receipts: [String]
    let caseA: UUID
    let reportID: UUID
    let organisationX: UUID
    let spareAccount: UUID
    let counsellorX: UUID
    let articleID: UUID
    let articleSlug: String
    let year: Int

    static func make(_ app: Application, clock: ManualWallClock) async throws -> MatrixWorld {
        let acme = try await Fixtures.organisation(app)
        let other = try await Fixtures.organisation(app, slug: "other", name: "Other")
        let anna = try await Fixtures.staff(app, role: .counsellor, email: "anna@acme.example", serving: acme)
        let cees = try await Fixtures.staff(app, role: .counsellor, email: "cees@other.example", serving: other)
        let bram = try await Fixtures.staff(app, role: .counsellor, email: "bram@acme.example", serving: acme)
        let hr = try await Fixtures.staff(app, role: .organisationContact, email: "hr@acme.example", serving: acme)
        let admin = try await Fixtures.staff(app, role: .admin, email: "admin@example.org")
        let spare = try await Fixtures.staff(app, role: .counsellor, email: "spare@acme.example", serving: acme)
        let receiptA = try await Fixtures.contact(app, slug: "acme", to: anna)
        let receiptB = try await Fixtures.contact(app, slug: "other", to: cees)
        let caseA = try #require(
            try await CaseKeyGrant.query(on: app.db).filter(\.$counsellor.$id == anna.account.requireID()).first()?.$caseRecord.id)
        let year = FormalReportDeadlines.calendar.component(.year, from: clock.now) - 1
        let report = YearlyReport(organisationID: try acme.requireID(), year: year, version: 1, draftedBy: try anna.account.requireID())
        report.status = YearlyReport.Status.released.rawValue
        report.figures = try YearlyReports.encoded(try Disclosure.publish(YearFigures()))
        try await report.create(on: app.db)
        let article = OrganisationArticle(
            organisationID: try acme.requireID(), slug: "eigen-regels", language: .dutch, title: "Eigen regels", summary: "Kort",
            body: "Tekst")
        try await article.create(on: app.db)

        var browsers = (0..<3).map { _ in TestBrowser(app) }
        for staff in [anna, cees, bram, hr, admin] {
            let browser = TestBrowser(app)
            try await browser.logIn(staff, at: clock.now)
            browsers.append(browser)
        }
        return MatrixWorld(
            browsers: browsers, receipts: ["", receiptA, receiptB, "", "", "", "", ""], caseA: caseA, reportID: try report.requireID(),
            organisationX: try acme.requireID(), spareAccount: try spare.account.requireID(), counsellorX: try anna.account.requireID(),
            articleID: try article.requireID(), articleSlug: article.slug, year: year)
    }

    /// The route with its parameters pointing at this world.
    func fill(_ route: String) -> String {
        var path = String(route.drop { $0 != " " }.dropFirst())
        let id: String =
            if path.hasPrefix("/backoffice/cases/:id") {
                caseA.uuidString
            } else if path.hasPrefix("/jaarverslag/:id") {
                reportID.uuidString
            } else if path.hasPrefix("/admin/organisations/:id") {
                organisationX.uuidString
            } else if path.hasPrefix("/admin/accounts/:id") {
                spareAccount.uuidString
            } else {
                counsellorX.uuidString
            }
        let article = path.hasPrefix("/admin") ? articleID.uuidString : path.contains("eigen/:article") ? articleSlug : "pesten"
        for (name, value) in [
            (":slug", "acme"), (":id", id), (":year", String(year)), (":article", article), (":item", UUID().uuidString),
            (":entry", UUID().uuidString), (":sequence", "1"), (":token", "onbekend"), (":code", "nl"),
        ] {
            path = path.replacingOccurrences(of: name, with: value)
        }
        return path
    }

    /// What a visitor sends with a form: the person's receipt, or nothing.
    func fields(for index: Int) -> [(String, String)] {
        receipts[index].isEmpty ? [] : [("receipt", receipts[index]), ("action", "open")]
    }
}
