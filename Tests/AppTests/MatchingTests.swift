import Fluent
import Foundation
import Testing
import Vapor
import VertrouwdCore

@testable import App

/// Two people who name the same person: their counsellors see that another case does, never which;
/// the people choose, and nothing moves until both have (issue 11).
@Suite("Together, with consent: cases that name the same person")
struct MatchingTests {
    struct World {
        let anna: Fixtures.Staff
        let mehmet: Fixtures.Staff
    }

    func world(_ app: Application) async throws -> World {
        let acme = try await Fixtures.organisation(app)
        return World(
            anna: try await Fixtures.staff(app, role: .counsellor, email: "anna@acme.example", name: "Anna de Vries", serving: acme),
            mehmet: try await Fixtures.staff(app, role: .counsellor, email: "mehmet@acme.example", name: "Mehmet Yilmaz", serving: acme))
    }

    /// An anonymous contact through the real form, naming someone; returns the receipt.
    static func contact(
        _ app: Application, slug: String = "acme", to counsellor: Fixtures.Staff, message: String, party: [(String, String)],
        from client: String
    ) async throws -> String {
        try await Fixtures.contact(app, slug: slug, to: counsellor, message: message, extra: party, from: client)
    }

    static func inbox(_ app: Application, _ receipt: String, slug: String = "acme") async throws -> (TestBrowser, TestBrowser.Page) {
        let browser = TestBrowser(app)
        let login = try await browser.get("/o/\(slug)/inbox")
        return (browser, try await browser.post("/o/\(slug)/inbox", [("receipt", receipt), ("action", "open")], csrf: login.csrf))
    }

    static func choose(_ app: Application, _ receipt: String, _ choice: String) async throws -> TestBrowser.Page {
        let (browser, page) = try await inbox(app, receipt)
        return try await browser.post(
            "/o/acme/inbox", [("receipt", receipt), ("action", "match"), ("match_choice", choice)], csrf: page.csrf)
    }

