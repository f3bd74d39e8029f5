import Fluent
import Foundation
import Testing
import Vapor
import VaporTesting
import VertrouwdCore

@testable import App

@Suite("Contact, receipt, inbox and the counsellor's reply")
struct ContactTests {
    struct Setup {
        let anna: Fixtures.Staff
        let bram: Fixtures.Staff
    }

    func setUp(_ app: Application) async throws -> Setup {
        let organisation = try await Fixtures.organisation(app)
        return Setup(
            anna: try await Fixtures.staff(app, role: .counsellor, email: "anna@acme.example", name: "Anna", serving: organisation),
            bram: try await Fixtures.staff(
                app, role: .counsellor, email: "bram@acme.example", name: "Bram", serving: organisation, kind: .external))
    }

    /// Fills in and sends the contact form; returns the receipt page.
    func send(
        _ browser: TestBrowser, to counsellor: Fixtures.Staff, message: String, identity: String = "anonymous", name: String = ""
    ) async throws
        -> TestBrowser.Page
    {
        let form = try await browser.get("/o/acme/contact")
        let submission = try #require(form.submissionToken)
        return try await browser.post(
            "/o/acme/contact",
            [
                ("counsellor", try counsellor.account.requireID().uuidString), ("message", message), ("identity", identity), ("name", name),
                ("channel", "messages"), ("kinds[]", "pesten"), ("submission", submission),
            ], csrf: form.csrf)
    }

    @Test func anAnonymousContactGetsAReceiptAndAReplyFromTheChosenCounsellor() async throws {
        try await withTestApp { app, clock in
            let setup = try await setUp(app)
            let person = TestBrowser(app)
            let receiptPage = try await send(
                person, to: setup.anna, message: "Mijn teamleider maakt steeds opmerkingen over mijn lichaam. 😔 שלום")
            #expect(receiptPage.dataPage == "receipt")
            let code = try #require(receiptPage.receiptCode)
            let receipt = try #require(Receipt(typed: code))
            #expect(try await CaseRecord.query(on: app.db).count() == 1)

            // The code can be kept as a small file; it comes back from a POST, never from a link.
            let card = try await person.post("/o/acme/code", [("receipt", code)], csrf: receiptPage.csrf)
            #expect(card.headers.first(name: .contentDisposition)?.contains("attachment") == true)
            #expect(card.body.contains(code) && card.body.contains("/o/acme/inbox"))
            #expect(try await person.post("/o/acme/code", [("receipt", "geen code")], csrf: receiptPage.csrf).status == .notFound)

            // Leaving the receipt page needs a confirmation.
            let unconfirmed = try await person.post(
                "/o/acme/inbox", [("receipt", code), ("action", "saved"), ("last_group", "XXXXXX")], csrf: receiptPage.csrf)
            #expect(unconfirmed.status == .unprocessableEntity)
            #expect(unconfirmed.body.contains(code), "the code is shown again, not lost")
            let lastGroup = String(code.split(separator: "-").last!)
            let inbox = try await person.post(
                "/o/acme/inbox", [("receipt", code), ("action", "saved"), ("last_group", lastGroup.lowercased())], csrf: receiptPage.csrf)
            #expect(inbox.dataPage == "inbox")
            #expect(inbox.body.contains("Mijn teamleider maakt steeds opmerkingen"))
            #expect(inbox.body.contains("😔 שלום"))

            // The chosen counsellor sees and answers it; the other counsellor cannot open it.
            let annas = TestBrowser(app)
            try await annas.logIn(setup.anna, at: clock.now)
            let dashboard = try await annas.get("/backoffice")
            let casePath = try #require(dashboard.firstCasePath)
            let casePage = try await annas.get(casePath)
            #expect(casePage.body.contains("Mijn teamleider maakt steeds opmerkingen"))
            #expect(!casePage.body.contains(#"id="identity-name""#), "an anonymous person gave no name")
            let replied = try await annas.post(
                "\(casePath)/reply", [("message", "Dank je voor je bericht. Wil je bellen of schrijven?")], csrf: casePage.csrf)
            #expect(replied.location == casePath)
            let brams = TestBrowser(app)
            clock.advance(by: 30)
            try await brams.logIn(setup.bram, at: clock.now)
            #expect(try await brams.get(casePath).status == .notFound)
            #expect(
                try await brams.post("\(casePath)/reply", [("message", "x")], csrf: try await brams.get("/backoffice").csrf).status
                    == .notFound)
            #expect(!(try await brams.get("/backoffice").body.contains(casePath)))

            // The person reads the reply and answers, with the code only.
            let later = TestBrowser(app)
            let login = try await later.get("/o/acme/inbox")
            let opened = try await later.post(
                "/o/acme/inbox", [("receipt", receipt.description.lowercased()), ("action", "open")], csrf: login.csrf)
            #expect(opened.body.contains("Wil je bellen of schrijven?"))
            #expect(opened.body.contains(app.vertrouwd.catalog.text("case.status.in-conversation", in: .dutch)))
            let answered = try await later.post(
                "/o/acme/inbox", [("receipt", receipt.description), ("action", "reply"), ("message", "Schrijven graag.")], csrf: opened.csrf
            )
            #expect(answered.body.contains("Schrijven graag."))
            #expect(try await annas.get(casePath).body.contains("Schrijven graag."))
            for page in [receiptPage, inbox, opened, answered] { #expect(page.location == nil) }
        }
    }

