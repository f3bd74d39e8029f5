import Fluent
import Foundation
import Testing
import Vapor
import VaporTesting
import VertrouwdCore

@testable import App

@Suite("Knowledge base, search and guide pages")
struct SelfHelpTests {
    @Test(
        "self-help pages render in Dutch and English",
        arguments: ["/o/acme/kennisbank", "/o/acme/kennisbank/pesten", "/o/acme/zoeken?q=gepest", "/o/acme/wegwijzer"])
    func bothLanguages(path: String) async throws {
        try await withTestApp { app, _ in
            _ = try await Fixtures.organisation(app)
            let browser = TestBrowser(app)
            let dutch = try await browser.get(path)
            #expect(dutch.status == .ok)
            #expect(dutch.lang == "nl")
            #expect(dutch.body.contains(#"id="quick-exit""#))
            browser.acceptLanguage = "en"
            let english = try await browser.get(path)
            #expect(english.lang == "en")
            for key in app.vertrouwd.catalog.keys(for: .dutch) { #expect(!english.body.contains(">\(key)<"), "\(key) raw on \(path)") }
        }
    }

    @Test func anArticleShowsItsSectionsRelatedArticlesAndWorkingLinks() async throws {
        try await withTestApp { app, _ in
            _ = try await Fixtures.organisation(app)
            let browser = TestBrowser(app)
            let page = try await browser.get("/o/acme/kennisbank/pesten")
            #expect(page.heading == "Pesten")
            #expect(page.body.contains(#"class="toc""#))
            #expect(page.body.contains(#"class="breadcrumbs""#))
            #expect(!page.body.contains("href=\"kb:"), "article links are rewritten")
            let links = Set(page.body.matches(of: #/href="(/o/acme/kennisbank/[a-z-]+)"/#).map { String($0.output.1) })
            #expect(links.count >= 3)
            for link in links { #expect(try await browser.get(link).status == .ok, "\(link)") }
            #expect(try await browser.get("/o/acme/kennisbank/bestaat-niet").status == .notFound)
            #expect(try await browser.get("/o/onbekend/kennisbank/pesten").status == .notFound)
        }
    }

    @Test func searchFindsHighlightsAndEscapes() async throws {
        try await withTestApp { app, _ in
            _ = try await Fixtures.organisation(app)
            let browser = TestBrowser(app)
            let page = try await browser.get("/o/acme/zoeken?q=gepest")
            #expect(page.firstMatch(#"<ol class="search-results"><li><a href="([^"]+)""#) == "/o/acme/kennisbank/pesten")
            #expect(page.body.contains("<mark>"))
            let hostile = try await browser.get("/o/acme/zoeken?q=%3Cscript%3Ealert(1)%3C%2Fscript%3E")
            #expect(hostile.status == .ok)
            #expect(!hostile.body.contains("<script>alert"))
            let long = try await browser.get("/o/acme/zoeken?q=" + String(repeating: "pesten%20", count: 500))
            #expect(long.status == .ok)
            // An English word on the Dutch site still finds the Dutch article.
            #expect(try await browser.get("/o/acme/zoeken?q=bullying").body.contains("/o/acme/kennisbank/pesten"))
        }
    }

    @Test func aPracticesOwnSynonymsReplaceTheShippedOnesAndABadLineStopsTheStart() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("vertrouwd-synonyms-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("synonyms.nl.txt")
        try "# onze eigen woorden\nkoffieautomaat => klokkenluiders\n".write(to: file, atomically: true, encoding: .utf8)
        #expect(try AppSettings.fromEnvironment(["VERTROUWD_SYNONYMS_DIR": folder.path]).synonymsDirectory == folder.path)
        #expect(throws: AppSettings.Failure.self) { try AppSettings.fromEnvironment(["VERTROUWD_SYNONYMS_DIR": file.path]) }
        try await withTestApp(adjust: { $0.synonymsDirectory = folder.path }) { app, _ in
            _ = try await Fixtures.organisation(app)
            let browser = TestBrowser(app)
            #expect(try await browser.get("/o/acme/zoeken?q=koffieautomaat").body.contains("/o/acme/kennisbank/intern-of-extern-melden"))
            // The practice's Dutch file replaces the shipped one; English keeps the shipped list.
            #expect(!(try await browser.get("/o/acme/zoeken?q=getreiter")).body.contains(#"<ol class="search-results">"#))
            #expect(app.vertrouwd.search.synonyms[.english]?.words(for: ["bribe"]).isEmpty == false)
        }
        // Another folder: a process loads its content once, and this one already did for the first.
        let bad = folder.appendingPathComponent("bad")
        try FileManager.default.createDirectory(at: bad, withIntermediateDirectories: true)
        try "treiteren => pesten\nuit de hoogte => intimidatie\n".write(
            to: bad.appendingPathComponent("synonyms.nl.txt"), atomically: true, encoding: .utf8)
        await #expect(throws: Synonyms.Failure(file: "synonyms.nl.txt", line: 2, reason: "\"uit de hoogte\": left of => only single words"))
        {
            try await withTestApp(adjust: { $0.synonymsDirectory = bad.path }) { _, _ in }
        }
    }

    @Test func aSearchThatSignalsDangerShows113Or112BeforeAnyArticle() async throws {
        try await withTestApp { app, _ in
            _ = try await Fixtures.organisation(app)
            let browser = TestBrowser(app)
            func firstResult(_ page: TestBrowser.Page) -> String? { page.firstMatch(#"<ol class="search-results"><li><a href="([^"]+)""#) }
            let dutch = try await browser.get("/o/acme/zoeken?q=ik%20wil%20er%20niet%20meer%20zijn")
            #expect(dutch.body.contains(#"id="safety-first""#) && dutch.body.contains("0800-0113"))
            #expect(
                try #require(dutch.body.range(of: "safety-first")).lowerBound
                    < (dutch.body.range(of: "search-results")?.lowerBound ?? dutch.body.endIndex))
            #expect(firstResult(dutch) == "/o/acme/kennisbank/noodgeval")
            let violence = try await browser.get("/o/acme/zoeken?q=hij%20heeft%20een%20mes")
            #expect(violence.body.contains(#"id="safety-first""#) && violence.body.contains("112") && !violence.body.contains("0800-0113"))
            _ = try await browser.get("/lang/en?return=/o/acme")
            let english = try await browser.get("/o/acme/zoeken?q=i%20want%20to%20end%20it%20all")
            #expect(english.lang == "en" && english.body.contains("113 Suicide Prevention"))
            _ = try await browser.get("/lang/nl?return=/o/acme")
            let calm = try await browser.get("/o/acme/zoeken?q=gevaarlijke%20stoffen%20op%20het%20werk")
            #expect(!calm.body.contains(#"id="safety-first""#))
            #expect(!(try await browser.get("/o/acme/zoeken?q=pesten")).body.contains(#"id="safety-first""#))
        }
    }

    /// Walks the guide through its real forms, as a browser without JavaScript would.
    func walk(_ browser: TestBrowser, _ choices: [String]) async throws -> TestBrowser.Page {
        var page = try await browser.get("/o/acme/wegwijzer")
        var answers: [String] = []
        for choice in choices {
            var fields = answers.map { ("a[]", $0) }
            fields += [("answer", choice), ("action", "next")]
            page = try await browser.post("/o/acme/wegwijzer", fields, csrf: page.csrf)
            answers = page.body.matches(of: #/name="a\[\]" value="([^"]+)"/#).map { String($0.output.1) }
        }
        return page
    }

    @Test func theGuideWalksToAnOutcomeWithAnActionPlanAndCanGoBack() async throws {
        try await withTestApp { app, _ in
            _ = try await Fixtures.organisation(app)
            let browser = TestBrowser(app)
            let outcome = try await walk(browser, ["safe", "self", "person", "sexual", "repeated", "manager"])
            #expect(outcome.dataPage == "guide-outcome")
            #expect(outcome.heading == "Dit lijkt op ongewenste omgangsvormen")
            #expect(outcome.body.contains("/o/acme/kennisbank/seksuele-intimidatie"))
            #expect(outcome.body.contains(#"data-plan-key="plan-unwanted""#))
            #expect(outcome.body.contains(#"name="step""#))
            let answers = outcome.body.matches(of: #/name="a\[\]" value="([^"]+)"/#).map { String($0.output.1) }
            #expect(answers == ["safety:safe", "who:self", "harm:person", "behaviour:sexual", "pattern:repeated", "party:manager"])
            // Outside help where it fits: here the Centrum Seksueel Geweld, with its free number.
            #expect(outcome.body.contains(#"href="tel:0800-0188""#))

            let back = try await browser.post("/o/acme/wegwijzer", answers.map { ("a[]", $0) } + [("action", "back")], csrf: outcome.csrf)
            #expect(back.dataPage == "guide-question")
            #expect(back.body.contains(#"value="manager" checked"#), "the previous answer stays chosen")
        }
    }

    @Test func aBystanderAndAManagerReachTheirOwnOutcomes() async throws {
        try await withTestApp { app, _ in
            _ = try await Fixtures.organisation(app)
            let bystander = try await walk(TestBrowser(app), ["safe", "witness", "unwanted"])
            #expect(bystander.dataPage == "guide-outcome")
            #expect(bystander.heading == "Je ziet dat het een ander overkomt")
            #expect(
                bystander.body.contains("/o/acme/kennisbank/voor-omstanders") && bystander.body.contains(#"data-plan-key="plan-bystander""#)
            )
            let manager = try await walk(TestBrowser(app), ["safe", "manager"])
            #expect(manager.heading == "Iemand uit je team heeft je iets toevertrouwd")
            #expect(
                manager.body.contains("/o/acme/kennisbank/voor-leidinggevenden")
                    && manager.body.contains(#"href="https://www.nlarbeidsinspectie.nl""#))
            let discriminated = try await walk(TestBrowser(app), ["safe", "self", "person", "discrimination", "once", "colleague"])
            #expect(
                discriminated.body.contains(#"href="https://www.mensenrechten.nl""#)
                    && discriminated.body.contains(#"href="https://www.discriminatie.nl""#))
        }
    }

    @Test func theKnowledgeBaseListsHelpOutsideTheOrganisationFromTheRegister() async throws {
        try await withTestApp { app, _ in
            _ = try await Fixtures.organisation(app)
            let browser = TestBrowser(app)
            let dutch = try await browser.get("/o/acme/kennisbank")
            #expect(dutch.body.contains(#"id="hulp-buiten""#) && dutch.body.contains(##"href="#hulp-buiten""##))
            for body in app.vertrouwd.externalBodies {
                #expect(dutch.body.contains(body.name.nl.replacingOccurrences(of: "&", with: "&amp;")), "\(body.id)")
            }
            #expect(dutch.body.contains(#"href="tel:0800-0188""#) && dutch.body.contains(#"href="https://www.huisvoorklokkenluiders.nl""#))
            #expect(dutch.body.contains(#"href="/o/acme/kennisbank/zorg-voor-jezelf""#))
            _ = try await browser.get("/lang/en?return=/o/acme")
            let english = try await browser.get("/o/acme/kennisbank")
            #expect(english.body.contains("Help outside your organisation") && english.body.contains("Netherlands Labour Authority"))
            // The guide's outcomes point there too.
            let unsure = try await walk(TestBrowser(app), ["safe", "self", "unsure"])
            #expect(unsure.body.contains(##"href="/o/acme/kennisbank#hulp-buiten""##))
        }
    }

    @Test func noChoiceGetsAMessageAndTamperedAnswersRestart() async throws {
        try await withTestApp { app, _ in
            _ = try await Fixtures.organisation(app)
            let browser = TestBrowser(app)
            let first = try await browser.get("/o/acme/wegwijzer")
            let empty = try await browser.post("/o/acme/wegwijzer", [("action", "next")], csrf: first.csrf)
            #expect(empty.status == .unprocessableEntity)
            #expect(empty.body.contains(app.vertrouwd.catalog.text("guide.error.choose", in: .dutch)))
            let tampered = try await browser.post(
                "/o/acme/wegwijzer", [("a[]", "harm:person"), ("answer", "x"), ("action", "next")], csrf: first.csrf)
            #expect(tampered.status == .ok)
            #expect(tampered.body.contains(app.vertrouwd.catalog.text("guide.notice.restarted", in: .dutch)))
            #expect(tampered.body.contains(app.vertrouwd.guide.definition.questions["safety"]!.text.nl))
            let junk = try await browser.post("/o/acme/wegwijzer", (0..<50).map { ("a[]", "q\($0):o") }, csrf: first.csrf)
            #expect(junk.status.code < 500)
        }
    }

    @Test func guideAnswersAreNeitherLoggedNorStored() async throws {
        try await withTestApp { app, _ in
            _ = try await Fixtures.organisation(app)
            _ = try await walk(TestBrowser(app), ["crime", "self", "organisation", "fraud", "wider", "yes"])
            let lines = TestLogs.all.filter { $0.contains("/o/:slug/wegwijzer") }
            #expect(!lines.isEmpty)
            for line in TestLogs.all { #expect(!line.contains("harm:organisation") && !line.contains("integrity:fraud"), "\(line)") }
            let sessions = try await WebSession.query(on: app.db).all()
            for session in sessions { #expect(!"\(session.data)".contains("fraud"), "answers are not kept in a session") }
        }
    }
}
