import Crypto
import Fluent
import Foundation
import SQLKit
import Testing
import Vapor
import VaporTesting
import VertrouwdCore

@testable import App

/// Writes a unique marker into every field that can hold case content, then searches the database
/// file (and its write-ahead log), a `pg_dump` when running on PostgreSQL, and every log line.
@Suite("Plaintext scan")
struct PlaintextScanTests {
    @Test func noCaseContentIsReadableAtRestOrInTheLogs() async throws {
        try await withTestApp { app, clock in
            let organisation = try await Fixtures.organisation(app)
            let anna = try await Fixtures.staff(app, role: .counsellor, email: "anna@acme.example", serving: organisation)
            let bram = try await Fixtures.staff(app, role: .counsellor, email: "bram@acme.example", serving: organisation)
            let vault = CaseVault(services: app.vertrouwd, db: app.db)
            let run = UUID().uuidString.prefix(8)
            let markers: [String: String] = [
                "message": "MELDERTEKST\(run)",
                "identity": "NAAMENTELEFOON\(run)",
                "form": "FORMULIERANTWOORD\(run)",
                "note": "NOTITIEVP\(run)",
                "reply": "ANTWOORDVP\(run)",
                "attachment": "BIJLAGEINHOUD\(run)",
                "after-rotation": "NAROTATIE\(run)",
            ]
            let (created, receipt) = try await vault.createCase(
                organisationID: organisation.requireID(), kind: .formalReport,
                counsellorIDs: [anna.account.requireID(), bram.account.requireID()])
            try await vault.append(markers["message"]!, field: .message, author: .person, to: created)
            try await vault.append(
                #"{"name":"\#(markers["identity"]!)","phone":"0612345678"}"#, field: .identity, author: .person, to: created)
            try await vault.append(
                #"{"kinds":["pesten"],"urgency":"\#(markers["form"]!)"}"#, field: .form, author: .person, to: created)
            var attachment = Array("%PDF-1.4\n".utf8) + Array(markers["attachment"]!.utf8) + (0..<2048).map { UInt8($0 % 251) }
            attachment += Array(markers["attachment"]!.utf16.flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] })
            try await vault.append(attachment, field: .attachment, author: .person, to: created)

            let key = try #require(
                try await CounsellorKeyService(services: app.vertrouwd, db: app.db).unlock(
                    accountID: anna.account.requireID(), password: anna.password))
            let byAnna = try await vault.open(caseID: created.caseID, counsellorID: anna.account.requireID(), privateKey: key)
            try await vault.append(markers["note"]!, field: .note, author: .counsellor, to: byAnna)
            try await vault.append(markers["reply"]!, field: .message, author: .counsellor, to: byAnna)
            let rotated = try await vault.revoke(byAnna, from: bram.account.requireID())
            try await vault.append(markers["after-rotation"]!, field: .message, author: .counsellor, to: rotated)

            // Everything reads back for those who may read it.
            let person = try #require(try await vault.open(receipt: receipt))
            let readBack = try await vault.contents(of: person)
            #expect(readBack.count == 7)
            #expect(readBack.contains { $0.bytes == attachment })
            // The counsellor's pages and a receipt attempt went through the logging path too.
            let browser = TestBrowser(app)
            try await browser.logIn(anna, at: clock.now)
            try await browser.get("/backoffice")

            let secrets = Array(markers.values) + [receipt.canonical, receipt.description, anna.keyRecoveryCode?.canonical ?? "-"]
            let haystacks = try await Self.storedBytes(app) + [("logs", Array(TestLogs.all.joined(separator: "\n").utf8))]
            #expect(haystacks.count >= 2)
            // A control: a field that is meant to be in clear is found, so the scan does see the stored data.
            let controlFound = haystacks.contains { $0.0 != "logs" && Self.contains($0.1, Array("Acme Zorg".utf8)) }
            #expect(controlFound, "the organisation name is not found: the scan reads nothing")
            for (name, bytes) in haystacks {
                #expect(!bytes.isEmpty, "\(name) is empty")
                for secret in secrets {
                    let leaked = Self.contains(bytes, Array(secret.utf8))
                    #expect(!leaked, "\(name) contains \(secret) in clear")
                }
            }
        }
    }

    /// The SQLite file and its WAL, or a pg_dump of the PostgreSQL database.
    static func storedBytes(_ app: Application) async throws -> [(String, [UInt8])] {
        let settings = app.vertrouwd.settings
        if let url = settings.databaseURL {
            return [("pg_dump", try pgDump(url))]
        }
        let path = Application.sqlitePath(settings)
        var found: [(String, [UInt8])] = []
        for suffix in ["", "-wal"] {
            if let data = FileManager.default.contents(atPath: path + suffix) { found.append(("sqlite\(suffix)", Array(data))) }
        }
        #expect(found.contains { $0.0 == "sqlite-wal" }, "WAL mode is on, so recent writes sit in the -wal file")
        return found
    }

    static func pgDump(_ url: String) throws -> [UInt8] {
        let candidates = ["/usr/bin/pg_dump"] + (15...17).map { "/usr/lib/postgresql/\($0)/bin/pg_dump" }
        let binary = try #require(
            candidates.first { FileManager.default.isExecutableFile(atPath: $0) }, "pg_dump is needed for the PostgreSQL scan")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = ["--data-only", "--no-owner", url]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        return Array(data)
    }

    static func contains(_ haystack: [UInt8], _ needle: [UInt8]) -> Bool {
        guard !needle.isEmpty, haystack.count >= needle.count else { return false }
        let first = needle[0]
        var index = 0
        while index <= haystack.count - needle.count {
            if haystack[index] == first, Array(haystack[index..<(index + needle.count)]) == needle { return true }
            index += 1
        }
        return false
    }
}

