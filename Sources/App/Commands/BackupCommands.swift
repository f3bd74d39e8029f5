import Fluent
import FluentSQLiteDriver
import Foundation
import SQLKit
import Vapor
import VertrouwdCore

/// `vertrouwd backup <file>`: a consistent copy of the SQLite database, taken while the server runs
/// (`VACUUM INTO`), never over an existing file. It holds the database only: the instance secret
/// (which seals the staff's second factors and the people's nudge addresses) is kept apart, and a
/// restore needs both. PostgreSQL is backed up with `pg_dump` (see docs/security.md).
struct BackupCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Argument(name: "file", help: "Where to write the backup (must not exist)")
        var file: String
    }

    var help: String { "Writes a consistent copy of the SQLite database to <file>; PostgreSQL: use pg_dump." }

    func run(using context: CommandContext, signature: Signature) async throws {
        let app = context.application
        guard app.vertrouwd.settings.databaseURL == nil, let sql = app.db as? any SQLDatabase else {
            context.console.error("This instance uses PostgreSQL: back it up with pg_dump --format=custom (docs/security.md).")
            throw ExitCode(1)
        }
        let target = URL(fileURLWithPath: signature.file).standardizedFileURL.path
        guard !FileManager.default.fileExists(atPath: target) else {
            context.console.error("\(target) exists already; a backup never overwrites a file.")
            throw ExitCode(1)
        }
        try await sql.raw("VACUUM INTO \(literal: target)").run()
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: target)
        let size = (try? FileManager.default.attributesOfItem(atPath: target)[.size] as? Int) ?? 0
        context.console.print("Backup written to \(target) (\(size) bytes).")
        context.console.print("It holds the database only. Keep the instance secret apart: a restore needs both.")
    }
}

/// `vertrouwd restore <file> --into <directory>`: puts a backup in place as the database of a data
/// directory that has none, then checks it: SQLite's integrity check, and that this instance's
/// secret opens what the backup sealed with its own (else the staff could not log in).
struct RestoreCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Argument(name: "file", help: "The backup to restore")
        var file: String
        @Option(name: "into", help: "The data directory to restore into (default: this instance's)")
        var into: String?
    }

    var help: String { "Restores a SQLite backup into a data directory without a database, and checks it." }

    func run(using context: CommandContext, signature: Signature) async throws {
        let app = context.application
        let settings = app.vertrouwd.settings
        guard settings.databaseURL == nil else {
            context.console.error("This instance uses PostgreSQL: restore with pg_restore (docs/security.md).")
            throw ExitCode(1)
        }
        let directory = signature.into ?? settings.dataDirectory
        var target = settings
        target.dataDirectory = directory
        let path = Application.sqlitePath(target)
        guard FileManager.default.fileExists(atPath: signature.file) else {
            context.console.error("\(signature.file) does not exist.")
            throw ExitCode(1)
        }
        guard !FileManager.default.fileExists(atPath: path) else {
            context.console.error("\(path) exists: restore into a data directory without a database.")
            throw ExitCode(1)
        }
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: signature.file, toPath: path)
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: path)
        let id = DatabaseID(string: "restore")
        app.databases.use(.sqlite(.file(path)), as: id, isDefault: false)
        let db = app.db(id)
        do {
            try await check(db, app: app)
        } catch {
            try? FileManager.default.removeItem(atPath: path)
            if !(error is ExitCode) { context.console.error("\(signature.file) is not a readable Vertrouwd backup; nothing was restored.") }
            throw ExitCode(1)
        }
        let cases = try await CaseRecord.query(on: db).count()
        let accounts = try await StaffAccount.query(on: db).count()
        context.console.print("Restored into \(path): \(cases) case(s), \(accounts) staff account(s); integrity checked.")
    }

    private func check(_ db: any Database, app: Application) async throws {
        guard let sql = db as? any SQLDatabase,
            try await sql.raw("PRAGMA integrity_check").first()?.decode(column: "integrity_check", as: String.self) == "ok"
        else {
            app.logger.error("The backup failed SQLite's integrity check; nothing was restored.")
            throw ExitCode(1)
        }
        if let account = try await StaffAccount.query(on: db).filter(\.$totpSecretSealed != nil).first(),
            let sealed = account.totpSecretSealed
        {
            do {
                _ = try app.vertrouwd.totpBox.open(Array(sealed), context: account.totpSealContext)
            } catch {
                app.logger.error("This instance's secret does not open the backup: use the secret the backup was made with.")
                throw ExitCode(1)
            }
        }
    }
}