    @Test func twoPeopleNamingOneManagerAreToldAndNothingMovesUntilBothAgree() async throws {
        try await withTestApp(adjust: { $0.trustProxy = true }) { app, clock in
            let world = try await world(app)
            let catalog = app.vertrouwd.catalog
            func text(_ key: String, _ arguments: [String] = []) -> String {
                catalog.text(key, in: .dutch, arguments).replacingOccurrences(of: "'", with: "&#39;")
            }
            let first = try await Self.contact(
                app, to: world.anna, message: "Hij kleineert me in elk overleg", party: [("party_name", "Jan de Vries")], from: "10.0.0.1")
            let second = try await Self.contact(
                app, to: world.mehmet, message: "Hij maakt opmerkingen over mijn afkomst",
                party: [("party_name", "Vries, J. de"), ("party_email", "j.devries@acme.example")], from: "10.0.0.2")
            #expect(try await PartyMatch.query(on: app.db).count() == 1)

            let annas = TestBrowser(app)
            try await annas.logIn(world.anna, at: clock.now)
            let annaCase = try #require(try await annas.get("/backoffice").firstCasePath)
            let mehmets = TestBrowser(app)
            try await mehmets.logIn(world.mehmet, at: clock.now)
            let mehmetCase = try #require(try await mehmets.get("/backoffice").firstCasePath)
            /// The match section of each counsellor's case page (the rest of the page lists the
            /// organisation's counsellors anyway, for sharing).
            func pages() async throws -> (String, String) {
                func section(_ body: String) -> String {
                    guard let start = body.range(of: #"id="matches""#) else { return "" }
                    let rest = body[start.lowerBound...]
                    return String(rest[..<(rest.range(of: "</section>")?.lowerBound ?? rest.endIndex)])
                }
                return (section(try await annas.get(annaCase).body), section(try await mehmets.get(mehmetCase).body))
            }
            var (annaPage, mehmetPage) = try await pages()
            let reference = try #require(annaPage.firstMatch(of: /Kenmerk ([0-9A-F]{8})/)?.1)
            #expect(mehmetPage.contains("Kenmerk \(reference)"), "both counsellors see the same reference")
            #expect(annaPage.contains(text("match.case.title")))
            // Never the other case: not its message, not whom it names, not its counsellor.
            for (path, browser, other) in [
                (annaCase, annas, ["afkomst", "j.devries", "Vries, J. de"]), (mehmetCase, mehmets, ["kleineert", "Jan de Vries"]),
            ] {
                let whole = try await browser.get(path).body
                for secret in other { #expect(!whole.contains(secret), "\(secret)") }
            }
            #expect(!annaPage.contains("Mehmet") && !mehmetPage.contains("Anna"))

            // Nobody is told until both counsellors confirm: a case made up to find out whether someone
            // was named learns nothing from the inbox.
            #expect(annaPage.contains(text("match.link.unconfirmed")) && annaPage.contains(text("match.kind.initial")))
            #expect(!(try await Self.inbox(app, first).1.body.contains(text("match.title"))))
            let annaForm = try await annas.get(annaCase)
            let matchID = try #require(annaForm.firstMatch(#"name="match" value="([0-9A-F-]+)""#))
            try await annas.post("\(annaCase)/match", [("match", matchID)], csrf: annaForm.csrf)
            #expect(!(try await Self.inbox(app, first).1.body.contains(text("match.title"))), "one confirmation tells nobody")
            #expect(!(try await Self.inbox(app, second).1.body.contains(text("match.title"))))
            let refusedEarly = try await Self.choose(app, second, "talk")
            #expect(refusedEarly.status == .conflict, "nothing to choose about before both confirmed")
            let mehmetForm = try await mehmets.get(mehmetCase)
            try await mehmets.post("\(mehmetCase)/match", [("match", matchID)], csrf: mehmetForm.csrf)
            (annaPage, mehmetPage) = try await pages()
            #expect(annaPage.contains(text("match.link.waiting")))

            // Both people are asked; one agreeing moves nothing.
            let (_, firstInbox) = try await Self.inbox(app, first)
            #expect(firstInbox.body.contains(text("match.title")) && firstInbox.body.contains(text("match.state.needs")))
            #expect(!firstInbox.body.contains("afkomst"))
            let chosen = try await Self.choose(app, first, "talk")
            #expect(chosen.body.contains(text("match.state.waiting")))
            (annaPage, mehmetPage) = try await pages()
            #expect(!annaPage.contains("Mehmet") && !mehmetPage.contains("Anna de Vries"), "one side alone links nothing")

            // The second agrees too (to more): the counsellors may now talk, and see each other's names.
            let both = try await Self.choose(app, second, "together")
            #expect(both.body.contains(text("match.state.talking")))
            (annaPage, mehmetPage) = try await pages()
            #expect(annaPage.contains(text("match.link.talk")) && annaPage.contains(text("match.case.talk_with", ["Mehmet Yilmaz"])))
            #expect(mehmetPage.contains(text("match.case.talk_with", ["Anna de Vries"])))
            let annaWhole = try await annas.get(annaCase).body
            #expect(!annaWhole.contains("afkomst"), "talking is allowed; content still is not shared")
            #expect(annaWhole.contains(text("consent.event.match-talk")), "the choice is in the case's consent log")

            // Withdrawing stops it at once.
            _ = try await Self.choose(app, first, "separate")
            (annaPage, mehmetPage) = try await pages()
            #expect(annaPage.contains(text("match.link.separate")) && !annaPage.contains("Mehmet"))
            #expect(!mehmetPage.contains("Anna de Vries"))

            // A wrong choice is explained, and changes nothing.
            let (browser, page) = try await Self.inbox(app, first)
            let refused = try await browser.post(
                "/o/acme/inbox", [("receipt", first), ("action", "match"), ("match_choice", "undecided")], csrf: page.csrf)
            #expect(refused.status == .unprocessableEntity && refused.body.contains(text("match.error.choice")))
            #expect(try await PartyMatch.query(on: app.db).first()?.consent.link == .separate)
            try await expectQueueInStep(app)
        }
    }

    @Test func casesOfOnePersonOrOfTwoOrganisationsNeverMatch() async throws {
        try await withTestApp(adjust: { $0.trustProxy = true }) { app, clock in
            let world = try await world(app)
            let other = try await Fixtures.organisation(app, slug: "beta", name: "Beta BV")
            let bea = try await Fixtures.staff(app, role: .counsellor, email: "bea@beta.example", serving: other)
            _ = try await Self.contact(
                app, to: world.anna, message: "Over mijn chef", party: [("party_name", "Jan de Vries")], from: "10.0.0.1")
            _ = try await Self.contact(
                app, slug: "beta", to: bea, message: "Ook over een chef", party: [("party_name", "Jan de Vries")], from: "10.0.0.2")
            #expect(try await PartyMatch.query(on: app.db).count() == 0, "the same name in another organisation is another key")

            // One person, with their journal open, sends two cases about him and shares the journal
            // with both: they are that person's two cases, not two people's.
            let person = TestBrowser(app)
            person.forwardedFor = "10.0.0.3"
            _ = try await JournalFlowTests().start(person)
            for message in ["Eerste melding", "Tweede melding"] {
                let form = try await person.get("/o/acme/contact")
                let submission = try #require(form.submissionToken)
                let sent = try await person.post(
                    "/o/acme/contact",
                    [
                        ("counsellor", try world.mehmet.account.requireID().uuidString), ("message", message), ("identity", "anonymous"),
                        ("channel", "messages"), ("submission", submission), ("share_journal", "on"), ("party_name", "J. de Vries"),
                    ], csrf: form.csrf)
                #expect(sent.receiptCode != nil)
            }
            let matches = try await PartyMatch.query(on: app.db).all()
            #expect(matches.count == 2, "each of the person's cases matches the first person's case, not each other")
            let personCases = Set(try await CasePersonMark.query(on: app.db).all().map(\.caseID))
            #expect(personCases.count == 2)
            #expect(!matches.contains { personCases.contains($0.firstCaseID) && personCases.contains($0.secondCaseID) })
            _ = clock
        }
    }

    @Test func aWithdrawnCaseStopsSharingAndTakesNoNewMatches() async throws {
        try await withTestApp(adjust: { $0.trustProxy = true }) { app, _ in
            let world = try await world(app)
            let first = try await Self.contact(
                app, to: world.anna, message: "Een", party: [("party_name", "Jan de Vries")], from: "10.0.0.1")
            let second = try await Self.contact(
                app, to: world.mehmet, message: "Twee", party: [("party_name", "Jan de Vries")], from: "10.0.0.2")
            let match = try #require(try await PartyMatch.query(on: app.db).first())
            match.firstConfirmedAt = Date()
            match.secondConfirmedAt = Date()
            try await match.save(on: app.db)
            _ = try await Self.choose(app, first, "talk")
            _ = try await Self.choose(app, second, "talk")
            #expect(try await PartyMatch.query(on: app.db).first()?.consent.link == .talk)
            let (browser, page) = try await Self.inbox(app, first)
            let withdrawn = try await browser.post(
                "/o/acme/inbox", [("receipt", first), ("action", "withdraw"), ("confirm", "on")], csrf: page.csrf)
            #expect(withdrawn.status == .ok)
            #expect(try await PartyMatch.query(on: app.db).first()?.consent.link == .separate, "withdrawing the case withdraws the choice")
            #expect(try await Self.choose(app, first, "together").status == .conflict, "a withdrawn case takes no new choice")
            _ = try await Self.contact(app, to: world.mehmet, message: "Drie", party: [("party_name", "Jan de Vries")], from: "10.0.0.3")
            #expect(try await PartyMatch.query(on: app.db).count() == 2, "the new case matches the live case only")
            try await expectQueueInStep(app)
        }
    }

    @Test func namingLaterInTheInboxIsCheckedAndMatchedLikeOnTheForm() async throws {
        try await withTestApp(adjust: { $0.trustProxy = true }) { app, _ in
            let world = try await world(app)
            let first = try await Self.contact(app, to: world.anna, message: "Eerste", party: [], from: "10.0.0.1")
            _ = try await Self.contact(
                app, to: world.mehmet, message: "Tweede", party: [("party_role", "Teamleider"), ("party_team", "Logistiek")],
                from: "10.0.0.2")
            #expect(try await PartyMatch.query(on: app.db).count() == 0)
            let (browser, page) = try await Self.inbox(app, first)
            let bad = try await browser.post(
                "/o/acme/inbox", [("receipt", first), ("action", "party"), ("party_email", "geen adres")], csrf: page.csrf)
            #expect(bad.status == .unprocessableEntity && bad.body.contains(#"value="geen adres""#), "the typed text comes back")
            let empty = try await browser.post("/o/acme/inbox", [("receipt", first), ("action", "party")], csrf: page.csrf)
            #expect(empty.status == .unprocessableEntity)
            #expect(try await NamedPartyDigest.query(on: app.db).count() == 1, "nothing stored from refused forms")
            let named = try await browser.post(
                "/o/acme/inbox", [("receipt", first), ("action", "party"), ("party_role", "teamleider"), ("party_team", "LOGISTIEK ")],
                csrf: page.csrf)
            #expect(
                named.status == .ok && !named.body.contains(app.vertrouwd.catalog.text("match.title", in: .dutch)),
                "not before both confirm")
            #expect(try await PartyMatch.query(on: app.db).count() == 1)
            #expect(try await PartyMatch.query(on: app.db).first()?.matchedKind == "role")
            // One named party per case: a second one is refused, so an inbox cannot try names one after another.
            let again = try await browser.post(
                "/o/acme/inbox", [("receipt", first), ("action", "party"), ("party_name", "Piet Bakker")], csrf: page.csrf)
            #expect(again.status == .unprocessableEntity)
            #expect(
                again.body.contains(
                    app.vertrouwd.catalog.text("party.error.already", in: .dutch).replacingOccurrences(of: "'", with: "&#39;")))
            // Two cases stored at the same moment miss each other's digests; the next look finds the match.
            try await PartyMatch.query(on: app.db).delete()
            _ = try await Self.inbox(app, first)
            #expect(try await PartyMatch.query(on: app.db).count() == 1)
            _ = try await Self.inbox(app, first)
            #expect(try await PartyMatch.query(on: app.db).count() == 1, "found once")
        }
    }

