import Foundation
import Testing

@testable import VertrouwdCore

@Suite("Knowledge base")
struct KnowledgeBaseTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// Loaded once for all tests; `freshLoad` reads the files again.
    static let loaded = Result { try freshLoad() }

    static func load() throws -> KnowledgeBase { try loaded.get() }

    static func freshLoad() throws -> KnowledgeBase {
        try KnowledgeBase.load(from: root.appendingPathComponent("Resources/KnowledgeBase"))
    }

    @Test func everyArticleExistsInBothLanguages() throws {
        let base = try Self.load()
        #expect(base.count >= 48)
        #expect(base.missingTranslations().isEmpty, "without their other language: \(base.missingTranslations())")
    }

    @Test func everyInternalLinkResolves() throws {
        let unresolved = try Self.load().unresolvedLinks()
        #expect(unresolved.isEmpty, "\(unresolved)")
    }

    @Test func everyKindOfTheTaxonomyHasItsArticle() throws {
        let missing = try Self.load().kindsWithoutArticle()
        #expect(missing.isEmpty, "\(missing)")
        let base = try Self.load()
        for family in Family.allCases {
            #expect(base.article(family.rawValue, in: .dutch) != nil)
            #expect(base.article(family.stepsArticle, in: .english) != nil)
        }
    }

    @Test func everyArticleHasHeadingsALinkAndMatchingStructureInBothLanguages() throws {
        let base = try Self.load()
        for dutch in base.all(in: .dutch) {
            let english = try #require(base.article(dutch.slug, in: .english))
            #expect(!dutch.headings.isEmpty, "\(dutch.slug) has no sections")
            #expect(!dutch.links.isEmpty, "\(dutch.slug) links nowhere")
            #expect(
                dutch.headings.count == english.headings.count,
                "\(dutch.slug): \(dutch.headings.count) vs \(english.headings.count) sections")
            #expect(dutch.theme == english.theme && dutch.kind == english.kind, "\(dutch.slug)")
            for article in [dutch, english] {
                #expect(!article.renderedBody.contains("<script"), "\(article.id)")
                #expect(!article.renderedBody.contains("<h1"), "\(article.id)")
                #expect(Set(article.headings.map(\.id)).count == article.headings.count, "\(article.id): duplicate section ids")
            }
        }
    }

    @Test func renderingEscapesRawHTMLAndKeepsOnlySafeLinks() throws {
        let source = """
            ---
            slug: test
            title: Test
            theme: stappen
            audience: everyone
            language: nl
            summary: Een test.
            related: pesten
            ---
            Tekst met <script>alert(1)</script> en <b>vet</b> & meer.

            ## Eerste deel

            Zie [pesten](kb:pesten), [gevaar](javascript:alert(1)) en [elders](http://example.org).
            """
        let article = try ArticleParser.parse(source, file: "test.md")
        #expect(!article.renderedBody.contains("<script>"))
        #expect(article.renderedBody.contains("&lt;script&gt;"))
        #expect(!article.renderedBody.contains("javascript:"))
        #expect(!article.renderedBody.contains("http://example.org"))
        #expect(article.links == ["pesten"])
        #expect(article.headings == [Article.Heading(id: "eerste-deel", text: "Eerste deel")])
        #expect(article.html(linkPrefix: "/o/acme/kennisbank/").contains("href=\"/o/acme/kennisbank/pesten\""))
        #expect(article.plainText.contains("Eerste deel"))
    }

    @Test func badFrontMatterIsRefused() {
        #expect(throws: ArticleParser.Failure.missingFrontMatter("x.md")) { try ArticleParser.parse("Geen kop", file: "x.md") }
        let wrongTheme = "---\nslug: a\ntitle: A\ntheme: onbekend\naudience: everyone\nlanguage: nl\nsummary: s\n---\nTekst"
        #expect(throws: ArticleParser.Failure.invalidField("x.md", field: "theme", value: "onbekend")) {
            try ArticleParser.parse(wrongTheme, file: "x.md")
        }
    }

    @Test func themesComeInTheirOrderWithFamiliesFirst() throws {
        let themes = try Self.load().themes(in: .dutch)
        #expect(themes.first?.theme == .recognising)
        #expect(themes.first?.articles.first?.slug == Family.unwantedBehaviour.rawValue)
        #expect(themes.map(\.theme).count == ArticleTheme.allCases.count)
    }
}
