import Fluent
import SQLKit

extension Migrations015 {
    /// The day a case ended, in its work-queue rows: the dashboard counts a counsellor's cases whose
    /// retention term ends soon on every visit, and with it that is one short index range of their
    /// own rows instead of a look at every case they hold (6.7 ms at 50,000 cases before).
    ///
    /// The rows are built here, for every case, now that the queue has all its columns: migration
    /// 013 made the table and leaves it to this one.
    struct AddQueueEndedAt: AsyncMigration {
        /// In one transaction: a rebuild that fails halfway leaves the schema and the queue as they were.
        func prepare(on database: any Database) async throws {
            try await database.transaction { database in
                try await database.schema(QueueRow.schema).field("ended_at", .int64).update()
                if let sql = database as? any SQLDatabase {
                    try await sql.raw(
                        "CREATE INDEX case_queue_ended ON case_queue (counsellor_id, ended_at) WHERE ended_at IS NOT NULL"
                    ).run()
                }
                // Through today's models: a later migration that adds a column to a model the
                // rebuild reads or writes must take this call over, as this one took it from 013.
                // UpgradeTests proves the path from a database with cases at 012.
                try await WorkQueueStore.rebuild(on: database)
            }
        }

        func revert(on database: any Database) async throws {
            if let sql = database as? any SQLDatabase { try await sql.raw("DROP INDEX IF EXISTS case_queue_ended").run() }
            try await database.schema(QueueRow.schema).deleteField("ended_at").update()
        }
    }
}
