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

    @Test("a page from the cache is byte for byte the fresh render", arguments: cachedPaths)
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
            #expect(cached.bytes == fresh.bytes)
            #expect(cached.csrf == nil, "no cached page holds a form token")
            // The headers of a personal page still hold: never kept by a browser or proxy.
            #expect(cached.headers.first(name: .cacheControl) == "no-store")
            #expect(cached.headers.first(name: "Content-Security-Policy") == SecurityHeadersMiddleware.contentSecurityPolicy)
            // A page rendered again after the cache is emptied is the same page.
            cache.removeAll()
            #expect(try await TestBrowser(app).get(path).bytes == fresh.bytes)
        }
    }

    @Test func aGuideStepComesFromTheCacheForTheSameAnswersOnly() async throws {
        try await withTestApp { app, _ in
            _ = try await Fixtures.organisation(app)
            let cache = app.pageCache
            var pages: [TestBrowser.Page] = []
            for _ in 0..<2 {
                let browser = TestBrowser(app)
                _ = try await browser.get("/o/acme/wegwijzer")
                pages.append(try await browser.post("/o/acme/wegwijzer", [("answer", "safe"), ("action", "next")], csrf: nil))
                #expect(browser.sessionCookie == nil, "the guide makes no session")
            }
            let hitsAfterSameAnswers = cache.hits
            #expect(pages[0].dataPage == "guide-question")
            #expect(pages[0].bytes == pages[1].bytes)
            let browser = TestBrowser(app)
            _ = try await browser.get("/o/acme/wegwijzer")
            let other = try await browser.post("/o/acme/wegwijzer", [("answer", "crime"), ("action", "next")], csrf: nil)
            #expect(other.status == .ok)
            #expect(other.bytes != pages[0].bytes)
            #expect(cache.hits == hitsAfterSameAnswers + 1, "only the start page was a hit")
            // A missing choice, or answers that do not fit the guide, are answered afresh with their
            // message, and never kept.
            let keys = Set(cache.keys)
            let missing = try await browser.post("/o/acme/wegwijzer", [("action", "next")], csrf: nil)
            #expect(missing.status == .unprocessableEntity)
            let restarted = try await browser.post("/o/acme/wegwijzer", [("a[]", "bogus"), ("action", "next")], csrf: nil)
            #expect(restarted.body.contains(app.vertrouwd.catalog.text("guide.notice.restarted", in: .dutch)))
            #expect(Set(cache.keys) == keys)
            let fresh = try await TestBrowser(app).get("/o/acme/wegwijzer")
            #expect(!fresh.body.contains(app.vertrouwd.catalog.text("guide.notice.restarted", in: .dutch)))
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
            let withSession = Self.cachedPaths.filter { !Endpoint.isSessionFree($0) }
            #expect(withSession.count == Self.cachedPaths.count - 1, "all but the guide")
            for path in withSession + ["/backoffice", "/account/profile"] {
                let page = try await staff.get(path)
                #expect(page.status == .ok, "\(path)")
            }
            #expect(cache.hits == hits, "a signed-in counsellor never gets a cached page")
            #expect(try await staff.get("/o/acme/kennisbank/pesten").body.contains("Test Persoon"), "the page shows who is signed in")
            // The guide takes no session: it shows nobody as signed in, so it is the visitors' page.
            let guide = try await staff.get("/o/acme/wegwijzer")
            #expect(!guide.body.contains("Test Persoon"))
            #expect(guide.csrf == nil)

            // What the cache holds is the public pages, asked by a visitor who was not signed in.
            let allowed = Set(Self.cachedPaths)
            for key in cache.keys {
                let path = key.split(separator: " ")[1]
                #expect(allowed.contains(String(path)), "\(key) was cached")
            }
            #expect(cache.keys.count == 1, "only the guide's start page, asked by the counsellor as by anyone")
        }
    }

    @Test func aChangeOnAnotherInstanceReachesThisOneThroughTheSharedVersion() async throws {
        try await withTestApp { app, clock in
            let organisation = try await Fixtures.organisation(app)
            try await withSecondInstance(of: app, clock: clock) { second in
                let job = try #require(RepeatingJob.all(for: second.vertrouwd.settings).first { $0.name == "page-cache" })
                try await job.work(second)  // the first look only notes the version
                let reader = TestBrowser(second)
                #expect(try await reader.get("/o/acme").body.contains("Acme Zorg"))
                organisation.name = "Acme Welzijn"
                try await organisation.save(on: app.db)
                // The other instance serves its copy until its job looks at the version ...
                #expect(try await reader.get("/o/acme").body.contains("Acme Zorg"))
                #expect(second.pageCache.hits == 1)
                try await job.work(second)
                // ... and the next request after that look shows the change.
                #expect(try await reader.get("/o/acme").body.contains("Acme Welzijn"))
                try await job.work(second)
                #expect(try await reader.get("/o/acme").body.contains("Acme Welzijn"))
                #expect(second.pageCache.hits == 2, "a look that finds the same version keeps the cache")
            }
        }
    }

    @Test func aPageRenderedWhileTheCacheWasEmptiedIsNotKept() {
        let cache = PageCache()
        let generation = cache.generation
        cache.removeAll()
        cache.store(ByteBuffer(string: "old"), for: "GET / - ", generation: generation)
        #expect(cache.keys.isEmpty)
        cache.store(ByteBuffer(string: "new"), for: "GET / - ", generation: cache.generation)
        #expect(cache.keys == ["GET / - "])
        cache.follow(version: 7)
        #expect(cache.keys.count == 1, "the first look only notes the version")
        cache.follow(version: 8)
        #expect(cache.keys.isEmpty)
    }
}
