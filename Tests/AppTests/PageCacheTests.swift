import Fluent
import Foundation
import Testing
import Vapor
import VaporTesting
import VertrouwdCore

@testable import App

@Suite("Public pages from the page cache")
struct PageCacheTests {
    static let cachedPaths = ["/", "/o/acme", "/o/acme/kennisbank", "/o/acme/kennisbank/pesten", "/o/acme/wegwijzer"]

    /// The page with its form tokens blanked: what must be the same for every visitor.
    static func withoutTokens(_ page: TestBrowser.Page) -> String {
        page.body.replacing(#/name="csrf" value="[^"]+"/#, with: #"name="csrf" value="-""#)
    }

    @Test("a page from the cache is the fresh render but for the visitor's own form token", arguments: cachedPaths)
    func cachedEqualsFresh(path: String) async throws {
        try await withTestApp { app, _ in
            _ = try await Fixtures.organisation(app)
            let cache = app.pageCache
            let first = TestBrowser(app)
            let fresh = try await first.get(path)
            #expect(fresh.status == .ok)
            #expect(cache.hits == 0)
            let second = TestBrowser(app)
            let cached = try await second.get(path)
            #expect(cache.hits == 1, "the second visitor's page came from the cache")
            #expect(Self.withoutTokens(cached) == Self.withoutTokens(fresh))
            if fresh.csrf == nil {
                #expect(cached.bytes == fresh.bytes)
            } else {
                // Each visitor has a token of their own, and it is the one their session holds.
                #expect(cached.csrf != fresh.csrf)
                let answered = try await second.post(path, [("answer", "safe"), ("action", "next")], csrf: cached.csrf)
                #expect(answered.status == .ok)
                #expect(answered.dataPage == "guide-question")
            }
            // The headers of a personal page still hold: never kept by a browser or proxy.
            #expect(cached.headers.first(name: .cacheControl) == "no-store")
            #expect(cached.headers.first(name: "Content-Security-Policy") == SecurityHeadersMiddleware.contentSecurityPolicy)
            // A page rendered again after the cache is emptied is the same page.
            cache.removeAll()
            #expect(Self.withoutTokens(try await TestBrowser(app).get(path)) == Self.withoutTokens(fresh))
        }
    }

    @Test func aGuideStepComesFromTheCacheForTheSameAnswersOnly() async throws {
        try await withTestApp { app, _ in
            _ = try await Fixtures.organisation(app)
            let cache = app.pageCache
            var pages: [TestBrowser.Page] = []
            for _ in 0..<2 {
                let browser = TestBrowser(app)
                let start = try await browser.get("/o/acme/wegwijzer")
                pages.append(try await browser.post("/o/acme/wegwijzer", [("answer", "safe"), ("action", "next")], csrf: start.csrf))
            }
            let hitsAfterSameAnswers = cache.hits
            #expect(Self.withoutTokens(pages[0]) == Self.withoutTokens(pages[1]))
            let browser = TestBrowser(app)
            let start = try await browser.get("/o/acme/wegwijzer")
            let other = try await browser.post("/o/acme/wegwijzer", [("answer", "crime"), ("action", "next")], csrf: start.csrf)
            #expect(other.status == .ok)
            #expect(Self.withoutTokens(other) != Self.withoutTokens(pages[0]))
            #expect(cache.hits == hitsAfterSameAnswers + 1, "only the start page was a hit")
            // A missing choice is answered afresh, with its message, and never kept.
            let keys = Set(cache.keys)
            let missing = try await browser.post("/o/acme/wegwijzer", [("action", "next")], csrf: start.csrf)
            #expect(missing.status == .unprocessableEntity)
            #expect(Set(cache.keys) == keys)
        }
    }

    @Test func aChangeToTheOrganisationOrItsArticlesShowsOnTheNextRequest() async throws {
        try await withTestApp { app, _ in
            let organisation = try await Fixtures.organisation(app)
            let reader = TestBrowser(app)
            for path in Self.cachedPaths { _ = try await reader.get(path) }
            #expect(try await reader.get("/o/acme").body.contains("Acme Zorg"))

            organisation.name = "Acme Welzijn"
            try await organisation.save(on: app.db)
            #expect(try await reader.get("/o/acme").body.contains("Acme Welzijn"))
            #expect(try await reader.get("/o/acme/kennisbank/pesten").body.contains("Acme Welzijn"))

            organisation.defaultLanguage = Language.english.code
            try await organisation.save(on: app.db)
            #expect(try await reader.get("/o/acme/kennisbank").lang == "en")

            let article = OrganisationArticle(
                organisationID: try organisation.requireID(), slug: "our-rules", language: .english, title: "Our own rules",
                summary: "How it works here.", body: "Text.")
            try await article.create(on: app.db)
            #expect(try await reader.get("/o/acme/kennisbank").body.contains("/o/acme/kennisbank/eigen/our-rules"))

            _ = try await Fixtures.staff(
                app, role: .counsellor, email: "nieuw@example.org", name: "Noor Nieuw", serving: organisation)
            #expect(try await reader.get("/o/acme").body.contains("Noor Nieuw"))
        }
    }

    @Test func noPersonalPageIsEverCached() async throws {
        try await withTestApp { app, clock in
            let organisation = try await Fixtures.organisation(app)
            let counsellor = try await Fixtures.staff(app, role: .counsellor, email: "vp@example.org", serving: organisation)
            let cache = app.pageCache
            let visitor = TestBrowser(app)
            let personal = [
                "/o/acme/contact", "/o/acme/inbox", "/o/acme/logboek", "/login", "/o/acme/zoeken?q=pesten",
                "/o/acme/kennisbank/pesten?from=mail", "/does-not-exist", "/o/nobody/kennisbank",
            ]
            for path in personal { _ = try await visitor.get(path) }
            _ = try await Fixtures.contact(app, slug: "acme", to: counsellor)

            let staff = TestBrowser(app)
            try await staff.logIn(counsellor, at: clock.now)
            let hits = cache.hits
            for path in Self.cachedPaths + ["/backoffice", "/account/profile"] {
                let page = try await staff.get(path)
                #expect(page.status == .ok, "\(path)")
            }
            #expect(cache.hits == hits, "a signed-in counsellor never gets a cached page")
            #expect(try await staff.get("/o/acme/kennisbank/pesten").body.contains("Test Persoon"), "the page shows who is signed in")

            // What the cache holds is the public pages, asked by a visitor who was not signed in.
            let allowed = Set(Self.cachedPaths)
            for key in cache.keys {
                let path = key.split(separator: " ")[1]
                #expect(allowed.contains(String(path)), "\(key) was cached")
            }
            #expect(cache.keys.isEmpty, "nothing public was asked by a visitor, so nothing is held")
        }
    }
}
