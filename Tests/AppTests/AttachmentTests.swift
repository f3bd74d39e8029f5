import Fluent
import Foundation
import Testing
import Vapor
import VaporTesting
import VertrouwdCore

@testable import App

/// Files on the contact form and in the inbox: checked, stripped, encrypted, and downloadable only
/// by the person (with the receipt) and the chosen counsellor.
@Suite("Attachments on contacts and in the inbox")
struct AttachmentFlowTests {
    /// A JPEG whose EXIF names a place and a camera, with an archive glued after its end.
    static let photo: [UInt8] = {
        func segment(_ marker: UInt8, _ payload: [UInt8]) -> [UInt8] {
            [0xFF, marker, UInt8((payload.count + 2) >> 8), UInt8((payload.count + 2) & 0xFF)] + payload
        }
        return [0xFF, 0xD8] + segment(0xE0, Array("JFIF\0".utf8) + [1, 1, 0, 0, 1, 0, 1, 0, 0])
            + segment(0xE1, Array("Exif\0\0GPSPOSITIE52.09 camera-serienummer".utf8)) + segment(0xDB, [0] + Array(repeating: 1, count: 64))
            + segment(0xC0, [8, 0, 1, 0, 1, 1, 1, 0x11, 0]) + segment(0xDA, [1, 1, 0, 0, 63, 0]) + [0x11, 0x22, 0x33, 0xFF, 0xD9]
            + Array("PK\u{3}\u{4}VERBORGENARCHIEF".utf8)
    }()

    static let pdf = Array("%PDF-1.4\n/Title (BIJLAGEPDFINHOUD)\n%%EOF\n".utf8)

    func contactForm(
        _ browser: TestBrowser, counsellor: Fixtures.Staff, message: String, notify: String = ""
    ) async throws
        -> ([(String, String)], String?)
    {
        let form = try await browser.get("/o/acme/contact")
        #expect(form.body.contains(#"enctype="multipart/form-data""#))
        let submission = try #require(form.submissionToken)
        let fields = [
            ("counsellor", try counsellor.account.requireID().uuidString), ("message", message), ("identity", "anonymous"),
            ("channel", "messages"), ("kinds[]", "pesten"), ("kinds[]", "intimidatie"), ("notify", notify), ("submission", submission),
        ]
        return (fields, form.csrf)
    }

    func openInbox(_ browser: TestBrowser, code: String) async throws -> TestBrowser.Page {
        let login = try await browser.get("/o/acme/inbox")
        return try await browser.post("/o/acme/inbox", [("receipt", code), ("action", "open")], csrf: login.csrf)
    }

