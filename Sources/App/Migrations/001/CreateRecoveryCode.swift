import Fluent

extension Migrations001 {
    struct CreateRecoveryCode: AsyncMigration {
        func prepare(on database: any Database) async throws {
            try await database.schema(RecoveryCode.schema)
                .id()
                .field("account_id", .uuid, .required, .references(StaffAccount.schema, "id", onDelete: .cascade))
                .field("digest", .string, .required)
                .field("used_at", .datetime)
                .unique(on: "digest")
                .create()
        }

        func revert(on database: any Database) async throws {
            try await database.schema(RecoveryCode.schema).delete()
        }
    }
}
