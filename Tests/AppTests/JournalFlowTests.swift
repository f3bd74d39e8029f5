import Fluent
import Foundation
import Testing
import Vapor
import VaporTesting
import VertrouwdCore

@testable import App

@Suite("The private journal: keeping, exporting, sharing, deleting")
struct JournalFlowTests {
    /// Starts a journal with a generated phrase; returns the phrase.
    func start(_ browser: TestBrowser) async throws -> String {
        let page = try await browser.get("/o/acme/logboek")
        #expect(page.dataPage == "journal-start")
        let shown = try await browser.post("/o/acme/logboek/nieuw", [("mode", "generated")], csrf: page.csrf)
        let phrase = try #require(shown.firstMatch(#"id="journal-phrase">([0-9A-Z-]+)<"#))
        // Opening a journal starts a new session: the phrase page carries the new form token.
        #expect(shown.csrf != page.csrf)
        let unconfirmed = try await browser.post("/o/acme/logboek/sleutel-bewaard", [("phrase", phrase)], csrf: shown.csrf)
        #expect(unconfirmed.status == .unprocessableEntity)
        let confirmed = try await browser.post("/o/acme/logboek/sleutel-bewaard", [("phrase", phrase), ("saved", "on")], csrf: shown.csrf)
        #expect(confirmed.location == "/o/acme/logboek/tijdlijn")
        return phrase
    }

    @discardableResult
    func write(_ browser: TestBrowser, _ fields: [(String, String)]) async throws -> TestBrowser.Page {
        let form = try await browser.get("/o/acme/logboek/voorval")
        return try await browser.post("/o/acme/logboek/voorval", fields, csrf: form.csrf)
    }

    @Test func aJournalIsKeptEncryptedShowsItsPatternAndExportsAVerifiableChain() async throws {
        try await withTestApp { app, clock in
            _ = try await Fixtures.organisation(app)
            let browser = TestBrowser(app)
            let phrase = try await start(browser)
            let dates = ["2026-09-01", "2026-09-08", "2026-09-22"]
            for (index, date) in dates.enumerated() {
                let saved = try await write(
                    browser,
                    [
                        ("date", date), ("time_precision", "exact"), ("time", "10:1\(index)"), ("place", "KANTINEPLEK"),
                        ("people", "Jan de Boer, Kees"), ("witnesses", "GETUIGENAAM"),
                        ("what", "Hij riep iets over mij VOORVALTEKST\(index)"),
                        ("effect", "Ik sliep slecht"), ("kinds[]", "pesten"),
                    ])
                #expect(saved.location == "/o/acme/logboek/tijdlijn")
                clock.advance(by: 60)
            }
            // Bad input is explained and nothing is stored.
            let bad = try await write(browser, [("date", "gisteren"), ("time_precision", "exact"), ("time", "25:99"), ("what", "")])
            #expect(bad.status == .unprocessableEntity)
            for key in ["journal.error.date", "journal.error.time", "journal.error.what"] {
                #expect(
                    bad.body.contains(app.vertrouwd.catalog.text(key, in: .dutch).replacingOccurrences(of: "'", with: "&#39;")), "\(key)")
            }
            // An edit is a new version; names used before are offered.
            let timeline = try await browser.get("/o/acme/logboek/tijdlijn")
            #expect(timeline.body.matches(of: /class="note journal-entry"/).count == 3)
            let editPath = try #require(timeline.firstMatch(#"href="(/o/acme/logboek/voorval/[0-9A-F-]+)""#))
            let edit = try await browser.get(editPath)
            #expect(edit.body.contains(#"<option value="Jan de Boer">"#))
            let entryID = try #require(edit.firstMatch(#"name="entry" value="([0-9A-F-]+)""#))
            try await browser.post(
                "/o/acme/logboek/voorval",
                [
                    ("entry", entryID), ("date", "2026-09-22"), ("time_precision", "unknown"), ("people", "Jan de Boer"),
                    ("what", "Aangevuld VERSIE2"),
                ],
                csrf: edit.csrf)
            let filtered = try await browser.get("/o/acme/logboek/tijdlijn?persoon=\(JournalEntriesController.personRef("kees"))")
            #expect(filtered.body.matches(of: /class="note journal-entry"/).count == 2, "the edited entry no longer names Kees")

            let summary = try await browser.get("/o/acme/logboek/patroon")
            #expect(
                summary.body.contains(
                    app.vertrouwd.catalog.text("journal.pattern.structural", in: .dutch).replacingOccurrences(of: "'", with: "&#39;")))
            #expect(summary.body.contains(#"id="journal-nudge""#))

