import Fluent
import FluentKit
import FluentSQLiteDriver
import Foundation
import SQLKit
import Testing
import Vapor
import VaporTesting
import VertrouwdCore

@testable import App

@Suite("Page shell, headers and errors")
struct ShellTests {
    @Test func healthAnswersWhenTheDatabaseDoes() async throws {
        try await withTestApp { app, _ in
            let page = try await TestBrowser(app).get("/health")
            #expect(page.status == .ok)
            #expect(page.body == #"{"status":"ok"}"#)
        }
    }

    @Test func everyResponseCarriesTheSecurityHeaders() async throws {
        try await withTestApp { app, _ in
            let browser = TestBrowser(app)
            for path in ["/", "/login", "/does-not-exist", "/health", "/css/app.css"] {
                let page = try await browser.get(path)
                let csp = page.headers.first(name: "Content-Security-Policy") ?? ""
                #expect(csp.contains("frame-ancestors 'none'"), "\(path)")
                #expect(csp.contains("default-src 'self'"), "\(path)")
                #expect(!csp.contains("unsafe-inline"), "\(path)")
                #expect(page.headers.first(name: "X-Content-Type-Options") == "nosniff", "\(path)")
                #expect(page.headers.first(name: "Referrer-Policy") == "no-referrer", "\(path)")
                #expect(page.headers.first(name: "Permissions-Policy")?.contains("camera=()") == true, "\(path)")
            }
            #expect(try await browser.get("/login").headers.first(name: .cacheControl) == "no-store")
            #expect(try await browser.get("/css/app.css").headers.first(name: .cacheControl)?.contains("max-age") == true)
        }
    }

