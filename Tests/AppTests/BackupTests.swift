import Fluent
import Foundation
import Testing
import Vapor
import VaporTesting
import VertrouwdCore

@testable import App

/// `vertrouwd backup` and `vertrouwd restore`: a copy taken from a running instance restores into a
/// fresh data directory, and a counsellor there opens the case as before.
@Suite("Backup and restore")
struct BackupTests {
    @Test func aBackupRestoresIntoAFreshDirectoryWhereCasesStillOpen() async throws {
        let secret = Data((0..<32).map { UInt8($0 * 7 % 256) }).base64EncodedString()
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("vertrouwd-backup-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        let file = scratch.appendingPathComponent("backup.sqlite").path
        let restored = scratch.appendingPathComponent("restored").path
        var anna: Fixtures.Staff?
        var caseID: UUID?

        try await withTestApp(arguments: ["vertrouwd", "backup", file], adjust: { $0.secretBase64 = secret }) { app, _ in
            app.asyncCommands.use(BackupCommand(), as: "backup")
            let acme = try await Fixtures.organisation(app)
            anna = try await Fixtures.staff(app, role: .counsellor, email: "anna@acme.example", serving: acme)
            try await Fixtures.contact(app, slug: "acme", to: try #require(anna), message: "HERSTELDBERICHT over mijn team")
            caseID = try await CaseRecord.query(on: app.db).first()?.id
            if usingPostgres {
                // PostgreSQL is backed up with pg_dump; the command says so and writes nothing.
                await #expect(throws: ExitCode.self) { try await app.execute() }
                #expect(!FileManager.default.fileExists(atPath: file))
                return
            }
            try await app.execute()
            #expect(FileManager.default.fileExists(atPath: file))
            // Never over an existing file.
            await #expect(throws: ExitCode.self) { try await app.execute() }
        }
        guard !usingPostgres else { return }

        // A file that is not a database is refused and leaves nothing behind.
        let garbage = scratch.appendingPathComponent("garbage.sqlite").path
        try Data("geen database".utf8).write(to: URL(fileURLWithPath: garbage))
        try await withTestApp(arguments: ["vertrouwd", "restore", garbage, "--into", restored], adjust: { $0.secretBase64 = secret }) {
            app, _ in
            app.asyncCommands.use(RestoreCommand(), as: "restore")
            await #expect(throws: ExitCode.self) { try await app.execute() }
            #expect(!FileManager.default.fileExists(atPath: restored + "/vertrouwd.sqlite"))
        }
        // Restoring with another instance's secret is refused and leaves nothing behind.
        let wrong = Data(repeating: 9, count: 32).base64EncodedString()
        try await withTestApp(arguments: ["vertrouwd", "restore", file, "--into", restored], adjust: { $0.secretBase64 = wrong }) {
            app, _ in
            app.asyncCommands.use(RestoreCommand(), as: "restore")
            await #expect(throws: ExitCode.self) { try await app.execute() }
            #expect(!FileManager.default.fileExists(atPath: restored + "/vertrouwd.sqlite"))
        }
        try await withTestApp(arguments: ["vertrouwd", "restore", file, "--into", restored], adjust: { $0.secretBase64 = secret }) {
            app, _ in
            app.asyncCommands.use(RestoreCommand(), as: "restore")
            try await app.execute()
            // Not twice over the same database.
            await #expect(throws: ExitCode.self) { try await app.execute() }
        }
        // An instance on the restored directory: the counsellor logs in and reads the case.
        try await withTestApp(adjust: {
            $0.secretBase64 = secret
            $0.dataDirectory = restored
        }) { app, clock in
            let staff = try #require(anna)
            let browser = TestBrowser(app)
            try await browser.logIn(staff, at: clock.now)
            let page = try await browser.get("/backoffice/cases/\(try #require(caseID))")
            #expect(page.status == .ok && page.body.contains("HERSTELDBERICHT"))
        }
    }
}
