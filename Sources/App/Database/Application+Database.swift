import Fluent
import FluentPostgresDriver
import FluentSQLiteDriver
import Foundation
import SQLKit
import Vapor

extension Application {
    /// SQLite in the data directory unless `DATABASE_URL` names a PostgreSQL server.
    ///
    /// Query logging is switched off (SQLite) or kept at trace (PostgreSQL), because bound values may
    /// hold personal data such as staff e-mail addresses.
    func configureDatabase(_ settings: AppSettings) throws {
        if let url = settings.databaseURL {
            databases.use(try .postgres(url: url, sqlLogLevel: .trace), as: .psql)
        } else {
            databases.use(.sqlite(.file(Self.sqlitePath(settings)), sqlLogLevel: nil), as: .sqlite)
        }
    }

    static func sqlitePath(_ settings: AppSettings) -> String {
        URL(fileURLWithPath: settings.dataDirectory).appendingPathComponent("vertrouwd.sqlite").path
    }

    /// WAL lets readers go on while one writer commits; `synchronous = FULL` makes each commit durable
    /// through a power cut or a killed process; `secure_delete` overwrites deleted content instead of
    /// leaving it in free pages. WAL is a property of the file; the other two belong to a connection,
    /// so they are set on each: one per event loop. (Both are also the compiled-in defaults of the
    /// SQLite the driver bundles.) Foreign keys are switched on per connection by the SQLite driver.
    func prepareSQLite() async throws {
        guard vertrouwd.settings.databaseURL == nil else { return }
        for (index, loop) in eventLoopGroup.makeIterator().enumerated() {
            guard let sql = databases.database(.sqlite, logger: logger, on: loop) as? any SQLDatabase else { continue }
            if index == 0 { try await sql.raw("PRAGMA journal_mode = WAL").run() }
            try await sql.raw("PRAGMA synchronous = FULL").run()
            try await sql.raw("PRAGMA secure_delete = ON").run()
            // The driver's busy handler retries at once, forever: a connection waiting for the write
            // lock spins on a core the writer needs. SQLite's own timeout backs off while it waits,
            // and gives up (an outage, 503) after ten seconds.
            try await sql.raw("PRAGMA busy_timeout = 10000").run()
        }
    }

    /// Runs the pending migrations. On PostgreSQL they run under an advisory lock, so that
    /// instances starting at the same moment migrate one after another: the second waits, then
    /// finds nothing left to do, instead of both creating the same table. The lock is held on a
    /// connection of its own, outside the pool the migrations use.
    func migrateExclusively() async throws {
        guard let url = vertrouwd.settings.databaseURL else {
            try await autoMigrate()
            return
        }
        let configuration = try SQLPostgresConfiguration(url: url).coreConfiguration
        let connection = try await PostgresConnection.connect(
            on: eventLoopGroup.any(), configuration: configuration, id: 0, logger: logger)
        do {
            try await connection.query("SELECT pg_advisory_lock(\(Self.migrationLockKey))", logger: logger)
            try await autoMigrate()
        } catch {
            try? await connection.close()
            throw error
        }
        // Closing the connection releases the lock.
        try await connection.close()
    }

    /// The advisory lock's number: "vertrouwd" in ASCII, to stay clear of other applications' locks.
    static let migrationLockKey: Int64 = 0x76_65_72_74_72_6F_75

    /// True when the database answers a trivial query.
    func databaseAnswers() async -> Bool {
        guard let sql = db as? any SQLDatabase else { return false }
        do {
            try await sql.raw("SELECT 1").run()
            return true
        } catch {
            return false
        }
    }
}

extension Database {
    /// A transaction that takes the write lock before it reads. On SQLite in WAL mode a transaction
    /// that reads first and writes later fails at once (SQLITE_BUSY_SNAPSHOT) when another connection
    /// committed in between; one that starts with a write waits for the lock and then reads the
    /// newest state. Use it wherever a transaction reads something and writes what follows from it.
    func writeTransaction<T: Sendable>(_ body: @escaping @Sendable (any Database) async throws -> T) async throws -> T {
        try await transaction { db in
            if let sql = db as? any SQLDatabase, sql.dialect.name == "sqlite" {
                try await sql.raw("UPDATE audit_events SET sequence = sequence WHERE 0").run()
            }
            return try await body(db)
        }
    }
}
