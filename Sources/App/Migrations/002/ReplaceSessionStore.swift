import Fluent

extension Migrations002 {
    /// Sessions move from Fluent's `_fluent_sessions` (ids stored in clear) to `web_sessions`
    /// (ids stored as SHA-256). Existing sessions end: everyone logs in once more.
    struct ReplaceSessionStore: AsyncMigration {
        func prepare(on database: any Database) async throws {
            try await database.schema(WebSession.schema)
                .id()
                .field("key_digest", .string, .required)
                .field("data", .json, .required)
                .field("last_seen_at", .datetime, .required)
                .unique(on: "key_digest")
                .create()
            try await database.schema(SessionRecord.schema).delete()
        }

        func revert(on database: any Database) async throws {
            try await database.schema(SessionRecord.schema)
                .id()
                .field("key", .string, .required)
                .field("data", .json, .required)
                .unique(on: "key")
                .create()
            try await database.schema(WebSession.schema).delete()
        }
    }
}
