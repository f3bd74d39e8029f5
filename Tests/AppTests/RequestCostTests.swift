import Fluent
import Foundation
import Testing
import Vapor
import VaporTesting
import VertrouwdCore

@testable import App

/// What keeps an ordinary request cheap without changing what it answers: files from memory, and no
/// session write when nothing in the session changed.
@Suite("Request costs")
struct RequestCostTests {
    @Test func staticFilesComeFromMemoryWithAnETag() async throws {
        try await withTestApp { app, _ in
            let onDisk = try Data(contentsOf: URL(fileURLWithPath: app.directory.publicDirectory + "css/app.css"))
            let first = try await app.testing().sendRequest(.GET, "/css/app.css")
            #expect(first.status == .ok)
            #expect(Data(first.body.readableBytesView) == onDisk)
            #expect(first.headers.contentType == .css)
            let etag = try #require(first.headers.first(name: .eTag))
            let again = try await app.testing().sendRequest(.GET, "/css/app.css", headers: ["If-None-Match": etag])
            #expect(again.status == .notModified)
            #expect(again.body.readableBytes == 0)
            let stale = try await app.testing().sendRequest(.GET, "/css/app.css", headers: ["If-None-Match": "\"old\""])
            #expect(stale.status == .ok)
            #expect(try await app.testing().sendRequest(.GET, "/css/missing.css").status == .notFound)
            #expect(try await app.testing().sendRequest(.GET, "/css/../Package.swift").status == .notFound)
        }
    }

    @Test func aSessionIsWrittenOnlyWhenItChangedOrOnceAMinute() async throws {
        try await withTestApp { app, clock in
            _ = try await Fixtures.organisation(app)
            let browser = TestBrowser(app)
            _ = try await browser.get("/o/acme/contact")
            func stored() async throws -> WebSession { try #require(try await WebSession.query(on: app.db).first()) }
            let made = try await stored()
            clock.advance(by: 30)
            _ = try await browser.get("/o/acme/kennisbank")
            _ = try await browser.get("/o/acme/kennisbank/pesten")
            #expect(try await stored().lastSeenAt == made.lastSeenAt, "reading changed nothing to write")
            clock.advance(by: 31)
            _ = try await browser.get("/o/acme/kennisbank")
            #expect(try await stored().lastSeenAt == clock.now, "a minute on, the session is seen again")
            // A change is written at once, whatever the time: signing in puts the account in the session.
            let counsellor = try await Fixtures.staff(app, role: .counsellor, email: "vp@example.org")
            try await browser.logIn(counsellor, at: clock.now)
            let sessions = try await WebSession.query(on: app.db).all()
            let accountID = try counsellor.account.requireID().uuidString
            #expect(sessions.contains { $0.data.snapshot[SessionKeys.account] == accountID })
            #expect(try await browser.get("/backoffice").dataPage == "backoffice")
        }
    }
}