    @Test func aConfidentialContactShowsTheNameOnlyToTheCounsellor() async throws {
        try await withTestApp { app, clock in
            let setup = try await setUp(app)
            let person = TestBrowser(app)
            let receiptPage = try await send(
                person, to: setup.bram, message: "Ik zag een collega geld uit de kas nemen.", identity: "confidential",
                name: "Fatima Bakker")
            #expect(receiptPage.dataPage == "receipt")
            let brams = TestBrowser(app)
            try await brams.logIn(setup.bram, at: clock.now)
            let casePath = try #require(try await brams.get("/backoffice").firstCasePath)
            let page = try await brams.get(casePath)
            #expect(page.firstMatch(#"id="identity-name">([^<]+)<"#) == "Fatima Bakker")
            let dump = try await PlaintextScanTests.storedBytes(app).flatMap(\.1)
            #expect(!PlaintextScanTests.contains(dump, Array("Fatima Bakker".utf8)), "the name is stored encrypted")
            #expect(!PlaintextScanTests.contains(dump, Array("geld uit de kas".utf8)), "the message is stored encrypted")
            #expect(!TestLogs.all.contains { $0.contains("Fatima") || $0.contains("geld uit de kas") })
        }
    }

    @Test func badInputGetsMessagesAndStoresNothing() async throws {
        try await withTestApp { app, _ in
            let setup = try await setUp(app)
            let browser = TestBrowser(app)
            let form = try await browser.get("/o/acme/contact")
            let submission = try #require(form.submissionToken)
            let cases: [[(String, String)]] = [
                [("message", "Hallo"), ("identity", "anonymous"), ("channel", "messages")],
                [
                    ("counsellor", try setup.anna.account.requireID().uuidString), ("message", "   "), ("identity", "anonymous"),
                    ("channel", "messages"),
                ],
                [
                    ("counsellor", try setup.anna.account.requireID().uuidString), ("message", "Hallo"), ("identity", "confidential"),
                    ("channel", "messages"),
                ],
                [("counsellor", UUID().uuidString), ("message", "Hallo"), ("identity", "anonymous"), ("channel", "messages")],
                [
                    ("counsellor", try setup.anna.account.requireID().uuidString), ("message", String(repeating: "a", count: 200_000)),
                    ("identity", "anonymous"), ("channel", "messages"),
                ],
                [
                    ("counsellor", try setup.anna.account.requireID().uuidString), ("message", "Hallo"), ("identity", "secret"),
                    ("channel", "pigeon"),
                ],
            ]
            for fields in cases {
                let page = try await browser.post("/o/acme/contact", fields + [("submission", submission)], csrf: form.csrf)
                #expect(page.status == .unprocessableEntity, "\(fields.map(\.0))")
                #expect(page.body.contains("error-summary"))
            }
            let broken = try await browser.postRaw(
                "/o/acme/contact", bytes: Array("csrf=\(form.csrf ?? "")&message=%FF%FE".utf8),
                contentType: "application/x-www-form-urlencoded")
            #expect(broken.status.code < 500)
            #expect(try await CaseRecord.query(on: app.db).count() == 0)
            // What was typed stays in the form after an error.
            let kept = try await browser.post(
                "/o/acme/contact",
                [("message", "Mijn tekst blijft staan"), ("identity", "anonymous"), ("channel", "messages"), ("submission", submission)],
                csrf: form.csrf)
            #expect(kept.body.contains("Mijn tekst blijft staan"))
        }
    }

    @Test func theSameFormPostedTwiceMakesOneCase() async throws {
        try await withTestApp { app, _ in
            let setup = try await setUp(app)
            let browser = TestBrowser(app)
            let form = try await browser.get("/o/acme/contact")
            let submission = try #require(form.submissionToken)
            let fields = [
                ("counsellor", try setup.anna.account.requireID().uuidString), ("message", "Twee keer getikt"), ("identity", "anonymous"),
                ("channel", "messages"), ("submission", submission),
            ]
            let first = try await browser.post("/o/acme/contact", fields, csrf: form.csrf)
            let second = try await browser.post("/o/acme/contact", fields, csrf: form.csrf)
            #expect(first.dataPage == "receipt")
            #expect(second.location == "/o/acme/inbox")
            #expect(try await CaseRecord.query(on: app.db).count() == 1)
        }
    }