            // The export's chain can be recomputed from the JSON alone.
            let exported = try await browser.get("/o/acme/logboek/export.json")
            let file = try JSONDecoder().decode(JournalExportController.ExportFile.self, from: Data(exported.bytes))
            #expect(file.versions.count == 4)
            #expect(JournalChain.verify(file.versions.map(\.link), contents: file.versions.map { Array($0.entry.utf8) }) == nil)
            #expect(file.head == file.versions.last?.link.digest)
            // The script a counsellor would use agrees, and notices a changed word.
            let exportFile = FileManager.default.temporaryDirectory.appendingPathComponent("logboek-\(UUID().uuidString).json")
            defer { try? FileManager.default.removeItem(at: exportFile) }
            try Data(exported.bytes).write(to: exportFile)
            #expect(try Self.verifyScript(exportFile.path, head: file.head) == 0)
            let tampered = String(decoding: exported.bytes, as: UTF8.self).replacingOccurrences(of: "VOORVALTEKST1", with: "VOORVALTEKSTX")
            try Data(tampered.utf8).write(to: exportFile)
            #expect(try Self.verifyScript(exportFile.path, head: file.head) == 1)
            let page = try await browser.get("/o/acme/logboek/export")
            #expect(page.body.contains(file.head))
            if app.vertrouwd.settings.chromiumPath != nil {
                let pdf = try await browser.get("/o/acme/logboek/export.pdf")
                #expect(pdf.bytes.starts(with: Array("%PDF".utf8)))
            } else {
                #expect(try await browser.get("/o/acme/logboek/export.pdf").location == "/o/acme/logboek/export")
            }

            // Nothing of it is stored or logged in clear; the journal belongs to no organisation.
            let dump = try await PlaintextScanTests.storedBytes(app).flatMap(\.1)
            for secret in ["VOORVALTEKST", "KANTINEPLEK", "GETUIGENAAM", "VERSIE2", "Jan de Boer", phrase] {
                let stored = PlaintextScanTests.contains(dump, Array(secret.utf8))
                #expect(!stored, "\(secret) is stored in clear")
                #expect(!TestLogs.all.contains { $0.contains(secret) }, "\(secret) is logged")
            }

            // Closed, it asks for the phrase again; a wrong one opens nothing.
            try await browser.post("/o/acme/logboek/sluiten", [], csrf: page.csrf)
            #expect(try await browser.get("/o/acme/logboek/tijdlijn").location == "/o/acme/logboek?gesloten=1")
            let wrong = try await browser.post("/o/acme/logboek/openen", [("phrase", Receipt.generate().description)], csrf: page.csrf)
            #expect(wrong.status == .notFound)
            let reopened = try await browser.post("/o/acme/logboek/openen", [("phrase", phrase.lowercased())], csrf: page.csrf)
            #expect(reopened.location == "/o/acme/logboek/tijdlijn")
            let fresh = try await browser.get("/o/acme/logboek/tijdlijn")

