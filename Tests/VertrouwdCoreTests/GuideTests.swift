import Foundation
import Testing

@testable import VertrouwdCore

@Suite("Guide (wegwijzer)")
struct GuideTests {
    static func guide() throws -> Guide {
        let folder = KnowledgeBaseTests.root.appendingPathComponent("Resources/Guide")
        let bodies = try ExternalBody.load(from: folder.appendingPathComponent("external-bodies.json"))
        return Guide(definition: try .load(from: folder.appendingPathComponent("guide.json")).adding(bodies))
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
                Guide.Answer(question: "safety", option: "danger"), Guide.Answer(question: "who", option: "self"),
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
            answers: [
                ("safety", "safe"), ("who", "self"), ("harm", "person"), ("behaviour", "sexual"), ("pattern", "repeated"),
                ("party", "manager"),
            ],
            outcome: "unwanted", kinds: [.sexualHarassment], routes: ["contact-counsellor", "keep-journal", "complaint"],
            notes: ["structural", "manager"]),
        Scenario(
            description: "a colleague accepting gifts from a supplier",
            answers: [
                ("safety", "safe"), ("who", "self"), ("harm", "organisation"), ("integrity", "irregularity"), ("scope", "wider"),
                ("senior", "no"),
            ],
            outcome: "integrity", kinds: [.irregularity], routes: ["report-internal", "report-external"], notes: ["protection"]),
        Scenario(
            description: "a department head hiding a chemical spill",
            answers: [
                ("safety", "safe"), ("who", "self"), ("harm", "organisation"), ("integrity", "society"), ("scope", "wider"),
                ("senior", "yes"),
            ],
            outcome: "integrity", kinds: [.societalWrongdoing], routes: ["report-external", "contact-counsellor"],
            notes: ["senior", "protection"]),
        Scenario(
            description: "being threatened in the car park right now",
            answers: [("safety", "danger")], outcome: "emergency", kinds: [], routes: ["emergency"], notes: []),
        Scenario(
            description: "a colleague who punched someone last week",
            answers: [
                ("safety", "crime"), ("who", "self"), ("harm", "person"), ("behaviour", "aggression"), ("pattern", "once"),
                ("party", "colleague"),
            ],
            outcome: "unwanted", kinds: [.aggressionAndViolence], routes: ["police", "emergency"], notes: ["no-privilege"]),
        Scenario(
            description: "being left out of every meeting for months",
            answers: [
                ("safety", "safe"), ("who", "self"), ("harm", "person"), ("behaviour", "bullying"), ("pattern", "ongoing"),
                ("party", "colleague"),
            ],
            outcome: "unwanted", kinds: [.bullying], routes: ["boundary", "talk-trusted"], notes: ["structural"]),
        Scenario(
            description: "a manager who keeps belittling someone — intimidation that has become bullying",
            answers: [
                ("safety", "safe"), ("who", "self"), ("harm", "person"), ("behaviour", "intimidation"), ("pattern", "repeated"),
                ("party", "manager"),
            ],
            outcome: "unwanted", kinds: [.intimidation, .bullying], routes: ["contact-counsellor"], notes: ["structural", "manager"]),
        Scenario(
            description: "passed over for promotion because of a headscarf, once",
            answers: [
                ("safety", "safe"), ("who", "self"), ("harm", "person"), ("behaviour", "discrimination"), ("pattern", "once"),
                ("party", "manager"),
            ],
            outcome: "unwanted", kinds: [.discrimination], routes: ["complaint", "contact-counsellor"], notes: ["manager"]),
        Scenario(
            description: "a client who shouts at a receptionist every week",
            answers: [
                ("safety", "safe"), ("who", "self"), ("harm", "person"), ("behaviour", "aggression"), ("pattern", "repeated"),
                ("party", "client"),
            ],
            outcome: "unwanted", kinds: [.aggressionAndViolence], routes: ["keep-journal"], notes: ["structural"]),
        Scenario(
            description: "expense claims for trips that never happened",
            answers: [
                ("safety", "crime"), ("who", "self"), ("harm", "organisation"), ("integrity", "fraud"), ("scope", "wider"),
                ("senior", "unknown"),
            ],
            outcome: "integrity", kinds: [.violation], routes: ["police", "report-internal", "report-external"],
            notes: ["no-privilege", "senior", "protection"]),
        Scenario(
            description: "a tender awarded without the European procedure",
            answers: [
                ("safety", "safe"), ("who", "self"), ("harm", "organisation"), ("integrity", "eu"), ("scope", "wider"), ("senior", "no"),
            ],
            outcome: "integrity", kinds: [.breachOfEULaw], routes: ["report-external"], notes: ["protection"]),
        Scenario(
            description: "a dispute about one's own overtime pay, first framed as fraud",
            answers: [("safety", "safe"), ("who", "self"), ("harm", "organisation"), ("integrity", "fraud"), ("scope", "own")],
            outcome: "labour-conflict", kinds: [.violation], routes: ["contact-counsellor", "complaint"], notes: ["not-wbk"]),
        Scenario(
            description: "someone who cannot tell yet what is going on",
            answers: [("safety", "safe"), ("who", "self"), ("harm", "unsure")],
            outcome: "unsure", kinds: [], routes: ["contact-counsellor", "read-unwanted", "read-integrity"], notes: []),
        Scenario(
            description: "a bystander who sees a colleague mocked for his accent",
            answers: [("safety", "safe"), ("who", "witness"), ("witness", "unwanted")],
            outcome: "bystander", kinds: [], routes: ["read-bystanders", "contact-counsellor"], notes: []),
        Scenario(
            description: "a bystander who sees a colleague pocket cash from the till",
            answers: [
                ("safety", "safe"), ("who", "witness"), ("witness", "integrity"), ("integrity", "fraud"), ("scope", "wider"),
                ("senior", "no"),
            ],
            outcome: "integrity", kinds: [.violation], routes: ["body:huis-klokkenluiders-advies", "report-internal"], notes: ["protection"]
        ),
        Scenario(
            description: "a team leader to whom an employee just confided",
            answers: [("safety", "safe"), ("who", "manager")],
            outcome: "manager", kinds: [], routes: ["read-managers", "contact-counsellor", "body:bedrijfsarts"], notes: []),
        Scenario(
            description: "someone who fears their jokes crossed a line",
            answers: [("safety", "safe"), ("who", "own")],
            outcome: "own-behaviour", kinds: [], routes: ["contact-counsellor", "body:juridisch-loket"], notes: []),
        Scenario(
            description: "someone unsure who it is about, who then describes being bullied",
            answers: [
                ("safety", "safe"), ("who", "unsure"), ("harm", "person"), ("behaviour", "bullying"), ("pattern", "ongoing"),
                ("party", "colleague"),
            ],
            outcome: "unwanted", kinds: [.bullying], routes: ["body:arbeidsinspectie", "body:bedrijfsarts"], notes: ["structural"]),
        Scenario(
            description: "remarks about someone's skin colour: the College and the anti-discrimination service beside the counsellor",
            answers: [
                ("safety", "safe"), ("who", "self"), ("harm", "person"), ("behaviour", "discrimination"), ("pattern", "repeated"),
                ("party", "colleague"),
            ],
            outcome: "unwanted", kinds: [.discrimination],
            routes: ["contact-counsellor", "body:college-rechten-mens", "body:antidiscriminatie", "body:arbeidsinspectie"],
            notes: ["structural"]),
        Scenario(
            description: "a sexual assault at the staff party",
            answers: [
                ("safety", "crime"), ("who", "self"), ("harm", "person"), ("behaviour", "sexual"), ("pattern", "once"),
                ("party", "colleague"),
            ],
            outcome: "unwanted", kinds: [.sexualHarassment], routes: ["body:centrum-seksueel-geweld", "body:politie", "police"],
            notes: ["no-privilege"]),
        Scenario(
            description: "a hospital that bills treatments it never gave, under EU procurement rules",
            answers: [
                ("safety", "safe"), ("who", "self"), ("harm", "organisation"), ("integrity", "eu"), ("scope", "wider"), ("senior", "no"),
            ],
            outcome: "integrity", kinds: [.breachOfEULaw],
            routes: [
                "body:acm", "body:afm", "body:anvs", "body:ap", "body:dnb", "body:igj", "body:nvwa", "body:nza",
                "body:huis-klokkenluiders-onderzoek",
            ],
            notes: ["protection"]),
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

