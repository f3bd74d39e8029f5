import Fluent
import SQLKit

extension Migrations012 {
    /// Named parties as keyed digests, the matches between cases with each counsellor's confirmation
    /// and each person's choice, and marks that tell two cases of one person apart from two people.
    struct AddNamedParties: AsyncMigration {
        func prepare(on database: any Database) async throws {
            try await database.schema(NamedPartyDigest.schema)
                .id()
                .field("organisation_id", .uuid, .required, .references(Organisation.schema, "id", onDelete: .cascade))
                .field("case_id", .uuid, .required, .references(CaseRecord.schema, "id", onDelete: .cascade))
                .field("kind", .string, .required)
                .field("digest", .string, .required)
                .field("initials_only", .bool, .required)
                .field("created_at", .datetime)
                .unique(on: "case_id", "kind", "digest")
                .create()
            try await database.schema(PartyMatch.schema)
                .id()
                .field("organisation_id", .uuid, .required, .references(Organisation.schema, "id", onDelete: .cascade))
                .field("first_case_id", .uuid, .required, .references(CaseRecord.schema, "id", onDelete: .cascade))
                .field("second_case_id", .uuid, .required, .references(CaseRecord.schema, "id", onDelete: .cascade))
                .field("first_choice", .string, .required)
                .field("second_choice", .string, .required)
                .field("found_at", .datetime, .required)
                .field("first_decided_at", .datetime)
                .field("second_decided_at", .datetime)
                .field("matched_kind", .string, .required)
                .field("first_confirmed_at", .datetime)
                .field("second_confirmed_at", .datetime)
                .unique(on: "first_case_id", "second_case_id")
                .create()
            try await database.schema(CasePersonMark.schema)
                .id()
                .field("organisation_id", .uuid, .required, .references(Organisation.schema, "id", onDelete: .cascade))
                .field("case_id", .uuid, .required, .references(CaseRecord.schema, "id", onDelete: .cascade))
                .field("digest", .string, .required)
                .unique(on: "case_id", "digest")
                .create()
            guard let sql = database as? any SQLDatabase else { return }
            try await sql.raw("CREATE INDEX named_parties_lookup ON named_parties (organisation_id, digest)").run()
            try await sql.raw("CREATE INDEX party_matches_second ON party_matches (second_case_id)").run()
        }

        func revert(on database: any Database) async throws {
            try await database.schema(CasePersonMark.schema).delete()
            try await database.schema(PartyMatch.schema).delete()
            try await database.schema(NamedPartyDigest.schema).delete()
        }
    }
}
