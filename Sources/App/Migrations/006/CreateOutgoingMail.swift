import Fluent

extension Migrations006 {
    struct CreateOutgoingMail: AsyncMigration {
        func prepare(on database: any Database) async throws {
            try await database.schema(OutgoingMail.schema)
                .id()
                .field("recipient", .string, .required)
                .field("template", .string, .required)
                .field("attempts", .int, .required)
                .field("next_attempt_at", .datetime, .required)
                .field("sent_at", .datetime)
                .field("failed_at", .datetime)
                .field("created_at", .datetime)
                .create()
        }

        func revert(on database: any Database) async throws {
            try await database.schema(OutgoingMail.schema).delete()
        }
    }
}
