import FluentPostgresDriver
import FluentSQLiteDriver
import Vapor

/// Tells a database that cannot be reached or cannot take a write right now (server gone, connection
/// cut, disk full, file locked) from a mistake in a query. An outage is answered with 503 and the
/// person's text kept on the page; a mistake stays a 500.
enum DatabaseOutage {
    /// SQLite result codes that mean "not now" rather than "wrong": full, I/O, locked, read-only.
    static let sqliteReasons = ["full", "ioError", "busy", "locked", "readOnly", "readonly", "cantOpen", "notADatabase"]

    /// PostgreSQL SQLSTATE classes of an unreachable server: connection exception, insufficient
    /// resources (disk full), operator intervention (shutdown), system error; and 55000, which a
    /// database refusing connections answers at login.
    static let postgresStates = ["08", "53", "57", "58", "55000"]

    static let connectionErrorTypes = [
        "NIOConnectionError", "ConnectionPoolTimeoutError", "ConnectionPoolError", "IOError", "ChannelError",
    ]

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
                return postgresStates.contains { state.hasPrefix($0) }
            default:
                return false
            }
        }
        let name = String(reflecting: type(of: error))
        return connectionErrorTypes.contains { name.hasSuffix($0) }
    }
}
