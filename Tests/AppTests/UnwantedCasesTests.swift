import Fluent
import Foundation
import Testing
import Vapor
import VaporTesting
import VertrouwdCore

@testable import App

@Suite("Setting unwanted cases aside and removing them")
struct UnwantedCasesTests {
    @Test func aFloodIsSetAsideAndRemovedInOneGoWithoutTouchingOthersCases() async throws {
        try await withTestApp { app, clock in
            let organisation = try await Fixtures.organisation(app)
            let anna = try await Fixtures.staff(app, role: .counsellor, email: "anna@acme.example", serving: organisation)
            let bram = try await Fixtures.staff(app, role: .counsellor, email: "bram@acme.example", serving: organisation)
            let vault = CaseVault(services: app.vertrouwd, db: app.db)
            var annas: [UUID] = []
            for index in 0..<12 {
                let (opened, _) = try await vault.createCase(
                    organisationID: organisation.requireID(), kind: .contact, counsellorIDs: [anna.account.requireID()])
                try await vault.append("spam \(index)", field: .message, author: .person, to: opened)
                annas.append(opened.caseID)
                clock.advance(by: 1)
            }
            let (brams, _) = try await vault.createCase(
                organisationID: organisation.requireID(), kind: .contact, counsellorIDs: [bram.account.requireID()])

            let browser = TestBrowser(app)
            try await browser.logIn(anna, at: clock.now)
            let dashboard = try await browser.get("/backoffice")
            #expect(dashboard.body.matches(of: /name="cases\[\]"/).count == 12)
            // Eleven are a flood, one is real; Bram's case id slipped into the form is ignored.
            let flood = Array(annas.dropFirst())
            let flagged = try await browser.post(
                "/backoffice/cases/flag",
                flood.map { ("cases[]", $0.uuidString) } + [("cases[]", brams.caseID.uuidString), ("action", "flag")], csrf: dashboard.csrf)
            #expect(flagged.location == "/backoffice")
            let after = try await browser.get("/backoffice")
            #expect(after.body.matches(of: /id="select-[0-9A-F]/).count == 1, "only the real case stays in the list")
            #expect(after.body.contains(app.vertrouwd.catalog.text("backoffice.flagged.title", in: .dutch, ["11"])))
            #expect(try await CaseRecord.find(brams.caseID, on: app.db)?.flaggedAt == nil)

            // One was a mistake and goes back.
            try await browser.post("/backoffice/cases/flag", [("cases[]", flood[0].uuidString), ("action", "unflag")], csrf: after.csrf)
            // Removing needs the confirmation.
            try await browser.post("/backoffice/cases/remove-flagged", [], csrf: after.csrf)
            #expect(try await CaseRecord.query(on: app.db).count() == 13)
            let removed = try await browser.post("/backoffice/cases/remove-flagged", [("confirm", "on")], csrf: after.csrf)
            #expect(removed.location == "/backoffice")
            #expect(try await CaseRecord.query(on: app.db).count() == 3)
            #expect(try await CaseContent.query(on: app.db).count() == 2, "the removed cases' content went with them")
            #expect(try await CaseRecord.find(annas[0], on: app.db) != nil)
            #expect(try await CaseRecord.find(flood[0], on: app.db) != nil)
            #expect(try await CaseRecord.find(brams.caseID, on: app.db) != nil)
            #expect(TestLogs.lines(ofRequest: removed.requestID).contains { $0.contains("cases removed") && $0.contains("10") })
            #expect(!TestLogs.all.contains { line in flood.contains { line.contains($0.uuidString) } })

            // Another counsellor cannot flag or remove what is not sealed to them.
            let brams2 = TestBrowser(app)
            clock.advance(by: 30)
            try await brams2.logIn(bram, at: clock.now)
            let page = try await brams2.get("/backoffice")
            try await brams2.post("/backoffice/cases/flag", [("cases[]", annas[0].uuidString), ("action", "flag")], csrf: page.csrf)
            #expect(try await CaseRecord.find(annas[0], on: app.db)?.flaggedAt == nil)
            try await expectQueueInStep(app)
        }
    }
}
