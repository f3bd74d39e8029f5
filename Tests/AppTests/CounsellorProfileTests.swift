import Fluent
import Foundation
import Testing
import Vapor
import VaporTesting
import VertrouwdCore

@testable import App

@Suite("Counsellor profiles and the counsellors page")
struct CounsellorProfileTests {
    @Test func aCounsellorPresentsThemselvesAndPeopleChooseFromThePage() async throws {
        try await withTestApp { app, clock in
            let acme = try await Fixtures.organisation(app)
            let other = try await Fixtures.organisation(app, slug: "ander", name: "Ander BV")
            let anna = try await Fixtures.staff(app, role: .counsellor, email: "anna@acme.example", name: "Anna de Vries", serving: acme)
            _ = try await Fixtures.staff(app, role: .counsellor, email: "bram@ander.example", name: "Bram Jansen", serving: other)
            let browser = TestBrowser(app)
            try await browser.logIn(anna, at: clock.now)
            let form = try await browser.get("/account/profile")
            #expect(form.dataPage == "profile")
            let saved = try await browser.postMultipart(
                "/account/profile",
                [
                    ("introduction_nl", "Ik luister <script>alert(1)</script> en denk mee."), ("introduction_en", ""),
                    ("availability_nl", "Dinsdag en donderdag"), ("availability_en", "Tuesday and Thursday"), ("languages[]", "nl"),
                    ("languages[]", "tr"), ("languages[]", "klingon"),
                ],
                files: [.init("pasfoto.jpg", AttachmentFlowTests.photo, field: "photo")], csrf: form.csrf)
            #expect(saved.location == "/account/profile")

            // The page in Dutch: escaped introduction, languages by their own names, a photo without its EXIF.
            let page = try await browser.get("/o/acme/vertrouwenspersonen")
            #expect(page.dataPage == "counsellors")
            #expect(page.body.contains("Ik luister &lt;script&gt;alert(1)&lt;/script&gt; en denk mee."))
            #expect(page.body.contains("Nederlands, Türkçe"))
            #expect(!page.body.contains("klingon"))
            #expect(page.body.contains("Dinsdag en donderdag"))
            #expect(!page.body.contains("Bram Jansen"), "only this organisation's counsellors")
            let photoPath = try #require(page.firstMatch(#"src="(/o/acme/vertrouwenspersonen/[0-9A-F-]+/foto)""#))
            let photo = try await browser.get(photoPath)
            #expect(photo.headers.first(name: .contentType) == "image/jpeg")
            #expect(!PlaintextScanTests.contains(photo.bytes, Array("GPSPOSITIE".utf8)))
            #expect(try await browser.get(photoPath.replacingOccurrences(of: "/o/acme/", with: "/o/ander/")).status == .notFound)
            let contactHref = try #require(page.firstMatch(#"href="(/o/acme/contact\?vp=[0-9A-F-]+)""#))
            let contact = try await browser.get(contactHref)
            #expect(contact.body.contains(#"value="\#(try anna.account.requireID().uuidString)" checked"#))
            #expect(contact.body.contains("Nederlands, Türkçe"))

            // In English the Dutch introduction stands in for the missing English one.
            let englishBrowser = TestBrowser(app)
            englishBrowser.acceptLanguage = "en-GB"
            let englishPage = try await englishBrowser.get("/o/acme/vertrouwenspersonen")
            #expect(englishPage.lang == "en")
            #expect(englishPage.body.contains("Tuesday and Thursday"))
            #expect(englishPage.body.contains("Ik luister"))

            // A file that is not a photo changes nothing.
            let again = try await browser.get("/account/profile")
            let refused = try await browser.postMultipart(
                "/account/profile", [("introduction_nl", "Nieuwe tekst"), ("languages[]", "nl")],
                files: [.init("foto.jpg", Array("%PDF-1.4".utf8), field: "photo")], csrf: again.csrf)
            #expect(refused.status == .unprocessableEntity)
            let stored = try #require(try await CounsellorProfile.query(on: app.db).first())
            #expect(stored.introductionDutch.hasPrefix("Ik luister"))
            #expect(stored.photo != nil)

            // Removing the photo leaves initials.
            let remove = try await browser.get("/account/profile")
            try await browser.postMultipart(
                "/account/profile", [("introduction_nl", "Ik luister."), ("remove_photo", "on")], files: [], csrf: remove.csrf)
            let withoutPhoto = try await browser.get("/o/acme/vertrouwenspersonen")
            #expect(withoutPhoto.body.contains(#"<span class="profile-initials" aria-hidden="true">AV</span>"#))
            #expect(try await browser.get(photoPath).status == .notFound)
        }
    }

    @Test func onlyCounsellorsHaveAProfile() async throws {
        try await withTestApp { app, clock in
            let acme = try await Fixtures.organisation(app)
            let contact = try await Fixtures.staff(app, role: .organisationContact, email: "hr@acme.example", serving: acme)
            let browser = TestBrowser(app)
            #expect(try await browser.get("/account/profile").status != .ok)
            try await browser.logIn(contact, at: clock.now)
            #expect(try await browser.get("/account/profile").status == .forbidden)
            #expect(!(try await browser.get("/management").body.contains(#"id="edit-profile""#)))
        }
    }

    @Test func initialsComeFromTheFirstAndLastCapitalisedWord() {
        #expect(CounsellorsController.initials("Anna de Vries") == "AV")
        #expect(CounsellorsController.initials("Mehmet Yılmaz") == "MY")
        #expect(CounsellorsController.initials("Cher") == "C")
        #expect(CounsellorsController.initials("") == "")
    }
}