    @Test func theDashboardSignalsALocationWithThreeCasesInSixMonths() async throws {
        try await withTestApp(adjust: { $0.trustProxy = true }) { app, clock in
            let world = try await world(app)
            let acme = try #require(try await Organisation.query(on: app.db).first())
            acme.locations = "Magazijn\nKantoor"
            try await acme.save(on: app.db)
            let annas = TestBrowser(app)
            try await annas.logIn(world.anna, at: clock.now)
            let title = app.vertrouwd.catalog.text("signals.title", in: .dutch)
            for number in 0..<4 {
                _ = try await Self.contact(app, to: world.anna, message: "Zaak \(number)", party: [], from: "10.0.1.\(number)")
            }
            let dashboard = try await annas.get("/backoffice")
            let paths = Array(Set(dashboard.body.matches(of: /href="(\/backoffice\/cases\/[0-9A-F-]+)"/).map { String($0.1) }))
            #expect(paths.count == 4)
            for (index, path) in paths.enumerated() {
                if index < 3 { #expect(!(try await annas.get("/backoffice").body.contains(title)), "no signal below three") }
                let page = try await annas.get(path)
                let registered = try await annas.post(
                    "\(path)/registration",
                    [
                        ("kinds[]", "pesten"), ("other_party", "collega"), ("pattern", "herhaald"), ("outcomes[]", "advies"),
                        ("contacts", "1"),
                        ("hours", "1"), ("location", index < 3 ? "Magazijn" : "Kantoor"),
                    ], csrf: page.csrf)
                #expect(registered.status == .seeOther, "\(registered.status)")
            }
            let signalled = try await annas.get("/backoffice").body
            #expect(signalled.contains(title))
            #expect(signalled.contains(app.vertrouwd.catalog.text("signals.item", in: .dutch, ["Acme Zorg", "Magazijn", "3"])))
            #expect(!signalled.contains("Kantoor:"), "one case is no signal")
            // A counsellor of another organisation sees nothing of it.
            let beta = try await Fixtures.organisation(app, slug: "beta", name: "Beta BV")
            let bea = try await Fixtures.staff(app, role: .counsellor, email: "bea@beta.example", serving: beta)
            let beas = TestBrowser(app)
            try await beas.logIn(bea, at: clock.now)
            #expect(!(try await beas.get("/backoffice").body.contains(title)))
            clock.advance(by: 200 * 86_400)
            clock.advance(by: 60)
            try await annas.logIn(world.anna, at: clock.now)
            #expect(!(try await annas.get("/backoffice").body.contains(title)), "older than six months: no signal")
        }
    }

    @Test func destroyingACaseTakesItsDigestsMarksAndMatchesAlong() async throws {
        try await withTestApp(adjust: { $0.trustProxy = true }) { app, _ in
            let world = try await world(app)
            _ = try await Self.contact(app, to: world.anna, message: "Een", party: [("party_name", "Jan de Vries")], from: "10.0.0.1")
            _ = try await Self.contact(app, to: world.mehmet, message: "Twee", party: [("party_name", "Jan de Vries")], from: "10.0.0.2")
            #expect(try await PartyMatch.query(on: app.db).count() == 1)
            let caseID = try #require(try await NamedPartyDigest.query(on: app.db).first()?.caseID)
            try await CasePersonMark(
                organisationID: try #require(try await Organisation.query(on: app.db).first()?.id), caseID: caseID, digest: "x"
            )
            .create(on: app.db)
            let purger = CasePurger(services: app.vertrouwd, db: app.db, logger: app.logger)
            #expect(try await purger.destroy(caseID, action: .casePurge, actor: .system) { _, _ in true })
            #expect(try await NamedPartyDigest.query(on: app.db).filter(\.$caseID == caseID).count() == 0)
            #expect(try await CasePersonMark.query(on: app.db).count() == 0)
            #expect(try await PartyMatch.query(on: app.db).count() == 0)
            #expect(try await NamedPartyDigest.query(on: app.db).count() == 2, "the other case keeps its own")
            try await expectQueueInStep(app)
        }
    }
}