    @Test func aBystanderAManagerAndSomeoneWorriedAboutThemselvesEachGetTheirOwnOutcome() throws {
        let guide = try Self.guide()
        let person = try Self.walk(
            guide,
            [
                ("safety", "safe"), ("who", "self"), ("harm", "person"), ("behaviour", "bullying"), ("pattern", "once"),
                ("party", "colleague"),
            ])
        let others = try [
            Self.walk(guide, [("safety", "safe"), ("who", "witness"), ("witness", "unwanted")]),
            Self.walk(guide, [("safety", "safe"), ("who", "manager")]),
            Self.walk(guide, [("safety", "safe"), ("who", "own")]),
        ]
        var seen = Set([person.steps.map(\.id)])
        for result in others {
            #expect(!result.steps.isEmpty, "\(result.outcomeID) has an action plan")
            #expect(seen.insert(result.steps.map(\.id)).inserted, "\(result.outcomeID)'s plan is another's")
            #expect(result.outcome.title.nl != person.outcome.title.nl && result.outcome.text.en != person.outcome.text.en)
            #expect(result.routes.contains { $0.id == "contact-counsellor" }, "a counsellor is for \(result.outcomeID) too")
        }
        // The guide asks who it is for right after safety, on every path but the emergency one.
        for path in guide.allPaths() where path.first?.option != "danger" { #expect(path.dropFirst().first?.question == "who") }
    }

    @Test func everyExternalBodyIsDatedWithinAYearCompleteAndUsedByTheGuide() throws {
        let folder = KnowledgeBaseTests.root.appendingPathComponent("Resources/Guide")
        let bodies = try ExternalBody.load(from: folder.appendingPathComponent("external-bodies.json"))
        let definition = try Self.guide().definition
        let used = Set(definition.outcomes.values.flatMap(\.routes) + definition.rules.flatMap { $0.addRoutes ?? [] })
        let base = try KnowledgeBaseTests.load()
        #expect(Set(bodies.map(\.id)).count == bodies.count)
        let yearAgo = try #require(FormalReportDeadlines.calendar.date(byAdding: .year, value: -1, to: Date()))
        for body in bodies {
            #expect(used.contains("body:\(body.id)"), "\(body.id) is in the register but no guide outcome or rule uses it")
            let checked = try #require(body.checkedDate, "\(body.id) has no date it was checked")
            #expect(checked >= yearAgo, "\(body.id) was last checked on \(body.checked), more than a year ago: check it again")
            for text in [body.name, body.text, body.reach] {
                #expect(!text.nl.isEmpty && !text.en.isEmpty && text.nl != text.en || body.id == "dnb")
            }
            if let phone = body.phone {
                #expect(phone.wholeMatch(of: /(112|113|0[0-9]{3}-[0-9]{4}|0[0-9]{3}-[0-9]{3} [0-9]{3})/) != nil, "\(body.id): \(phone)")
                #expect(body.reach.nl.contains(phone) || body.link == "tel:\(phone)" || body.text.nl.contains(phone))
            }
            if body.link.hasPrefix("article:") {
                #expect(base.article(String(body.link.dropFirst(8)), in: .dutch) != nil, "\(body.link)")
            } else {
                #expect(body.link.hasPrefix("https://") || body.link.hasPrefix("tel:"), "\(body.id): \(body.link)")
            }
        }
        for id in [
            "politie", "zelfmoordpreventie", "centrum-seksueel-geweld", "college-rechten-mens", "antidiscriminatie",
            "huis-klokkenluiders-advies", "huis-klokkenluiders-onderzoek", "acm", "afm", "anvs", "ap", "dnb", "igj", "nvwa", "nza",
            "arbeidsinspectie", "juridisch-loket", "bedrijfsarts", "vakbond",
        ] {
            #expect(bodies.contains { $0.id == id }, "\(id) is missing from the register")
        }
        // Every route the guide names exists, the register's among them.
        for route in used { #expect(definition.routes[route] != nil, "\(route)") }
    }
}
