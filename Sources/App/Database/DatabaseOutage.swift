import FluentPostgresDriver
import FluentSQLiteDriver
import Vapor

/// Tells a database that cannot be reached or cannot take a write right now (server gone, connection
/// cut, disk full) from a mistake in a query or a broken setup. An outage is answered with 503 and
/// the person's text kept on the page; everything else stays a 500, so bugs are not hidden.
enum DatabaseOutage {
    /// SQLite result codes that mean "not now": full, I/O, busy, read-only while recovering.
    static let sqliteReasons = ["full", "ioError", "busy", "readonlyInRecovery", "readonlyCantLock"]

    /// PostgreSQL SQLSTATEs of an unreachable server: connection exception (08), insufficient
    /// resources such as a full disk (53), shutdown by an operator (57P0x), system error (58).
    static let postgresStates = ["08", "53", "57P0", "58"]

    static let connectionErrorTypes = ["NIOConnectionError", "ConnectionPoolTimeoutError", "ConnectionPoolError"]

    static func isOutage(_ error: any Error) -> Bool {
        if let sqlite = error as? SQLiteError {
            let reason = String(describing: sqlite.reason)
            return sqliteReasons.contains { reason.hasPrefix($0) }
        }
        if let postgres = error as? PSQLError {
            switch postgres.code {
            case .connectionError, .serverClosedConnection, .clientClosedConnection, .uncleanShutdown, .poolClosed:
                return true
            case .server:
                let state = postgres.serverInfo?[.sqlState] ?? ""
                // 55000 at login (no query yet): the database does not accept connections now.
                return postgresStates.contains { state.hasPrefix($0) } || (state == "55000" && postgres.query == nil)
            default:
                return false
            }
        }
        let name = String(reflecting: type(of: error))
        return connectionErrorTypes.contains { name.hasSuffix($0) }
    }

    /// What an operator needs to tell the cases apart (the SQLite reason, the SQLSTATE), and nothing
    /// that could carry personal data.
    static func describe(_ error: any Error) -> String {
        if let sqlite = error as? SQLiteError { return "SQLite \(sqlite.reason)" }
        if let postgres = error as? PSQLError {
            return "PostgreSQL \(postgres.code) \(postgres.serverInfo?[.sqlState] ?? "")"
        }
        return String(reflecting: type(of: error))
    }
}