    @Test func filesTravelEncryptedWithoutTheirMetadataToTheChosenCounsellorOnly() async throws {
        try await withTestApp { app, clock in
            let organisation = try await Fixtures.organisation(app)
            let anna = try await Fixtures.staff(app, role: .counsellor, email: "anna@acme.example", serving: organisation)
            let bram = try await Fixtures.staff(app, role: .counsellor, email: "bram@acme.example", serving: organisation)
            let person = TestBrowser(app)
            let (fields, csrf) = try await contactForm(person, counsellor: anna, message: "Zie de foto en de brief.")
            let receiptPage = try await person.postMultipart(
                "/o/acme/contact", fields,
                files: [
                    .init("C:\\fakepath\\IMG_BEWIJSNAAM.JPG", Self.photo, contentType: "image/jpeg"), .init("brief.pdf", Self.pdf),
                ], csrf: csrf)
            #expect(receiptPage.dataPage == "receipt")
            let code = try #require(receiptPage.receiptCode)
            let stored = try await CaseContent.query(on: app.db).filter(\.$field == .attachment).count()
            #expect(stored == 2)
            let record = try #require(try await CaseRecord.query(on: app.db).first())
            #expect(record.notifyAddress == nil, "no address given, none stored")

            // The person sees both files in the conversation and downloads the photo, cleaned.
            let inbox = try await openInbox(TestBrowser(app), code: code)
            #expect(inbox.body.contains("IMG_BEWIJSNAAM.JPG") && inbox.body.contains("brief.pdf"))
            #expect(!inbox.body.contains("fakepath"))
            let items = inbox.body.matches(of: /name="item" value="([0-9A-F-]+)"/).map { String($0.output.1) }
            #expect(items.count == 2)
            let personBrowser = TestBrowser(app)
            let reopened = try await openInbox(personBrowser, code: code)
            let download = try await personBrowser.post(
                "/o/acme/inbox", [("receipt", code), ("action", "download"), ("item", items[0])], csrf: reopened.csrf)
            #expect(download.status == .ok)
            #expect(download.headers.first(name: .contentType) == "image/jpeg")
            #expect(download.headers.first(name: .contentDisposition)?.hasPrefix("attachment;") == true)
            #expect(download.headers.first(name: "Content-Security-Policy")?.contains("sandbox") == true)
            #expect(Array(download.bytes.prefix(4)) == [0xFF, 0xD8, 0xFF, 0xE0])
            #expect(Array(download.bytes.suffix(2)) == [0xFF, 0xD9])
            for hidden in ["GPSPOSITIE", "camera-serienummer", "VERBORGENARCHIEF"] {
                #expect(!PlaintextScanTests.contains(download.bytes, Array(hidden.utf8)), "\(hidden) survived the upload")
            }
            // A wrong item or another case's receipt downloads nothing.
            #expect(
                try await personBrowser.post(
                    "/o/acme/inbox", [("receipt", code), ("action", "download"), ("item", UUID().uuidString)], csrf: reopened.csrf
                ).status == .notFound)

            // The counsellor downloads the PDF unchanged, and is told it was not cleaned.
            let annas = TestBrowser(app)
            try await annas.logIn(anna, at: clock.now)
            let casePath = try #require(try await annas.get("/backoffice").firstCasePath)
            let casePage = try await annas.get(casePath)
            #expect(casePage.body.contains(app.vertrouwd.catalog.text("attachment.not_cleaned", in: .dutch)))
            #expect(casePage.body.contains(app.vertrouwd.catalog.text("attachment.cleaned", in: .dutch)))
            let pdf = try await annas.get("\(casePath)/attachments/\(items[1])")
            #expect(pdf.bytes == Self.pdf)
            #expect(pdf.headers.first(name: .contentDisposition)?.contains("brief.pdf") == true)
            let brams = TestBrowser(app)
            clock.advance(by: 30)
            try await brams.logIn(bram, at: clock.now)
            #expect(try await brams.get("\(casePath)/attachments/\(items[1])").status == .notFound)

            // Names and contents are stored only encrypted, and never logged.
            let dump = try await PlaintextScanTests.storedBytes(app).flatMap(\.1)
            for secret in ["IMG_BEWIJSNAAM", "BIJLAGEPDFINHOUD", "brief.pdf"] {
                #expect(!PlaintextScanTests.contains(dump, Array(secret.utf8)), "\(secret) is stored in clear")
                #expect(!TestLogs.all.contains { $0.contains(secret) }, "\(secret) is logged")
            }
        }
    }

    @Test func refusedFilesStoreNothingAndKeepTheText() async throws {
        try await withTestApp { app, _ in
            let organisation = try await Fixtures.organisation(app)
            organisation.attachmentMaxMebibytes = 1
            organisation.attachmentFamilies = "image,pdf,document"
            try await organisation.save(on: app.db)
            let anna = try await Fixtures.staff(app, role: .counsellor, email: "anna@acme.example", serving: organisation)
            let person = TestBrowser(app)
            let cases: [([TestBrowser.Upload], String)] = [
                ([.init("setup.exe", Array("MZ\u{90}\0program".utf8))], "attachment.error.unknown_format"),
                ([.init("scan.pdf", SampleImage.png)], "attachment.error.mislabelled"),
                ([.init("groot.pdf", Array("%PDF-".utf8) + Array(repeating: 0x20, count: (1 << 20) + 10))], "attachment.error.too_large"),
                ([.init("opname.m4a", [0, 0, 0, 0x20] + Array("ftypM4A ".utf8))], "attachment.error.not_accepted"),
                ([.init("leeg.pdf", [])], "attachment.error.empty"),
                ((1...4).map { .init("brief\($0).pdf", Self.pdf) }, "attachment.error.too_many"),
            ]
            for (files, key) in cases {
                let (fields, csrf) = try await contactForm(person, counsellor: anna, message: "Mijn tekst blijft staan ‮ עברית")
                let page = try await person.postMultipart("/o/acme/contact", fields, files: files, csrf: csrf)
                #expect(page.status == .unprocessableEntity, "\(key)")
                let limit = key.hasSuffix("too_many") ? "3" : "1"
                let expected = app.vertrouwd.catalog.text(key, in: .dutch, [limit]).replacingOccurrences(of: "'", with: "&#39;")
                #expect(page.body.contains(expected), "\(key) is explained")
                #expect(page.body.contains("Mijn tekst blijft staan"), "the text is kept")
                #expect(page.body.contains(app.vertrouwd.catalog.text("attachment.reselect", in: .dutch)))
            }
            #expect(try await CaseRecord.query(on: app.db).count() == 0)
            #expect(try await CaseContent.query(on: app.db).count() == 0)
            // A name made to look harmless is shown escaped, never as markup.
            let (fields, csrf) = try await contactForm(person, counsellor: anna, message: "x")
            let page = try await person.postMultipart(
                "/o/acme/contact", fields, files: [.init("<img src=x onerror=alert(1)>.exe", Array("MZ".utf8))], csrf: csrf)
            #expect(!page.body.contains("<img src=x"))
            #expect(page.body.contains("&lt;img src=x onerror=alert(1)&gt;.exe"))
        }
    }

    @Test func theInboxTakesFilesLaterAndANudgeAddressThatOnlyTheOutboxOpens() async throws {
        let server = try TestSMTPServer()
        defer { server.stop() }
        try await withTestApp(adjust: {
            $0.smtp = SMTPClient.Settings(
                host: "127.0.0.1", port: server.port, from: "noreply@vertrouwd.example", timeout: TestSMTPServer.patientTimeout)
        }) { app, clock in
            let organisation = try await Fixtures.organisation(app)
            let anna = try await Fixtures.staff(app, role: .counsellor, email: "anna@acme.example", serving: organisation)
            let person = TestBrowser(app)
            var (fields, csrf) = try await contactForm(person, counsellor: anna, message: "Graag een gesprek.", notify: "geen-adres")
            let refused = try await person.postMultipart("/o/acme/contact", fields, files: [], csrf: csrf)
            #expect(refused.status == .unprocessableEntity)
            #expect(refused.body.contains(app.vertrouwd.catalog.text("contact.error.notify", in: .dutch)))
            (fields, csrf) = try await contactForm(
                person, counsellor: anna, message: "Graag een gesprek.", notify: "Melder.Prive@Example.NET")
            let receiptPage = try await person.postMultipart("/o/acme/contact", fields, files: [], csrf: csrf)
            let code = try #require(receiptPage.receiptCode)
            let record = try #require(try await CaseRecord.query(on: app.db).first())
            #expect(record.notifyAddress != nil)

            // A file alone is a valid addition; nothing at all is not.
            let inbox = try await openInbox(person, code: code)
            #expect(inbox.body.contains(app.vertrouwd.catalog.text("inbox.notify.on", in: .dutch)))
            let empty = try await person.postMultipart(
                "/o/acme/inbox", [("receipt", code), ("action", "reply"), ("message", "")], files: [], csrf: inbox.csrf)
            #expect(empty.status == .unprocessableEntity)
            let added = try await person.postMultipart(
                "/o/acme/inbox", [("receipt", code), ("action", "reply"), ("message", "")], files: [.init("brief.pdf", Self.pdf)],
                csrf: inbox.csrf)
            #expect(added.status == .ok)
            #expect(added.body.contains("brief.pdf"))

            // Two replies make one nudge, to the person's address, with the inbox link and nothing else.
            let annas = TestBrowser(app)
            try await annas.logIn(anna, at: clock.now)
            let casePath = try #require(try await annas.get("/backoffice").firstCasePath)
            for text in ["Eerste antwoord GEHEIMANTWOORD", "Tweede antwoord"] {
                let page = try await annas.get(casePath)
                #expect(page.body.contains("brief.pdf"))
                #expect(!page.body.contains("prive@example.net"), "the counsellor never sees the nudge address")
                try await annas.post("\(casePath)/reply", [("message", text)], csrf: page.csrf)
            }
            let waiting = try await OutgoingMail.query(on: app.db).filter(\.$caseID == record.requireID()).all()
            #expect(waiting.count == 1)
            #expect(waiting.first?.recipient == "", "the address is not copied into the outbox")
            let dump = try await PlaintextScanTests.storedBytes(app).flatMap(\.1)
            #expect(!PlaintextScanTests.contains(dump, Array("prive@example.net".utf8)), "the address is stored sealed")
            #expect(!TestLogs.all.contains { $0.contains("example.net") })
            _ = try await OutboxSender(services: app.vertrouwd, db: app.db, logger: app.logger).sendDue()
            let nudge = try #require(server.messages.first { $0.recipient == "melder.prive@example.net" })
            #expect(nudge.data.contains("/o/acme/inbox"))
            #expect(!nudge.data.contains("GEHEIMANTWOORD"))

            // After removing the address, a waiting nudge is dropped, not sent.
            let again = try await openInbox(person, code: code)
            let removed = try await person.post(
                "/o/acme/inbox", [("receipt", code), ("action", "notify"), ("notify", "")], csrf: again.csrf)
            #expect(removed.body.contains(app.vertrouwd.catalog.text("inbox.notify.off", in: .dutch)))
            try await OutgoingMail(recipient: "", template: "inbox-news", now: clock.now, caseID: record.requireID()).create(on: app.db)
            let before = server.messages.count
            _ = try await OutboxSender(services: app.vertrouwd, db: app.db, logger: app.logger).sendDue()
            #expect(server.messages.count == before)
        }
    }
}

/// A valid PNG header used as "a picture with the wrong name".
enum SampleImage {
    static let png: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 0, 0x49, 0x45, 0x4E, 0x44, 0xAE, 0x42, 0x60, 0x82]
}
