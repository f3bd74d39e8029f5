import Fluent

extension Migrations001 {
    struct CreateOrganisationMembership: AsyncMigration {
        func prepare(on database: any Database) async throws {
            try await database.schema(OrganisationMembership.schema)
                .id()
                .field("organisation_id", .uuid, .required, .references(Organisation.schema, "id", onDelete: .cascade))
                .field("account_id", .uuid, .required, .references(StaffAccount.schema, "id", onDelete: .cascade))
                .field("counsellor_kind", .string)
                .field("created_at", .datetime)
                .unique(on: "organisation_id", "account_id")
                .create()
        }

        func revert(on database: any Database) async throws {
            try await database.schema(OrganisationMembership.schema).delete()
        }
    }
}
