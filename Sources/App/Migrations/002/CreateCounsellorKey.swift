import Fluent

extension Migrations002 {
    struct CreateCounsellorKey: AsyncMigration {
        func prepare(on database: any Database) async throws {
            try await database.schema(CounsellorKey.schema)
                .id()
                .field("account_id", .uuid, .required, .references(StaffAccount.schema, "id", onDelete: .cascade))
                .field("public_key", .data, .required)
                .field("wrapped_by_password", .string, .required)
                .field("wrapped_by_recovery", .string, .required)
                .field("created_at", .datetime)
                .field("updated_at", .datetime)
                .unique(on: "account_id")
                .create()
        }

        func revert(on database: any Database) async throws {
            try await database.schema(CounsellorKey.schema).delete()
        }
    }
}