            // Backup, delete (nothing left), and back in with the phrase.
            let backup = try await browser.get("/o/acme/logboek/backup")
            let inBackup = PlaintextScanTests.contains(backup.bytes, Array("VOORVALTEKST".utf8))
            #expect(!inBackup)
            let sample = try #require(try await JournalItem.query(on: app.db).first())
            let ciphertext = Array(sample.ciphertext.prefix(48))
            try await browser.post("/o/acme/logboek/verwijderen", [("confirm", "on")], csrf: fresh.csrf)
            #expect(try await Journal.query(on: app.db).count() == 0)
            #expect(try await JournalItem.query(on: app.db).count() == 0)
            for (name, bytes) in try await PlaintextScanTests.storedBytes(app) {
                let kept = PlaintextScanTests.contains(bytes, ciphertext)
                #expect(!kept, "\(name) still holds the deleted journal")
            }
            let start = try await browser.get("/o/acme/logboek")
            let wrongImport = try await browser.postMultipart(
                "/o/acme/logboek/importeren", [("phrase", "een andere zin die niet klopt")],
                files: [.init("logboek-backup.json", backup.bytes, field: "backup")], csrf: start.csrf)
            #expect(wrongImport.status == .unprocessableEntity)
            let restored = try await browser.postMultipart(
                "/o/acme/logboek/importeren", [("phrase", phrase)], files: [.init("logboek-backup.json", backup.bytes, field: "backup")],
                csrf: start.csrf)
            #expect(restored.location == "/o/acme/logboek/tijdlijn")
            #expect(try await browser.get("/o/acme/logboek/tijdlijn").body.contains("VERSIE2"))
        }
    }

    /// Runs scripts/verify-journal-export.py; its exit code.
    static func verifyScript(_ path: String, head: String) throws -> Int32 {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", packageRoot.appendingPathComponent("scripts/verify-journal-export.py").path, path, head]
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        return process.terminationStatus
    }

    @Test func anOwnPassphraseMustBeStrong() async throws {
        try await withTestApp { app, _ in
            _ = try await Fixtures.organisation(app)
            let browser = TestBrowser(app)
            let page = try await browser.get("/o/acme/logboek")
            let weak = try await browser.post(
                "/o/acme/logboek/nieuw", [("mode", "own"), ("passphrase", "wachtwoord123"), ("passphrase_confirm", "wachtwoord123")],
                csrf: page.csrf)
            #expect(weak.status == .unprocessableEntity)
            #expect(try await Journal.query(on: app.db).count() == 0)
            let strong = "de kat slaapt op zeven groene stoelen"
            let made = try await browser.post(
                "/o/acme/logboek/nieuw", [("mode", "own"), ("passphrase", strong), ("passphrase_confirm", strong)], csrf: page.csrf)
            #expect(made.location == "/o/acme/logboek/tijdlijn")
            // The same phrase cannot start a second journal.
            let other = TestBrowser(app)
            let again = try await other.post(
                "/o/acme/logboek/nieuw", [("mode", "own"), ("passphrase", strong), ("passphrase_confirm", strong)],
                csrf: try await other.get("/o/acme/logboek").csrf)
            #expect(again.status == .unprocessableEntity)
        }
    }

    @Test func chosenEntriesGoToTheCounsellorAndSharingCanStop() async throws {
        try await withTestApp { app, clock in
            let organisation = try await Fixtures.organisation(app)
            let anna = try await Fixtures.staff(app, role: .counsellor, email: "anna@acme.example", serving: organisation)
            let person = TestBrowser(app)
            let form = try await person.get("/o/acme/contact")
            let submission = try #require(form.submissionToken)
            let receiptPage = try await person.post(
                "/o/acme/contact",
                [
                    ("counsellor", try anna.account.requireID().uuidString), ("message", "Mag ik mijn logboek laten zien?"),
                    ("identity", "anonymous"),
                    ("channel", "messages"), ("submission", submission),
                ], csrf: form.csrf)
            let code = try #require(receiptPage.receiptCode)
            _ = try await start(person)
            for (date, text) in [("2026-10-01", "EERSTEDEEL"), ("2026-10-02", "TWEEDEDEEL"), ("2026-10-03", "PRIVEHOUDEN")] {
                try await write(person, [("date", date), ("time_precision", "unknown"), ("what", text)])
            }
            // A photo with the second entry: stored sealed, without its EXIF, shared along with the entry.
            let timeline = try await person.get("/o/acme/logboek/tijdlijn")
            let editPaths = timeline.body.matches(of: /href="(\/o\/acme\/logboek\/voorval\/[0-9A-F-]+)"/).map { String($0.output.1) }
            let edit = try await person.get(editPaths[1])
            let entryID = try #require(edit.firstMatch(#"name="entry" value="([0-9A-F-]+)""#))
            let withPhoto = try await person.postMultipart(
                "/o/acme/logboek/voorval",
                [("entry", entryID), ("date", "2026-10-02"), ("time_precision", "unknown"), ("what", "TWEEDEDEEL")],
                files: [.init("BEWIJSFOTO.jpg", AttachmentFlowTests.photo)], csrf: edit.csrf)
            #expect(withPhoto.location == "/o/acme/logboek/tijdlijn")
            let fileHref = try #require(
                try await person.get("/o/acme/logboek/tijdlijn").firstMatch(#"href="(/o/acme/logboek/bestand/\d+)""#))
            let photo = try await person.get(fileHref)
            #expect(Array(photo.bytes.prefix(2)) == [0xFF, 0xD8])
            let exifKept = PlaintextScanTests.contains(photo.bytes, Array("GPSPOSITIE".utf8))
            #expect(!exifKept)
            // The chain covers the file: the version lists its name and digest.
            let export = try JSONDecoder().decode(
                JournalExportController.ExportFile.self, from: Data(try await person.get("/o/acme/logboek/export.json").bytes))
            let withFile = try #require(export.versions.last)
            #expect(withFile.entry.contains("BEWIJSFOTO.jpg") && withFile.entry.contains(JournalChain.contentDigest(photo.bytes)))
            #expect(JournalChain.verify(export.versions.map(\.link), contents: export.versions.map { Array($0.entry.utf8) }) == nil)
            let share = try await person.get("/o/acme/logboek/delen")
            let ids = share.body.matches(of: /name="entries\[\]" value="([0-9A-F-]+)"/).map { String($0.output.1) }
            #expect(ids.count == 3)
            // Newest first: the last two written are the first two listed… choose the two oldest.
            let refused = try await person.post(
                "/o/acme/logboek/delen", [("receipt", "ABCDEF-GHJKMN-PQRST"), ("entries[]", ids[2])], csrf: share.csrf)
            #expect(refused.status == .unprocessableEntity)
            try await person.post(
                "/o/acme/logboek/delen", [("receipt", code), ("entries[]", ids[1]), ("entries[]", ids[2]), ("keep", "on")], csrf: share.csrf
            )

            let annas = TestBrowser(app)
            try await annas.logIn(anna, at: clock.now)
            let casePath = try #require(try await annas.get("/backoffice").firstCasePath)
            var casePage = try await annas.get(casePath)
            #expect(casePage.body.contains("EERSTEDEEL") && casePage.body.contains("TWEEDEDEEL"))
            #expect(!casePage.body.contains("PRIVEHOUDEN"))
            #expect(casePage.body.contains("BEWIJSFOTO.jpg"), "the entry's photo came along")
            #expect(casePage.body.contains(app.vertrouwd.catalog.text("consent.event.journal-shared-ongoing", in: .dutch)))

            // A new entry follows the standing share; after stopping, the next does not.
            try await write(person, [("date", "2026-10-05"), ("time_precision", "unknown"), ("what", "NAHETDELEN")])
            casePage = try await annas.get(casePath)
            #expect(casePage.body.contains("NAHETDELEN"))
            let sharePage = try await person.get("/o/acme/logboek/delen")
            let caseRef = try #require(sharePage.firstMatch(#"name="caseRef" value="([0-9A-F-]+)""#))
            try await person.post("/o/acme/logboek/delen/stoppen", [("caseRef", caseRef)], csrf: sharePage.csrf)
            try await write(person, [("date", "2026-10-06"), ("time_precision", "unknown"), ("what", "NIETMEERDELEN")])
            casePage = try await annas.get(casePath)
            #expect(!casePage.body.contains("NIETMEERDELEN"))
            #expect(casePage.body.contains(app.vertrouwd.catalog.text("consent.event.journal-share-stopped", in: .dutch)))
            // What was shared is stored under the case's key only.
            let dump = try await PlaintextScanTests.storedBytes(app).flatMap(\.1)
            for secret in ["EERSTEDEEL", "BEWIJSFOTO"] {
                let stored = PlaintextScanTests.contains(dump, Array(secret.utf8))
                #expect(!stored, "\(secret) is stored in clear")
            }
        }
    }

    @Test func aContactCanBringTheWholeJournalAlong() async throws {
        try await withTestApp { app, clock in
            let organisation = try await Fixtures.organisation(app)
            let anna = try await Fixtures.staff(app, role: .counsellor, email: "anna@acme.example", serving: organisation)
            let person = TestBrowser(app)
            #expect(!(try await person.get("/o/acme/contact").body.contains(#"id="share_journal""#)), "no journal open, no option")
            _ = try await start(person)
            try await write(person, [("date", "2026-11-02"), ("time_precision", "unknown"), ("what", "MEEGESTUURD")])
            let form = try await person.get("/o/acme/contact")
            #expect(form.body.contains(#"id="share_journal""#))
            let submission = try #require(form.submissionToken)
            let receipt = try await person.post(
                "/o/acme/contact",
                [
                    ("counsellor", try anna.account.requireID().uuidString), ("message", "Zie mijn logboek"), ("identity", "anonymous"),
                    ("channel", "messages"), ("submission", submission), ("share_journal", "on"),
                ], csrf: form.csrf)
            #expect(receipt.dataPage == "receipt")
            let annas = TestBrowser(app)
            try await annas.logIn(anna, at: clock.now)
            let casePath = try #require(try await annas.get("/backoffice").firstCasePath)
            let page = try await annas.get(casePath)
            #expect(page.body.contains("MEEGESTUURD"))
            #expect(page.body.contains(app.vertrouwd.catalog.text("consent.event.journal-shared", in: .dutch)))
        }
    }

    @Test func guessingOnTheStartFormIsThrottledAndOpeningRenewsTheSession() async throws {
        try await withTestApp { app, _ in
            _ = try await Fixtures.organisation(app)
            let strong = "de kat slaapt op zeven groene stoelen"
            let owner = TestBrowser(app)
            let page = try await owner.get("/o/acme/logboek")
            let before = owner.sessionCookie
            let created = try await owner.post(
                "/o/acme/logboek/nieuw", [("mode", "own"), ("passphrase", strong), ("passphrase_confirm", strong)], csrf: page.csrf)
            #expect(created.status == .seeOther)
            #expect(owner.sessionCookie != nil && owner.sessionCookie != before, "a new session id once the journal is open")
            let guesser = TestBrowser(app)
            let form = try await guesser.get("/o/acme/logboek")
            var last: HTTPResponseStatus = .ok
            for _ in 0..<11 {
                last = try await guesser.post(
                    "/o/acme/logboek/nieuw", [("mode", "own"), ("passphrase", strong), ("passphrase_confirm", strong)], csrf: form.csrf
                ).status
            }
            #expect(last == .tooManyRequests, "a taken phrase on the start form counts as a wrong guess")
        }
    }

    @Test func aBackupFromElsewhereOpensButItsTimesAreNotVouchedFor() async throws {
        var backup: [UInt8] = []
        var phrase = ""
        try await withTestApp { app, _ in
            _ = try await Fixtures.organisation(app)
            let browser = TestBrowser(app)
            phrase = try await start(browser)
            try await write(browser, [("date", "2026-10-01"), ("time_precision", "unknown"), ("what", "ELDERSGESCHREVEN")])
            let timeline = try await browser.get("/o/acme/logboek/tijdlijn")
            #expect(!timeline.body.contains("class=\"hint unconfirmed\""), "written here: vouched for")
            backup = try await browser.get("/o/acme/logboek/backup").bytes
        }
        try await withTestApp { app, _ in
            _ = try await Fixtures.organisation(app)
            let browser = TestBrowser(app)
            let start = try await browser.get("/o/acme/logboek")
            let restored = try await browser.postMultipart(
                "/o/acme/logboek/importeren", [("phrase", phrase)], files: [.init("logboek-backup.json", backup, field: "backup")],
                csrf: start.csrf)
            #expect(restored.location == "/o/acme/logboek/tijdlijn")
            let timeline = try await browser.get("/o/acme/logboek/tijdlijn")
            #expect(timeline.body.contains("ELDERSGESCHREVEN"))
            #expect(timeline.body.contains("class=\"hint unconfirmed\""), "another instance's secret: not vouched for")
        }
    }
}