    @Test func aWrongOrForeignReceiptOpensNothing() async throws {
        try await withTestApp { app, _ in
            let setup = try await setUp(app)
            let receiptPage = try await send(TestBrowser(app), to: setup.anna, message: "Alleen voor Acme")
            let code = try #require(receiptPage.receiptCode)
            _ = try await Fixtures.organisation(app, slug: "ander", name: "Ander")
            let browser = TestBrowser(app)
            let login = try await browser.get("/o/ander/inbox")
            #expect(
                try await browser.post("/o/ander/inbox", [("receipt", code), ("action", "open")], csrf: login.csrf).status == .notFound)
            var typo = Array(code)
            typo[0] = typo[0] == "A" ? "B" : "A"
            let mistyped = try await browser.post("/o/acme/inbox", [("receipt", String(typo)), ("action", "open")], csrf: login.csrf)
            #expect(mistyped.status == .unprocessableEntity)
            #expect(mistyped.body.contains(app.vertrouwd.catalog.text("inbox.error.malformed", in: .dutch)))
            #expect(
                try await browser.post(
                    "/o/acme/inbox", [("receipt", Receipt.generate().description), ("action", "open")], csrf: login.csrf
                ).status == .notFound)
        }
    }

    @Test func aPersonCanGiveTheirNameLaterAndWithdraw() async throws {
        try await withTestApp { app, clock in
            let setup = try await setUp(app)
            let receiptPage = try await send(TestBrowser(app), to: setup.anna, message: "Eerst anoniem")
            let code = try #require(receiptPage.receiptCode)
            let person = TestBrowser(app)
            let login = try await person.get("/o/acme/inbox")
            let inbox = try await person.post("/o/acme/inbox", [("receipt", code), ("action", "open")], csrf: login.csrf)
            #expect(inbox.body.contains(#"id="inbox-reveal""#))
            let revealed = try await person.post(
                "/o/acme/inbox", [("receipt", code), ("action", "reveal"), ("name", "Sanne de Wit"), ("contact", "06 1234 5678")],
                csrf: inbox.csrf)
            #expect(revealed.body.contains(app.vertrouwd.catalog.text("inbox.notice.revealed", in: .dutch)))
            #expect(!revealed.body.contains(#"id="inbox-reveal""#), "no longer anonymous")

            let annas = TestBrowser(app)
            try await annas.logIn(setup.anna, at: clock.now)
            let casePath = try #require(try await annas.get("/backoffice").firstCasePath)
            #expect(try await annas.get(casePath).firstMatch(#"id="identity-name">([^<]+)<"#) == "Sanne de Wit")

            let unconfirmed = try await person.post("/o/acme/inbox", [("receipt", code), ("action", "withdraw")], csrf: inbox.csrf)
            #expect(unconfirmed.status == .unprocessableEntity)
            let withdrawn = try await person.post(
                "/o/acme/inbox", [("receipt", code), ("action", "withdraw"), ("confirm", "on")], csrf: inbox.csrf)
            #expect(withdrawn.body.contains(app.vertrouwd.catalog.text("case.status.withdrawn", in: .dutch)))
            #expect(!withdrawn.body.contains(#"id="inbox-reply""#), "nothing more can be added")
            #expect(try await annas.get(casePath).body.contains(app.vertrouwd.catalog.text("case.status.withdrawn", in: .dutch)))
            let late = try await person.post(
                "/o/acme/inbox", [("receipt", code), ("action", "reply"), ("message", "Toch nog iets")], csrf: inbox.csrf)
            #expect(late.status == .conflict)
            #expect(!(try await annas.get(casePath).body.contains("Toch nog iets")))
            let events = try await CaseContent.query(on: app.db).filter(\.$field == .consent).count()
            #expect(events == 2, "identity revealed and withdrawn are recorded")
        }
    }

    @Test func aFloodFromOneClientIsHeldBackWithoutLosingTheText() async throws {
        try await withTestApp(adjust: { $0.trustProxy = true }) { app, clock in
            let setup = try await setUp(app)
            let bot = TestBrowser(app)
            bot.forwardedFor = "192.0.2.66"
            for index in 0..<ContactController.clientSubmissions.freeAttempts {
                #expect(try await send(bot, to: setup.anna, message: "bericht \(index)").dataPage == "receipt")
            }
            let held = try await send(bot, to: setup.anna, message: "Nog een bericht dat niet verloren mag gaan")
            #expect(held.status == .tooManyRequests)
            #expect(held.body.contains("Nog een bericht dat niet verloren mag gaan"))
            #expect(try await CaseRecord.query(on: app.db).count() == ContactController.clientSubmissions.freeAttempts)
            // Someone else is not held back.
            let person = TestBrowser(app)
            person.forwardedFor = "198.51.100.5"
            #expect(try await send(person, to: setup.anna, message: "Ik ben iemand anders").dataPage == "receipt")
            clock.advance(by: 61)
            #expect(try await send(bot, to: setup.anna, message: "na een minuut").dataPage == "receipt")
        }
    }
}