@Suite("Receipt gate")
struct ReceiptGateTests {
    func request(_ app: Application, client: String) -> Request {
        let request = Request(application: app, on: app.eventLoopGroup.next())
        request.headers.add(name: "X-Forwarded-For", value: client)
        return request
    }

    @Test func opensWithTheReceiptCountsGuessesAndIgnoresTypos() async throws {
        try await withTestApp(adjust: { $0.trustProxy = true }) { app, clock in
            let organisation = try await Fixtures.organisation(app)
            let anna = try await Fixtures.staff(app, role: .counsellor, email: "anna@acme.example", serving: organisation)
            let (_, receipt) = try await CaseVault(services: app.vertrouwd, db: app.db)
                .createCase(organisationID: organisation.requireID(), kind: .contact, counsellorIDs: [anna.account.requireID()])
            let person = ReceiptGate(request: request(app, client: "192.0.2.1"))
            guard case .opened = try await person.open(receipt.description.lowercased()) else {
                Issue.record("receipt did not open"); return
            }

            // Typos never count: the check character catches them first.
            var typo = Array(receipt.canonical)
            typo[3] = typo[3] == "A" ? "B" : "A"
            let guesser = ReceiptGate(request: request(app, client: "198.51.100.7"))
            for _ in 0..<30 {
                guard case .malformed = try await guesser.open(String(typo)) else { Issue.record("a typo was not caught"); return }
            }
            // Well-formed guesses count: ten free, then a growing wait.
            for _ in 0..<10 {
                guard case .notFound = try await guesser.open(Receipt.generate().description) else {
                    Issue.record("guess not refused"); return
                }
            }
            guard case .throttled(let until) = try await guesser.open(receipt.description) else {
                Issue.record("the guesser was not held back, even with a right receipt"); return
            }
            #expect(until.timeIntervalSince(clock.now) <= 30)
            // The real person, elsewhere, is not affected.
            guard case .opened = try await person.open(receipt.description) else { Issue.record("the person was locked out"); return }
            clock.advance(by: 31)
            guard case .opened = try await guesser.open(receipt.description) else { Issue.record("the wait did not pass"); return }
        }
    }

    @Test func aFloodOfGuessesHoldsBackFailingClientsButNotNewOnes() async throws {
        try await withTestApp(adjust: { $0.trustProxy = true }) { app, _ in
            let organisation = try await Fixtures.organisation(app)
            let anna = try await Fixtures.staff(app, role: .counsellor, email: "anna@acme.example", serving: organisation)
            let (_, receipt) = try await CaseVault(services: app.vertrouwd, db: app.db)
                .createCase(organisationID: organisation.requireID(), kind: .contact, counsellorIDs: [anna.account.requireID()])
            // A botnet: many addresses, a few guesses each, together over the instance's budget.
            for bot in 0..<(ReceiptGate.globalBudget / 3 + 1) {
                let gate = ReceiptGate(request: request(app, client: "10.1.\(bot / 250).\(bot % 250)"))
                for _ in 0..<3 { _ = try await gate.open(Receipt.generate().description) }
            }
            let bot = ReceiptGate(request: request(app, client: "10.1.0.1"))
            guard case .throttled = try await bot.open(Receipt.generate().description) else {
                Issue.record("the flood was not held back"); return
            }
            // Someone who has not failed is always let through to try their receipt.
            let person = ReceiptGate(request: request(app, client: "192.0.2.50"))
            guard case .opened = try await person.open(receipt.description) else {
                Issue.record("a real person was locked out by the flood"); return
            }
        }
    }
}
