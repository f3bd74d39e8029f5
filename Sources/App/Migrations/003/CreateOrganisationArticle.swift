import Fluent

extension Migrations003 {
    struct CreateOrganisationArticle: AsyncMigration {
        func prepare(on database: any Database) async throws {
            try await database.schema(OrganisationArticle.schema)
                .id()
                .field("organisation_id", .uuid, .required, .references(Organisation.schema, "id", onDelete: .cascade))
                .field("slug", .string, .required)
                .field("language", .string, .required)
                .field("title", .string, .required)
                .field("summary", .string, .required)
                .field("body", .string, .required)
                .field("created_at", .datetime)
                .field("updated_at", .datetime)
                .unique(on: "organisation_id", "language", "slug")
                .create()
        }

        func revert(on database: any Database) async throws {
            try await database.schema(OrganisationArticle.schema).delete()
        }
    }
}
