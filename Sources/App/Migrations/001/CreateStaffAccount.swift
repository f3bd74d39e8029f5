import Fluent

extension Migrations001 {
    struct CreateStaffAccount: AsyncMigration {
        func prepare(on database: any Database) async throws {
            try await database.schema(StaffAccount.schema)
                .id()
                .field("email", .string, .required)
                .field("display_name", .string, .required)
                .field("role", .string, .required)
                .field("password_hash", .string)
                .field("totp_secret_sealed", .data)
                .field("totp_last_step", .int64)
                .field("is_disabled", .bool, .required)
                .field("activated_at", .datetime)
                .field("created_at", .datetime)
                .field("updated_at", .datetime)
                .unique(on: "email")
                .create()
        }

        func revert(on database: any Database) async throws {
            try await database.schema(StaffAccount.schema).delete()
        }
    }
}
