import Fluent
import FluentPostgresDriver
import FluentSQLiteDriver
import Foundation
import SQLKit
import Testing
import Vapor
import VaporTesting
import VertrouwdCore

@testable import App

/// The database goes away while a person is writing, and comes back: they get a 503 page with
/// their text and a button to send it again, and the server carries on without a restart.
@Suite("Database outage")
struct DatabaseOutageTests {
    @Test func aContactDuringAnOutageKeepsItsTextAndGoesThroughOnceTheDatabaseIsBack() async throws {
        try await withTestApp { app, clock in
            let acme = try await Fixtures.organisation(app)
            let anna = try await Fixtures.staff(app, role: .counsellor, email: "anna@acme.example", serving: acme)
            let person = TestBrowser(app)
            let form = try await person.get("/o/acme/contact")
            let submission = try #require(form.submissionToken)
            // As long as the form allows, so that it cannot fit in space the database already has.
            let message = String(String(repeating: "Mijn verhaal VERTROUWDTEKST ", count: 800).prefix(MessageDraft.maximumLength))
            let outage = try await Outage.make(app)
            try await outage.begin()
            let refused: TestBrowser.Page
            do {
                refused = try await person.post(
                    "/o/acme/contact",
                    [
                        ("counsellor", try anna.account.requireID().uuidString), ("message", message), ("identity", "anonymous"),
                        ("channel", "messages"), ("kinds[]", "pesten"), ("submission", submission), ("password", "nooit-terug"),
                    ], csrf: form.csrf)
                if usingPostgres { #expect(try await person.get("/health").status == .serviceUnavailable) }
            } catch {
                try await outage.end()
                throw error
            }
            try await outage.end()

            #expect(refused.status == .serviceUnavailable)
            #expect(refused.dataPage == "unavailable")
            #expect(refused.headers.first(name: .retryAfter) == "30")
            #expect(refused.body.contains(message), "the text is on the page")
            #expect(!refused.body.contains("nooit-terug"), "a password is never echoed")
            #expect(try await CaseRecord.query(on: app.db).count() == 0, "nothing half-written")

            // Back again: the same page's button sends the same form, which now goes through.
            #expect(try await person.get("/health").status == .ok)
            let fields = Self.formFields(refused.body)
            #expect(fields.contains { $0.0 == "message" && $0.1 == message })
            #expect(fields.contains { $0.0 == "csrf" })
            let action = try #require(refused.firstMatch(#"<form method="post" action="([^"]+)" id="unavailable-form""#))
            let sent = try await person.post(action, fields, csrf: nil)
            let receipt = try #require(sent.receiptCode, "\(sent.status) \(sent.dataPage ?? "")")
            #expect(try await CaseRecord.query(on: app.db).count() == 1)
            let inbox = try await person.post("/o/acme/inbox", [("receipt", receipt), ("action", "open")], csrf: sent.csrf)
            #expect(inbox.body.contains(message))
            _ = clock
        }
    }

    /// Only what the person wrote and the form's own plumbing come back; secrets never do, nor forms
    /// for paths that take none, nor more than a form could hold.
    @Test func aKeptFormEchoesOnlyWhatIsMeantToComeBack() async throws {
        try await withTestApp { app, _ in
            func kept(_ path: String, _ body: String) async -> KeptForm? {
                let request = Request(
                    application: app, method: .POST, url: URI(path: path),
                    headers: ["Content-Type": "application/x-www-form-urlencoded"], collectedBody: ByteBuffer(string: body),
                    on: app.eventLoopGroup.next())
                return await KeptForm.from(request)
            }
            let form = try #require(
                await kept(
                    "/o/acme/inbox",
                    "receipt=ABCD-EFGH&key_recovery=GEHEIM&password=x&action=reply&message=Mijn+tekst&csrf=t&unknown=y"))
            #expect(form.shown.map(\.name) == ["message"] && form.shown.first?.value == "Mijn tekst")
            #expect(Set(form.hidden.map(\.name)) == ["action", "csrf"])
            #expect(form.hadSecrets)
            #expect(await kept("/nergens", "message=x") == nil, "no form posts there")
            #expect(await kept("/o/acme/inbox", (0..<300).map { "message=\($0)" }.joined(separator: "&")) == nil)
        }
    }

    /// The hidden fields and text boxes of the 503 page's form.
    static func formFields(_ body: String) -> [(String, String)] {
        func unescape(_ text: Substring) -> String {
            [("&lt;", "<"), ("&gt;", ">"), ("&quot;", "\""), ("&#39;", "'"), ("&amp;", "&")].reduce(String(text)) {
                $0.replacingOccurrences(of: $1.0, with: $1.1)
            }
        }
        let hidden = body.matches(of: /<input type="hidden" name="([^"]*)" value="([^"]*)">/).map {
            (unescape($0.output.1), unescape($0.output.2))
        }
        let texts = body.matches(of: /<textarea id="kept-[0-9]+" name="([^"]*)" rows="6">([^<]*)<\/textarea>/).map {
            (unescape($0.output.1), unescape($0.output.2))
        }
        return hidden + texts
    }

    /// Takes the database away the way it happens for real: PostgreSQL stops accepting connections
    /// and drops the open ones; SQLite finds its disk full (no page may be added to the file).
    struct Outage {
        let app: Application
        let maintenance: DatabaseID?
        let name: String

        static func make(_ app: Application) async throws -> Outage {
            guard let url = app.vertrouwd.settings.databaseURL, var components = URLComponents(string: url) else {
                return Outage(app: app, maintenance: nil, name: "")
            }
            let name = String(components.path.dropFirst())
            components.path = "/postgres"
            let id = DatabaseID(string: "maintenance")
            app.databases.use(try .postgres(url: try #require(components.string)), as: id)
            return Outage(app: app, maintenance: id, name: name)
        }

        func begin() async throws {
            if let maintenance {
                let sql = try #require(app.db(maintenance) as? any SQLDatabase)
                try await sql.raw("ALTER DATABASE \(ident: name) ALLOW_CONNECTIONS false").run()
                try await sql.raw("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = \(bind: name)").run()
                return
            }
            for connection in sqliteConnections() {
                try await connection.raw("VACUUM").run()
                let pages = try #require(try await connection.raw("PRAGMA page_count").first()?.decode(column: "page_count", as: Int.self))
                try await connection.raw("PRAGMA max_page_count = \(unsafeRaw: String(pages))").run()
            }
        }

        func end() async throws {
            if let maintenance {
                let sql = try #require(app.db(maintenance) as? any SQLDatabase)
                try await sql.raw("ALTER DATABASE \(ident: name) ALLOW_CONNECTIONS true").run()
                return
            }
            for connection in sqliteConnections() {
                try await connection.raw("PRAGMA max_page_count = 1073741823").run()
            }
        }

        /// One database per event loop: each has its own pooled connection, so every one is limited.
        func sqliteConnections() -> [any SQLDatabase] {
            app.eventLoopGroup.makeIterator().compactMap {
                app.databases.database(.sqlite, logger: app.logger, on: $0) as? any SQLDatabase
            }
        }
    }
}
