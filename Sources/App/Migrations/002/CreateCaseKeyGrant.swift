import Fluent

extension Migrations002 {
    struct CreateCaseKeyGrant: AsyncMigration {
        func prepare(on database: any Database) async throws {
            try await database.schema(CaseKeyGrant.schema)
                .id()
                .field("case_id", .uuid, .required, .references(CaseRecord.schema, "id", onDelete: .cascade))
                .field("key_version", .int, .required)
                .field("recipient", .string, .required)
                .field("counsellor_id", .uuid, .references(StaffAccount.schema, "id", onDelete: .cascade))
                .field("encapsulated_key", .data, .required)
                .field("sealed_key", .data, .required)
                .field("created_at", .datetime)
                .create()
        }

        func revert(on database: any Database) async throws {
            try await database.schema(CaseKeyGrant.schema).delete()
        }
    }
}
