import Fluent

extension Migrations001 {
    struct CreateOrganisation: AsyncMigration {
        func prepare(on database: any Database) async throws {
            try await database.schema(Organisation.schema)
                .id()
                .field("name", .string, .required)
                .field("slug", .string, .required)
                .field("default_language", .string, .required)
                .field("created_at", .datetime)
                .field("updated_at", .datetime)
                .unique(on: "slug")
                .create()
        }

        func revert(on database: any Database) async throws {
            try await database.schema(Organisation.schema).delete()
        }
    }
}
