import Foundation
import Testing
import Vapor
import VaporTesting
import VertrouwdCore

@testable import App

@Suite("Public JSON API")
struct PublicAPITests {
    static func json(_ page: TestBrowser.Page) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(page.bytes)) as? [String: Any])
    }

    static func guide(_ browser: TestBrowser, _ answers: [String], slug: String = "acme") async throws -> TestBrowser.Page {
        let body = try JSONSerialization.data(withJSONObject: ["answers": answers])
        return try await browser.postRaw("/api/v1/organisations/\(slug)/guide", bytes: Array(body), contentType: "application/json")
    }

    @Test func theDocumentDescribesExactlyTheRoutesThatExist() async throws {
        try await withTestApp { app, _ in
            let page = try await TestBrowser(app).get("/api/v1/openapi.json")
            #expect(page.status == .ok)
            #expect(page.headers.contentType == .json)
            let document = try Self.json(page)
            #expect((document["openapi"] as? String)?.hasPrefix("3.") == true)
            let paths = try #require(document["paths"] as? [String: [String: Any]])
            let described = Set(
                paths.flatMap { path, operations in
                    operations.keys.map { "\($0.uppercased()) \(path.replacingOccurrences(of: "{slug}", with: ":slug"))" }
                })
            let registered = Set(
                app.routes.all.map { "\($0.method.rawValue) /" + $0.path.map(\.description).joined(separator: "/") }
                    .filter { $0.contains(" /api/") || $0.hasSuffix(" /health") })
            #expect(described == registered, "described \(described.sorted()), registered \(registered.sorted())")
        }
    }

    @Test func searchAnswersInTheReadersLanguageAndKnowsNoUnknownOrganisation() async throws {
        try await withTestApp { app, _ in
            _ = try await Fixtures.organisation(app)
            let browser = TestBrowser(app)
            let dutch = try await browser.get("/api/v1/organisations/acme/search?q=pesten")
            #expect(dutch.status == .ok)
            let results = try #require(try Self.json(dutch)["results"] as? [[String: Any]])
            #expect(!results.isEmpty)
            #expect(results.allSatisfy { ($0["href"] as? String)?.hasPrefix("/o/acme/kennisbank/") == true })
            #expect(dutch.headers.first(name: .setCookie) == nil, "the API sets no cookie")
            // Not even for a visitor who has a session on the site: it is neither read nor refreshed.
            let visitor = TestBrowser(app)
            _ = try await visitor.get("/o/acme/contact")
            #expect(visitor.sessionCookie != nil)
            #expect(try await visitor.get("/api/v1/organisations/acme/search?q=pesten").headers.first(name: .setCookie) == nil)
            browser.acceptLanguage = "en"
            let english = try Self.json(try await browser.get("/api/v1/organisations/acme/search?q=bullying"))
            let title = try #require((english["results"] as? [[String: Any]])?.first?["title"] as? String)
            #expect(title == app.vertrouwd.knowledgeBase.article("pesten", in: .english)?.title)
            let empty = try Self.json(try await browser.get("/api/v1/organisations/acme/search"))
            #expect((empty["results"] as? [Any])?.isEmpty == true)
            let unknown = try await browser.get("/api/v1/organisations/nobody/search?q=x")
            #expect(unknown.status == .notFound)
            #expect(try Self.json(unknown)["error"] as? String == app.vertrouwd.catalog.text("error.404.title", in: .english))
        }
    }

    @Test func theGuideWalksFromTheFirstQuestionToAnOutcomeWithoutASession() async throws {
        try await withTestApp { app, _ in
            _ = try await Fixtures.organisation(app)
            let browser = TestBrowser(app)
            var answers: [String] = []
            var last: [String: Any] = [:]
            for _ in 0...GuideController.maximumAnswers {
                let page = try await Self.guide(browser, answers)
                #expect(page.status == .ok)
                #expect(page.headers.first(name: .setCookie) == nil)
                last = try Self.json(page)
                guard last["status"] as? String == "question" else { break }
                let question = try #require(last["question"] as? [String: Any])
                let option = try #require((question["options"] as? [[String: Any]])?.first?["id"] as? String)
                answers.append("\(question["id"] as? String ?? ""):\(option)")
            }
            #expect(last["status"] as? String == "outcome")
            let outcome = try #require(last["outcome"] as? [String: Any])
            #expect(!(outcome["title"] as? String ?? "").isEmpty)
            #expect(last["answers"] as? [String] == answers)
            // The same walk through the HTML guide reaches the same outcome.
            if case .outcome(let result) = try app.vertrouwd.guide.position(after: answers.compactMap(Guide.Answer.init(encoded:))) {
                #expect(outcome["id"] as? String == result.outcomeID)
            } else {
                Issue.record("the answers do not lead to an outcome in the guide itself")
            }
        }
    }

    @Test func badBodiesAndAnswersGetAClearErrorInTheReadersLanguage() async throws {
        try await withTestApp { app, _ in
            _ = try await Fixtures.organisation(app)
            let browser = TestBrowser(app)
            browser.acceptLanguage = "en"
            let catalog = app.vertrouwd.catalog
            // Answers that do not follow the guide start it again, as the page does.
            let tampered = try await Self.guide(browser, ["nonsense:option"])
            #expect(tampered.status == .ok)
            let restarted = try Self.json(tampered)
            #expect(restarted["restarted"] as? Bool == true && restarted["step"] as? Int == 1)
            #expect((restarted["question"] as? [String: Any])?["id"] as? String == app.vertrouwd.guide.definition.start)
            #expect(try Self.json(try await Self.guide(browser, []))["restarted"] as? Bool == false)
            let tooMany = try await Self.guide(browser, Array(repeating: "a:b", count: 40))
            #expect(tooMany.status == .unprocessableEntity)
            #expect(try Self.json(tooMany)["error"] as? String == catalog.text("api.error.body", in: .english))
            browser.acceptLanguage = nil
            for body in ["", "[]", "{\"answers\":\"x\"}", "{\"answers\":[1,2]}", "\u{00}\u{FF}"] {
                let page = try await browser.postRaw(
                    "/api/v1/organisations/acme/guide", bytes: Array(body.utf8), contentType: "application/json")
                #expect(page.status == .unprocessableEntity, "\(body)")
                #expect(try Self.json(page)["error"] as? String == catalog.text("api.error.body", in: .dutch))
            }
            #expect(try await Self.guide(browser, [], slug: "nobody").status == .notFound)
        }
    }
}
