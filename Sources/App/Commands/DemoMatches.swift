import Fluent
import Vapor
import VertrouwdCore

extension DemoSeeder {
    /// Two anonymous contacts, to the two demo counsellors, that name the same team leader in
    /// different words ("Peter Smit", "P. Smit" with his address). Both counsellors see the match on
    /// the case page and confirm it; then both people see the choice in their inbox, with the
    /// receipts printed here. The receipts are fixed and public, like the demo passwords; seeded once.
    static let matchExamples: [(receipt: String, message: String, party: NamedParty)] = [
        (
            "DEM0MATCH0ANNA000",
            "Mijn teamleider kleineert me in het werkoverleg, al maanden. Ik durf niets meer te zeggen.",
            NamedParty(name: "Peter Smit", role: "Teamleider", team: "Logistiek")
        ),
        (
            "DEM0MATCH0MEHMET0",
            "Mijn leidinggevende maakt opmerkingen over mijn afkomst waar collega's bij zijn.",
            NamedParty(name: "P. Smit", email: "p.smit@voorbeeld.example")
        ),
    ]

    func seedMatchExamples(organisationID: UUID, counsellorIDs: [UUID]) async throws -> [String] {
        let services = app.vertrouwd
        let receipts = Self.matchExamples.compactMap { Receipt(body: $0.receipt) }
        guard receipts.count == Self.matchExamples.count, counsellorIDs.count == receipts.count else { return [] }
        let lines = zip(receipts, ["anna", "mehmet"]).map { "demo-receipt counsellor=\($1) receipt=\($0.description)" }
        let lookups = receipts.map { $0.lookupDigest(instanceSecret: services.instanceSecret.bytes) }
        guard try await CaseRecord.query(on: app.db).filter(\.$receiptLookup ~~ lookups).count() == 0 else { return lines }
        let vault = CaseVault(services: services, db: app.db)
        let matcher = PartyMatcher(services: services, db: app.db)
        for ((example, receipt), counsellorID) in zip(zip(Self.matchExamples, receipts), counsellorIDs) {
            let prepared = try await vault.prepareCase(
                organisationID: organisationID, kind: .contact, counsellorIDs: [counsellorID], receipt: receipt)
            let opened = prepared.opened
            opened.record.waitingSince = services.clock.now
            let answers = FormAnswers(kinds: ["pesten"], urgency: nil, channel: "messages", identity: "anonymous")
            try await app.db.transaction { db in
                try await vault.store(prepared, on: db)
                try await vault.append(encoding: answers, field: .form, author: .person, to: opened, on: db)
                try await vault.append(example.message, field: .message, author: .person, to: opened, on: db)
                try await vault.append(encoding: example.party, field: .party, author: .person, to: opened, on: db)
                try await matcher.store(example.party, caseID: opened.caseID, organisationID: organisationID, on: db)
                try await CaseSubmission(digest: Token.digest(Token.generate(using: services.random)), caseID: opened.caseID).create(on: db)
            }
            try await matcher.findMatches(of: opened.caseID, organisationID: organisationID)
        }
        return lines
    }
}
