import Fluent

extension Migrations001 {
    struct CreateActivationToken: AsyncMigration {
        func prepare(on database: any Database) async throws {
            try await database.schema(ActivationToken.schema)
                .id()
                .field("account_id", .uuid, .required, .references(StaffAccount.schema, "id", onDelete: .cascade))
                .field("digest", .string, .required)
                .field("expires_at", .datetime, .required)
                .field("used_at", .datetime)
                .field("created_at", .datetime)
                .unique(on: "digest")
                .create()
        }

        func revert(on database: any Database) async throws {
            try await database.schema(ActivationToken.schema).delete()
        }
    }
}
