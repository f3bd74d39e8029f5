import Fluent
import Foundation
import Logging
import Testing
import Vapor
import VaporTesting
import VertrouwdCore

@testable import App

/// Every feature's confidential fields, typed into the real forms with a unique marker, and then
/// looked for in the database files, a backup and every log line at debug level.
@Suite("Secrets scan across features, logs and backups")
struct SecretsScanTests {
    @Test func noFeatureLeavesItsTextReadableAtRestInABackupOrInDebugLogs() async throws {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("vertrouwd-scan-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        let backup = scratch.appendingPathComponent("backup.sqlite").path
        try await withTestApp(arguments: ["vertrouwd", "backup", backup]) { app, clock in
            app.asyncCommands.use(BackupCommand(), as: "backup")
            app.logger.logLevel = .debug
            let run = UUID().uuidString.prefix(6)
            func marker(_ name: String) -> String { "\(name)\(run)" }
            let acme = try await Fixtures.organisation(app)
            let anna = try await Fixtures.staff(app, role: .counsellor, email: "anna@acme.example", serving: acme)

            // The person: a confidential contact with a file and an address for nudges, then a reply.
            let person = TestBrowser(app)
            let form = try await person.get("/o/acme/contact")
            let submission = try #require(form.submissionToken)
            let receiptPage = try await person.postMultipart(
                "/o/acme/contact",
                [
                    ("counsellor", try anna.account.requireID().uuidString), ("message", marker("MELDING")), ("identity", "confidential"),
                    ("name", marker("NAAM")), ("contact", marker("TELEFOON")), ("channel", "messages"), ("kinds[]", "pesten"),
                    ("notify", "\(marker("nudge").lowercased())@mail.example"), ("submission", submission),
                    ("party_name", "Piet \(marker("PARTIJNAAM"))"), ("party_email", "\(marker("partijmail"))@acme.example"),
                    ("party_role", marker("FUNCTIE")), ("party_team", marker("AFDELING")),
                ],
                files: [.init("\(marker("BESTANDSNAAM")).pdf", Array("%PDF-1.4\n\(marker("PDFINHOUD"))\n%%EOF\n".utf8))],
                csrf: form.csrf)
            let receipt = try #require(receiptPage.receiptCode)
            let inbox = try await person.post("/o/acme/inbox", [("receipt", receipt), ("action", "open")], csrf: receiptPage.csrf)
            try await person.post(
                "/o/acme/inbox", [("receipt", receipt), ("action", "reply"), ("message", marker("VERVOLG"))], csrf: inbox.csrf)

            // The counsellor: a reply, a note, a signal and a referral.
            let counsellor = TestBrowser(app)
            try await counsellor.logIn(anna, at: clock.now)
            let casePath = try #require(try await counsellor.get("/backoffice").firstCasePath)
            let casePage = try await counsellor.get(casePath)
            #expect(casePage.body.contains(marker("MELDING")), "the counsellor reads the case: the markers went in")
            for (action, fields) in [
                ("reply", [("message", marker("ANTWOORD"))]), ("notes", [("note", marker("NOTITIE"))]),
                ("signal", [("signal", marker("SIGNAAL"))]),
                ("consent", [("consent_kind", "referral"), ("consent_event", "given")]),
                ("referral", [("referral_to", "mediation"), ("referral_note", marker("VERWIJSNOTITIE"))]),
            ] {
                let status = try await counsellor.post("\(casePath)/\(action)", fields, csrf: casePage.csrf).status
                #expect(status.code < 400, "\(action): \(status)")
            }

            // The private journal.
            let writer = TestBrowser(app)
            let phrase = try await JournalFlowTests().start(writer)
            let saved = try await JournalFlowTests().write(
                writer,
                [
                    ("date", "2026-09-01"), ("time_precision", "day"), ("place", marker("PLEK")), ("people", marker("PERSONEN")),
                    ("witnesses", marker("GETUIGE")), ("what", marker("VOORVAL")), ("effect", marker("GEVOLG")), ("kinds[]", "pesten"),
                ])
            #expect(saved.status == .seeOther)

            // PostgreSQL is backed up with pg_dump, which the scan reads as the database already.
            if !usingPostgres { try await app.execute() }
            let secrets =
                [
                    "MELDING", "NAAM", "TELEFOON", "nudge", "BESTANDSNAAM", "PDFINHOUD", "VERVOLG", "ANTWOORD", "NOTITIE", "SIGNAAL",
                    "VERWIJSNOTITIE", "PLEK", "PERSONEN", "GETUIGE", "VOORVAL", "GEVOLG",
                ].map(marker)
                // Who the case is about, as typed and in the canonical (lower-case) form that is keyed.
                + ["PARTIJNAAM", "partijmail", "FUNCTIE", "AFDELING"].flatMap { [marker($0), marker($0).lowercased()] }
                + [receipt, phrase, anna.keyRecoveryCode?.canonical ?? "-"]
            // The database file and its write-ahead log together (recent writes are still in the log).
            var haystacks = [("database", try await PlaintextScanTests.storedBytes(app).flatMap(\.1))]
            if !usingPostgres {
                haystacks.append(("backup", Array(try #require(FileManager.default.contents(atPath: backup)))))
            }
            let logs = TestLogs.all
            #expect(logs.contains { $0.hasPrefix("debug") || $0.hasPrefix("trace") }, "debug lines are captured")
            haystacks.append(("logs", Array(logs.joined(separator: "\n").utf8)))
            // A control: what is meant to be in clear is found, so the scan does read the files.
            for (name, bytes) in haystacks where name != "logs" {
                let found = PlaintextScanTests.contains(bytes, Array("Acme Zorg".utf8))
                #expect(found, "\(name): the scan reads nothing")
            }
            for (name, bytes) in haystacks {
                for secret in secrets {
                    let leaked = PlaintextScanTests.contains(bytes, Array(secret.utf8))
                    #expect(!leaked, "\(name) holds \(secret) in clear")
                }
            }
        }
    }
}
