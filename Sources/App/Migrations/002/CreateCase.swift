import Fluent

extension Migrations002 {
    struct CreateCase: AsyncMigration {
        func prepare(on database: any Database) async throws {
            try await database.schema(CaseRecord.schema)
                .id()
                .field("organisation_id", .uuid, .required, .references(Organisation.schema, "id", onDelete: .restrict))
                .field("kind", .string, .required)
                .field("status", .string, .required)
                .field("key_version", .int, .required)
                .field("receipt_lookup", .string)
                .field("reporter_salt", .data)
                .field("reporter_public_key", .data)
                .field("created_at", .datetime)
                .field("updated_at", .datetime)
                .unique(on: "receipt_lookup")
                .create()
        }

        func revert(on database: any Database) async throws {
            try await database.schema(CaseRecord.schema).delete()
        }
    }
}
