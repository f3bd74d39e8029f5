import Fluent
import Foundation
import Testing
import Vapor
import VaporTesting
import VertrouwdCore

@testable import App

@Suite("An organisation's own articles")
struct OrganisationArticleTests {
    @Test func anAdminWritesAnArticleThatAppearsEscapedInTheKnowledgeBaseAndSearch() async throws {
        try await withTestApp { app, clock in
            let organisation = try await Fixtures.organisation(app)
            let id = try organisation.requireID()
            let admin = try await Fixtures.staff(app, role: .admin, email: "admin@example.org")
            let browser = TestBrowser(app)
            try await browser.logIn(admin, at: clock.now)
            let form = try await browser.get("/admin/organisations/\(id)/articles/new")
            #expect(form.status == .ok)
            let empty = try await browser.post(
                "/admin/organisations/\(id)/articles", [("language", "nl"), ("title", ""), ("summary", ""), ("body", "")], csrf: form.csrf)
            #expect(empty.status == .unprocessableEntity)
            #expect(try await OrganisationArticle.query(on: app.db).count() == 0)

            let body = """
                ## Onze klachtenregeling

                Dien je klacht in bij de klachtencommissie <script>alert('xss')</script>.
                Zie ook [pesten](kb:pesten) en [klik](javascript:alert(1)) <img src=x onerror=alert(2)>.
                """
            let saved = try await browser.post(
                "/admin/organisations/\(id)/articles",
                [
                    ("language", "nl"), ("title", "Klachtenregeling <b>Acme</b>"), ("summary", "Hoe een klacht bij Acme werkt."),
                    ("body", body),
                ],
                csrf: form.csrf)
            #expect(saved.location == "/admin/organisations/\(id)/edit")
            let article = try #require(try await OrganisationArticle.query(on: app.db).first())
            #expect(article.slug == "klachtenregeling-b-acme-b")

            let reader = TestBrowser(app)
            let themes = try await reader.get("/o/acme/kennisbank")
            #expect(themes.body.contains("/o/acme/kennisbank/eigen/\(article.slug)"))
            #expect(themes.body.contains("Klachtenregeling &lt;b&gt;Acme&lt;/b&gt;"))
            let page = try await reader.get("/o/acme/kennisbank/eigen/\(article.slug)")
            #expect(page.status == .ok)
            for dangerous in ["<script>", "javascript:", "<img", "<b>Acme"] {
                #expect(!page.body.contains(dangerous), "the page carries \(dangerous)")
            }
            #expect(page.body.contains("&lt;img src=x onerror=alert(2)&gt;"), "markup is shown as text")
            #expect(page.body.contains("href=\"/o/acme/kennisbank/pesten\""))
            #expect(page.body.contains(#"<h2 id="onze-klachtenregeling">"#))
            let search = try await reader.get("/o/acme/zoeken?q=klachtencommissie")
            #expect(search.body.contains("/o/acme/kennisbank/eigen/\(article.slug)"))
            // Not in English, and not in another organisation's knowledge base.
            reader.acceptLanguage = "en"
            #expect(try await reader.get("/o/acme/kennisbank/eigen/\(article.slug)").status == .notFound)
            _ = try await Fixtures.organisation(app, slug: "ander", name: "Ander BV")
            reader.acceptLanguage = "nl"
            #expect(try await reader.get("/o/ander/kennisbank/eigen/\(article.slug)").status == .notFound)

            let edit = try await browser.get("/admin/organisations/\(id)/articles/\(try article.requireID())/edit")
            #expect(edit.status == .ok)
            let deleted = try await browser.post(
                "/admin/organisations/\(id)/articles/\(try article.requireID())/delete", [], csrf: edit.csrf)
            #expect(deleted.location == "/admin/organisations/\(id)/edit")
            #expect(try await OrganisationArticle.query(on: app.db).count() == 0)
        }
    }

    @Test func onlyAnAdminCanWriteThem() async throws {
        try await withTestApp { app, clock in
            let organisation = try await Fixtures.organisation(app)
            let counsellor = try await Fixtures.staff(app, role: .counsellor, email: "vp@example.org", serving: organisation)
            let browser = TestBrowser(app)
            try await browser.logIn(counsellor, at: clock.now)
            #expect(try await browser.get("/admin/organisations/\(try organisation.requireID())/articles/new").status == .forbidden)
            #expect(
                try await TestBrowser(app).get("/admin/organisations/\(try organisation.requireID())/articles/new").location == "/login")
        }
    }
}
