import Fluent

extension Migrations002 {
    struct CreateCaseContent: AsyncMigration {
        func prepare(on database: any Database) async throws {
            try await database.schema(CaseContent.schema)
                .id()
                .field("case_id", .uuid, .required, .references(CaseRecord.schema, "id", onDelete: .cascade))
                .field("field", .string, .required)
                .field("revision", .int, .required)
                .field("key_version", .int, .required)
                .field("author", .string, .required)
                .field("ciphertext", .data, .required)
                .field("created_at", .datetime)
                .create()
        }

        func revert(on database: any Database) async throws {
            try await database.schema(CaseContent.schema).delete()
        }
    }
}
