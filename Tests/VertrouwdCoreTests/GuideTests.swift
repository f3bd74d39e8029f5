import Foundation
import Testing

@testable import VertrouwdCore

@Suite("Guide (wegwijzer)")
struct GuideTests {
    static func guide() throws -> Guide {
        try Guide(definition: .load(from: KnowledgeBaseTests.root.appendingPathComponent("Resources/Guide/guide.json")))
    }

    static func walk(_ guide: Guide, _ answers: [(String, String)]) throws -> Guide.Result {
        let position = try guide.position(after: answers.map { Guide.Answer(question: $0.0, option: $0.1) })
        guard case .outcome(let result) = position else { throw Guide.Failure.invalidAnswers }
        return result
    }

    @Test func everyPathEndsInAnOutcomeWithARouteWithinTheLimit() throws {
        let guide = try Self.guide()
        let paths = guide.allPaths()
        #expect(paths.count >= 30)
        for path in paths {
            #expect(path.count <= guide.definition.maximumQuestions && guide.definition.maximumQuestions <= 6, "\(path.map(\.encoded))")
            guard case .outcome(let result) = try guide.position(after: path) else {
                Issue.record("\(path.map(\.encoded)) ends nowhere")
                continue
            }
            #expect(!result.routes.isEmpty, "\(path.map(\.encoded)) has no route")
            #expect(result.routes.count == Set(result.routes.map(\.id)).count)
        }
    }

