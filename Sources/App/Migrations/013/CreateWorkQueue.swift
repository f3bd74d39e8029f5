import Fluent
import SQLKit

extension Migrations013 {
    /// The language a case was written in, and the counsellors' work queue with the indexes that
    /// make each of its pages one range scan (their query plans are in docs/architecture.md). The
    /// queue is filled from the cases already there by migration 015.
    struct CreateWorkQueue: AsyncMigration {
        static let indexes = [
            "CREATE INDEX case_queue_standing ON case_queue (counsellor_id, standing, standing_key, case_id)",
            "CREATE INDEX case_queue_remind ON case_queue (counsellor_id, remind_at)",
            "CREATE INDEX case_queue_organisation ON case_queue (counsellor_id, organisation_id, standing, standing_key, case_id)",
            "CREATE INDEX case_queue_case ON case_queue (case_id)",
        ]

        func prepare(on database: any Database) async throws {
            try await database.schema(CaseRecord.schema).field("language", .string).update()
            try await database.schema(QueueRow.schema)
                .id()
                .field("counsellor_id", .uuid, .required, .references(StaffAccount.schema, "id", onDelete: .cascade))
                .field("case_id", .uuid, .required, .references(CaseRecord.schema, "id", onDelete: .cascade))
                .field("organisation_id", .uuid, .required)
                .field("kind", .string, .required)
                .field("status", .string, .required)
                .field("language", .string)
                .field("shared", .bool, .required)
                .field("standing", .int, .required)
                .field("standing_key", .int64, .required)
                .field("due_at", .int64)
                .field("remind_at", .int64)
                .field("deadline", .string)
                .field("received_at", .int64, .required)
                .field("waiting_since", .int64)
                .field("match_pending", .bool, .required)
                .unique(on: "counsellor_id", "case_id")
                .create()
            if let sql = database as? any SQLDatabase {
                for index in Self.indexes { try await sql.raw(SQLQueryString(index)).run() }
            }
            // The rows are built by migration 015, once the table has its last column (`ended_at`).
        }

        func revert(on database: any Database) async throws {
            try await database.schema(QueueRow.schema).delete()
            try await database.schema(CaseRecord.schema).deleteField("language").update()
        }
    }
}