    @Test(
        "public pages render in Dutch by default and in English on request",
        arguments: ["/", "/login", "/o/acme"])
    func bothLanguages(path: String) async throws {
        try await withTestApp { app, _ in
            _ = try await Fixtures.organisation(app)
            let catalog = app.vertrouwd.catalog
            let browser = TestBrowser(app)
            let dutch = try await browser.get(path)
            #expect(dutch.status == .ok)
            #expect(dutch.lang == "nl")
            #expect(dutch.body.contains(#"id="quick-exit""#))
            #expect(dutch.body.contains(catalog.text("shell.quick_exit", in: .dutch)))
            browser.acceptLanguage = "en-GB,en;q=0.9"
            let english = try await browser.get(path)
            #expect(english.lang == "en")
            #expect(english.body.contains(catalog.text("shell.quick_exit", in: .english)))
            for page in [dutch, english] {
                // No raw translation key may reach a page.
                for key in catalog.keys(for: .dutch) { #expect(!page.body.contains(">\(key)<"), "\(key) shown raw on \(path)") }
            }
        }
    }

    @Test func theLanguageSwitchIsRememberedAndCannotRedirectElsewhere() async throws {
        try await withTestApp { app, _ in
            let browser = TestBrowser(app)
            let switched = try await browser.get("/lang/en?return=/login")
            #expect(switched.status == .seeOther)
            #expect(switched.location == "/login")
            #expect(try await browser.get("/login").lang == "en")
            for hostile in ["//evil.example/", "https://evil.example/", "/\\evil.example", "javascript:alert(1)", "/%0d%0aSet-Cookie:x=1"] {
                let encoded = hostile.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""
                let page = try await browser.get("/lang/nl?return=\(encoded)")
                #expect(page.location == "/" || page.location?.hasPrefix("/%") == true, "\(hostile) → \(page.location ?? "nil")")
            }
            #expect(try await browser.get("/lang/de").status == .notFound)
        }
    }

    @Test func unknownPagesGetAFriendly404InTheVisitorsLanguage() async throws {
        try await withTestApp { app, _ in
            let browser = TestBrowser(app)
            let dutch = try await browser.get("/nergens/te/vinden")
            #expect(dutch.status == .notFound)
            #expect(dutch.dataPage == "error")
            #expect(dutch.heading == app.vertrouwd.catalog.text("error.404.title", in: .dutch))
            browser.acceptLanguage = "en"
            #expect(try await browser.get("/o/unknown-org").heading == app.vertrouwd.catalog.text("error.404.title", in: .english))
        }
    }

    @Test func aKnownPathAskedWithAnotherMethodGets405WithTheMethodsItTakes() async throws {
        try await withTestApp { app, _ in
            _ = try await Fixtures.organisation(app)
            let health = try await app.testing().sendRequest(.DELETE, "/health")
            #expect(health.status == .methodNotAllowed)
            #expect(health.headers.first(name: .allow) == "GET")
            let guide = try await app.testing().sendRequest(.PUT, "/o/acme/wegwijzer")
            #expect(guide.status == .methodNotAllowed)
            #expect(guide.headers.first(name: .allow) == "GET, POST")
            // A page that exists for the method but not for these parameters stays a 404.
            #expect(try await app.testing().sendRequest(.GET, "/o/unknown-org/wegwijzer").status == .notFound)
            #expect(try await app.testing().sendRequest(.TRACE, "/nergens").status == .notFound)
        }
    }

    @Test func oversizedBodiesGet413AndMalformedFormsGetFieldErrors() async throws {
        try await withTestApp(adjust: { $0.maxBodySize = 64 * 1024 }) { app, _ in
            let browser = TestBrowser(app)
            let form = try await browser.get("/login")
            let huge = try await browser.post(
                "/login", [("email", String(repeating: "x", count: 100_000)), ("password", "y")], csrf: form.csrf)
            #expect(huge.status == .payloadTooLarge)
            #expect(huge.dataPage == "error")
            // Broken UTF-8 and nonsense encodings: never a server error, never a crash.
            let bodies: [[UInt8]] = [
                [0xFF, 0xFE, 0x3D, 0xC3], Array("email=%E0%A4%A&password=%".utf8),
                Array("csrf=\(form.csrf ?? "")&email=%C3%28&password=%FF".utf8),
            ]
            for body in bodies {
                let page = try await browser.postRaw("/login", bytes: body, contentType: "application/x-www-form-urlencoded")
                #expect(page.status.code < 500, "\(body) → \(page.status)")
            }
            let json = try await browser.postRaw("/login", bytes: Array("{\"csrf\":1}".utf8), contentType: "application/json")
            #expect(json.status == .forbidden)
            // Found by the form fuzzer: an empty multipart boundary stopped the process; a body that
            // repeats one name tens of thousands of times kept a core busy for seconds.
            for path in ["/login", "/nergens", "/api/v1/organisations/acme/guide"] {
                let empty = try await browser.postRaw(path, bytes: Array("x=y".utf8), contentType: "multipart/form-data; boundary=")
                #expect(empty.status == .badRequest, "\(path)")
            }
            let repeated = (0..<5_000).map { _ in "kinds[]=x" }.joined(separator: "&")
            let flood = try await browser.postRaw("/login", bytes: Array(repeated.utf8), contentType: "application/x-www-form-urlencoded")
            #expect(flood.status == .payloadTooLarge)
            #expect(try await browser.get("/health").status == .ok)
        }
    }

    @Test func theFrontPageFindsAnOrganisationByItsCodeAndListsNone() async throws {
        try await withTestApp { app, _ in
            _ = try await Fixtures.organisation(app, slug: "acme", name: "Acme Zorg")
            let browser = TestBrowser(app)
            let front = try await browser.get("/")
            #expect(!front.body.contains("Acme Zorg"))
            #expect(try await browser.get("/o?code=ACME").location == "/o/acme")
            let unknown = try await browser.get("/o?code=bestaat-niet")
            #expect(unknown.status == .notFound)
            #expect(unknown.body.contains(app.vertrouwd.catalog.text("home.find.error.unknown", in: .dutch)))
            #expect(try await browser.get("/o?code=").status == .unprocessableEntity)
        }
    }

    @Test func anOrganisationsDefaultLanguageAppliesWithoutAPreference() async throws {
        try await withTestApp { app, _ in
            _ = try await Fixtures.organisation(app, slug: "global", name: "Global BV", language: .english)
            let browser = TestBrowser(app)
            #expect(try await browser.get("/o/global").lang == "en")
            browser.acceptLanguage = "nl"
            #expect(try await browser.get("/o/global").lang == "nl")
        }
    }

    @Test func escapesEverythingItShows() async throws {
        try await withTestApp { app, _ in
            _ = try await Fixtures.organisation(app, slug: "xss", name: "<script>alert(1)</script>")
            let page = try await TestBrowser(app).get("/o/xss")
            #expect(!page.body.contains("<script>alert(1)</script>"))
            #expect(page.body.contains("&lt;script&gt;alert(1)&lt;/script&gt;"))
        }
    }

    /// Durability: every connection commits with a full sync, in WAL mode, overwriting deleted data.
    @Test func everySQLiteConnectionIsDurable() async throws {
        try await withTestApp { app, _ in
            guard !usingPostgres else { return }
            for loop in app.eventLoopGroup.makeIterator() {
                let sql = try #require(app.databases.database(.sqlite, logger: app.logger, on: loop) as? any SQLDatabase)
                // A connection takes the file's journal mode from its header when it first reads.
                try await sql.raw("SELECT count(*) AS tables FROM sqlite_master").run()
                #expect(try await sql.raw("PRAGMA journal_mode").first()?.decode(column: "journal_mode", as: String.self) == "wal")
                #expect(try await sql.raw("PRAGMA synchronous").first()?.decode(column: "synchronous", as: Int.self) == 2)
                #expect(try await sql.raw("PRAGMA secure_delete").first()?.decode(column: "secure_delete", as: Int.self) == 1)
                #expect(try await sql.raw("PRAGMA busy_timeout").first()?.decode(column: "timeout", as: Int.self) == 10000)
            }
        }
    }

    @Test func migrationsRevertCleanly() async throws {
        try await withTestApp { app, _ in
            try await app.autoRevert()
            try await app.autoMigrate()
            #expect(try await TestBrowser(app).get("/health").status == .ok)
        }
    }
}
