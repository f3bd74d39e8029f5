import Fluent

extension Migrations004 {
    struct CreateCaseSubmission: AsyncMigration {
        func prepare(on database: any Database) async throws {
            try await database.schema(CaseSubmission.schema)
                .id()
                .field("digest", .string, .required)
                .field("case_id", .uuid, .required, .references(CaseRecord.schema, "id", onDelete: .cascade))
                .field("created_at", .datetime)
                .unique(on: "digest")
                .create()
        }

        func revert(on database: any Database) async throws {
            try await database.schema(CaseSubmission.schema).delete()
        }
    }
}
