import Fluent
import Foundation
import SQLKit
import Testing
import Vapor
import VaporTesting
import VertrouwdCore

@testable import App

@Suite("What never reaches logs or the database in clear")
struct PrivacyTests {
    @Test func logsCarryNoEmailPasswordTokenOrQuery() async throws {
        try await withTestApp { app, clock in
            let marker = "markeer\(UUID().uuidString.prefix(8).lowercased())"
            let anna = try await Fixtures.staff(app, role: .counsellor, email: "\(marker)@acme.example", password: "wachtwoord-\(marker)")
            let browser = TestBrowser(app)
            try await browser.get("/o?code=\(marker)")
            let form = try await browser.get("/login")
            try await browser.post("/login", [("email", anna.email), ("password", "fout-\(marker)")], csrf: form.csrf)
            try await browser.logIn(anna, at: clock.now)
            let secrets = [marker, form.csrf ?? "", browser.sessionCookie ?? ""].filter { !$0.isEmpty }
            let lines = TestLogs.all
            #expect(lines.contains { $0.contains("request") }, "request logging is on")
            for line in lines {
                for secret in secrets { #expect(!line.contains(secret), "log line leaks a secret: \(line)") }
            }
        }
    }

    @Test func theDatabaseHoldsNoTOTPSeedEmailOfAFailedLoginOrRecoveryCodeInClear() async throws {
        try await withTestApp { app, clock in
            let anna = try await Fixtures.staff(app, role: .counsellor, email: "anna@acme.example")
            let browser = TestBrowser(app)
            let form = try await browser.get("/login")
            try await browser.post("/login", [("email", "onbekend-persoon@acme.example"), ("password", "x")], csrf: form.csrf)
            let seed = Base32.encode(anna.totpSecret)
            let dump = try await Self.dump(app)
            #expect(!dump.contains("onbekend-persoon"), "the throttle stores a keyed digest, not the address")
            #expect(!dump.contains(seed))
            #expect(!dump.contains(String(decoding: anna.totpSecret.map { $0 & 0x7F }, as: UTF8.self)))
            _ = clock
        }
    }

    /// Every text and blob in every table, as one string.
    static func dump(_ app: Application) async throws -> String {
        let sql = try #require(app.db as? any SQLDatabase)
        var out = ""
        for table in [StaffAccount.schema, ThrottleCount.schema, RecoveryCode.schema, ActivationToken.schema, WebSession.schema] {
            let rows = try await sql.raw("SELECT * FROM \(ident: table)").all()
            for row in rows {
                for column in row.allColumns {
                    if let text = try? row.decode(column: column, as: String.self) { out += text + "\n" }
                    if let data = try? row.decode(column: column, as: Data.self) { out += String(decoding: data, as: UTF8.self) + "\n" }
                }
            }
        }
        return out
    }
}

@Suite("Bounded password hashing")
struct PasswordServiceTests {
    @Test func twentyConcurrentHashesAllComplete() async throws {
        try await withTestApp { app, _ in
            let passwords = app.vertrouwd.passwords
            let hashes = try await withThrowingTaskGroup(of: String.self) { group in
                for index in 0..<20 { group.addTask { try await passwords.hash("wachtwoord \(index)") } }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(Set(hashes).count == 20)
            #expect(await passwords.queueLength() == 0)
        }
    }
}
