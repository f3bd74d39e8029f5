import Fluent

extension Migrations001 {
    struct CreateLoginThrottle: AsyncMigration {
        func prepare(on database: any Database) async throws {
            try await database.schema(ThrottleCount.schema)
                .id()
                .field("key_digest", .string, .required)
                .field("failures", .int, .required)
                .field("last_failure_at", .datetime, .required)
                .unique(on: "key_digest")
                .create()
        }

        func revert(on database: any Database) async throws {
            try await database.schema(ThrottleCount.schema).delete()
        }
    }
}
