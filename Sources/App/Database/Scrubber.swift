import Fluent
import SQLKit
import Vapor
import VertrouwdCore

/// After deletes that must really remove data: on SQLite the write-ahead log is emptied (the deletes
/// themselves ran with `secure_delete`, which overwrites freed bytes); on PostgreSQL the tables are
/// vacuumed, which makes their dead rows' space reusable.
struct Scrubber {
    let services: VertrouwdServices
    let db: any Database
    let logger: Logger

    func scrub(tables: [String]) async throws {
        guard let sql = db as? any SQLDatabase else { return }
        if services.settings.databaseURL == nil {
            // Busy (a reader holds an old snapshot): the log is emptied at the next checkpoint instead.
            struct Checkpoint: Decodable { let busy: Int }
            let result = try await sql.raw("PRAGMA wal_checkpoint(TRUNCATE)").first(decoding: Checkpoint.self)
            if result?.busy ?? 0 != 0 { logger.warning("write-ahead log not emptied yet", metadata: ["action": "scrub"]) }
        } else {
            for table in tables { try await sql.raw("VACUUM \(ident: table)").run() }
        }
    }
}