    @Test func everyQuestionIsReachableAndEveryReferenceResolves() throws {
        let guide = try Self.guide()
        #expect(guide.unreachableQuestions().isEmpty, "\(guide.unreachableQuestions())")
        let definition = guide.definition
        for (id, question) in definition.questions {
            for option in question.options {
                if option.next.hasPrefix("outcome:") {
                    #expect(definition.outcomes[String(option.next.dropFirst(8))] != nil, "\(id)/\(option.id)")
                } else {
                    #expect(definition.questions[option.next] != nil, "\(id)/\(option.id) → \(option.next)")
                }
                if let kind = option.set?["kind"] { #expect(Kind(rawValue: kind) != nil, "\(kind)") }
            }
        }
        for outcome in definition.outcomes.values { for route in outcome.routes { #expect(definition.routes[route] != nil, "\(route)") } }
        for plan in definition.plans.values { for step in plan { #expect(definition.steps[step] != nil, "\(step)") } }
        for rule in definition.rules {
            for route in rule.addRoutes ?? [] { #expect(definition.routes[route] != nil, "\(route)") }
            for step in rule.addSteps ?? [] { #expect(definition.steps[step] != nil, "\(step)") }
            for note in rule.addNotes ?? [] { #expect(definition.notes[note] != nil, "\(note)") }
        }
        #expect(Set(definition.plans.keys) == Set(Family.allCases.map(\.rawValue)))
    }

    @Test func everyLinkedArticleExists() throws {
        let base = try KnowledgeBaseTests.load()
        let definition = try Self.guide().definition
        let articles =
            definition.routes.values.map(\.link).filter { $0.hasPrefix("article:") }.map { String($0.dropFirst(8)) }
            + definition.steps.values.compactMap(\.article)
        for slug in articles { #expect(base.article(slug, in: .dutch) != nil && base.article(slug, in: .english) != nil, "\(slug)") }
    }

    @Test func answersOutOfOrderOrUnknownAreRefused() throws {
        let guide = try Self.guide()
        #expect(throws: Guide.Failure.invalidAnswers) { try guide.position(after: [Guide.Answer(question: "harm", option: "person")]) }
        #expect(throws: Guide.Failure.invalidAnswers) { try guide.position(after: [Guide.Answer(question: "safety", option: "maybe")]) }
        #expect(throws: Guide.Failure.invalidAnswers) {
            try guide.position(after: [
                Guide.Answer(question: "safety", option: "danger"), Guide.Answer(question: "harm", option: "person"),
            ])
        }
        #expect(Guide.Answer(encoded: "safety") == nil)
        #expect(Guide.Answer(encoded: "safety:safe")?.option == "safe")
    }

    // Realistic situations, written as answer sequences with what the outcome must say.
    struct Scenario: Sendable, CustomStringConvertible {
        let description: String
        let answers: [(String, String)]
        let outcome: String
        let kinds: [Kind]
        let routes: [String]
        let notes: [String]
    }

    static let scenarios: [Scenario] = [
        Scenario(
            description: "a team leader's repeated remarks about someone's body",
            answers: [("safety", "safe"), ("harm", "person"), ("behaviour", "sexual"), ("pattern", "repeated"), ("party", "manager")],
            outcome: "unwanted", kinds: [.sexualHarassment], routes: ["contact-counsellor", "keep-journal", "complaint"],
            notes: ["structural", "manager"]),
        Scenario(
            description: "a colleague accepting gifts from a supplier",
            answers: [("safety", "safe"), ("harm", "organisation"), ("integrity", "irregularity"), ("scope", "wider"), ("senior", "no")],
            outcome: "integrity", kinds: [.irregularity], routes: ["report-internal", "report-external"], notes: ["protection"]),
        Scenario(
            description: "a department head hiding a chemical spill",
            answers: [("safety", "safe"), ("harm", "organisation"), ("integrity", "society"), ("scope", "wider"), ("senior", "yes")],
            outcome: "integrity", kinds: [.societalWrongdoing], routes: ["report-external", "contact-counsellor"],
            notes: ["senior", "protection"]),
        Scenario(
            description: "being threatened in the car park right now",
            answers: [("safety", "danger")], outcome: "emergency", kinds: [], routes: ["emergency"], notes: []),
        Scenario(
            description: "a colleague who punched someone last week",
            answers: [("safety", "crime"), ("harm", "person"), ("behaviour", "aggression"), ("pattern", "once"), ("party", "colleague")],
            outcome: "unwanted", kinds: [.aggressionAndViolence], routes: ["police", "emergency"], notes: ["no-privilege"]),
        Scenario(
            description: "being left out of every meeting for months",
            answers: [("safety", "safe"), ("harm", "person"), ("behaviour", "bullying"), ("pattern", "ongoing"), ("party", "colleague")],
            outcome: "unwanted", kinds: [.bullying], routes: ["boundary", "talk-trusted"], notes: ["structural"]),
        Scenario(
            description: "a manager who keeps belittling someone — intimidation that has become bullying",
            answers: [
                ("safety", "safe"), ("harm", "person"), ("behaviour", "intimidation"), ("pattern", "repeated"), ("party", "manager"),
            ],
            outcome: "unwanted", kinds: [.intimidation, .bullying], routes: ["contact-counsellor"], notes: ["structural", "manager"]),
        Scenario(
            description: "passed over for promotion because of a headscarf, once",
            answers: [("safety", "safe"), ("harm", "person"), ("behaviour", "discrimination"), ("pattern", "once"), ("party", "manager")],
            outcome: "unwanted", kinds: [.discrimination], routes: ["complaint", "contact-counsellor"], notes: ["manager"]),
        Scenario(
            description: "a client who shouts at a receptionist every week",
            answers: [("safety", "safe"), ("harm", "person"), ("behaviour", "aggression"), ("pattern", "repeated"), ("party", "client")],
            outcome: "unwanted", kinds: [.aggressionAndViolence], routes: ["keep-journal"], notes: ["structural"]),
        Scenario(
            description: "expense claims for trips that never happened",
            answers: [("safety", "crime"), ("harm", "organisation"), ("integrity", "fraud"), ("scope", "wider"), ("senior", "unknown")],
            outcome: "integrity", kinds: [.violation], routes: ["police", "report-internal", "report-external"],
            notes: ["no-privilege", "senior", "protection"]),
        Scenario(
            description: "a tender awarded without the European procedure",
            answers: [("safety", "safe"), ("harm", "organisation"), ("integrity", "eu"), ("scope", "wider"), ("senior", "no")],
            outcome: "integrity", kinds: [.breachOfEULaw], routes: ["report-external"], notes: ["protection"]),
        Scenario(
            description: "a dispute about one's own overtime pay, first framed as fraud",
            answers: [("safety", "safe"), ("harm", "organisation"), ("integrity", "fraud"), ("scope", "own")],
            outcome: "labour-conflict", kinds: [.violation], routes: ["contact-counsellor", "complaint"], notes: ["not-wbk"]),
        Scenario(
            description: "someone who cannot tell yet what is going on",
            answers: [("safety", "safe"), ("harm", "unsure")],
            outcome: "unsure", kinds: [], routes: ["contact-counsellor", "read-unwanted", "read-integrity"], notes: []),
    ]

    @Test("realistic scenarios", arguments: scenarios)
    func scenario(_ scenario: Scenario) throws {
        let result = try Self.walk(Self.guide(), scenario.answers)
        #expect(result.outcomeID == scenario.outcome)
        #expect(result.kinds == scenario.kinds)
        let routes = Set(result.routes.map(\.id))
        for route in scenario.routes { #expect(routes.contains(route), "missing route \(route)") }
        #expect(Set(result.notes.map(\.id)) == Set(scenario.notes))
        if result.outcome.family != nil { #expect(!result.steps.isEmpty, "an action plan") }
    }

    @Test func integrityRoutesNameTheHuisVoorKlokkenluidersAndTheAuthorities() throws {
        let route = try #require(try Self.guide().definition.routes["report-external"])
        for name in ["Huis voor Klokkenluiders", "ACM", "AFM", "ANVS", "AP", "DNB", "IGJ", "NVWA", "NZa"] {
            #expect(route.text.nl.contains(name) && route.text.en.contains(name), "\(name)")
        }
    }
}
