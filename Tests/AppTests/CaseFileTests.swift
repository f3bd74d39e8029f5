import Fluent
import Foundation
import Testing
import Vapor
import VertrouwdCore

@testable import App

/// The case page's data, read without HTTP (issue 20): what a counsellor sees, and that reading it
/// writes nothing.
@Suite("The case file: what the case page reads")
struct CaseFileTests {
    @Test func itReadsTheCaseWithTheCounsellorsKeyAndWritesNothing() async throws {
        try await withTestApp { app, _ in
            // setup
            let organisation = try await Fixtures.organisation(app)
            let organisationID = try organisation.requireID()
            let anna = try await Fixtures.staff(app, role: .counsellor, email: "anna@acme.example", serving: organisation)
            let bram = try await Fixtures.staff(app, role: .counsellor, email: "bram@acme.example", serving: organisation)
            let vault = CaseVault(services: app.vertrouwd, db: app.db)
            let matcher = PartyMatcher(services: app.vertrouwd, db: app.db)
            let party = NamedParty(name: "Piet de Vries", email: "p.devries@acme.example")
            var cases: [CaseVault.OpenedCase] = []
            for message in ["Hij schreeuwt elke ochtend.", "Ook bij mij, in het magazijn."] {
                let (opened, _) = try await vault.createCase(
                    organisationID: organisationID, kind: .contact, counsellorIDs: [anna.account.requireID()])
                try await vault.append(message, field: .message, author: .person, to: opened)
                try await matcher.store(party, caseID: opened.caseID, organisationID: organisationID, on: app.db)
                cases.append(opened)
            }
            let key = try #require(
                try await CounsellorKeyService(services: app.vertrouwd, db: app.db)
                    .unlock(accountID: anna.account.requireID(), password: anna.password))
            let annas = try await vault.open(caseID: cases[0].caseID, counsellorID: anna.account.requireID(), privateKey: key)
            let query = CaseFile.Query(services: app.vertrouwd, db: app.db)

            // MUT
            let file = try await query.load(annas)

            // validation
            #expect(file.contents.map(\.text) == ["Hij schreeuwt elke ochtend."])
            #expect(file.holders.map(\.id) == [anna.account.id])
            #expect(file.shareable.map(\.id) == [bram.account.id])
            #expect(file.registration == nil)
            #expect(file.history.isEmpty)
            #expect(file.matches.isEmpty, "the two cases name the same person, but nobody looked yet")
            #expect(try await PartyMatch.query(on: app.db).count() == 0, "loading the page found no match: it writes nothing")

            // The controller's step before showing a case finds the match; the file then shows it.
            try await matcher.findMatches(of: annas.caseID, organisationID: organisationID)
            try await AuditLog(db: app.db, clock: app.vertrouwd.clock).record(.person, .caseRead, caseID: annas.caseID)
            let again = try await query.load(annas)
            #expect(again.matches.count == 1)
            #expect(again.history.map(\.action) == [AuditAction.caseRead.rawValue])
        }
    }
}
