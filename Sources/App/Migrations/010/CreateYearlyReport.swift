import Fluent
import FluentSQL
import SQLKit

extension Migrations010 {
    /// Optional yearly-report breakdowns: switched on per organisation, filled in per registration.
    struct AddOptionalBreakdowns: AsyncMigration {
        func prepare(on database: any Database) async throws {
            // SQLite takes one column per statement.
            try await database.schema(Organisation.schema).field("registers_gender", .bool, .required, .sql(.default(false))).update()
            for column in ["job_groups", "locations"] {
                try await database.schema(Organisation.schema).field(.string(column), .string, .required, .sql(.default(""))).update()
            }
            for column in ["gender", "job_group", "location"] {
                try await database.schema(CaseRegistration.schema).field(.string(column), .string).update()
            }
        }

        func revert(on database: any Database) async throws {
            for column in ["registers_gender", "job_groups", "locations"] {
                try await database.schema(Organisation.schema).deleteField(.string(column)).update()
            }
            for column in ["gender", "job_group", "location"] {
                try await database.schema(CaseRegistration.schema).deleteField(.string(column)).update()
            }
        }
    }

    /// Yearly reports: a draft per organisation and year, released versions frozen with their
    /// published figures; and the indexes the report's aggregation reads registrations through.
    struct CreateYearlyReport: AsyncMigration {
        func prepare(on database: any Database) async throws {
            try await database.schema(YearlyReport.schema)
                .id()
                .field("organisation_id", .uuid, .required, .references(Organisation.schema, "id", onDelete: .restrict))
                .field("year", .int, .required)
                .field("version", .int, .required)
                .field("status", .string, .required)
                .field("signals", .string, .required)
                .field("recommendations", .string, .required)
                .field("figures", .string)
                .field("drafted_by", .uuid)
                .field("released_by", .uuid)
                .field("released_at", .datetime)
                .field("audit_sequence", .int)
                .field("audit_digest", .string)
                .field("updated_at", .datetime)
                .unique(on: "organisation_id", "year", "version")
                .create()
            guard let sql = database as? any SQLDatabase else { return }
            try await sql.raw("CREATE INDEX case_registrations_organisation_year ON case_registrations (organisation_id, year)").run()
            try await sql.raw("CREATE INDEX case_registrations_counsellor_year ON case_registrations (counsellor_id, year)").run()
            try await sql.raw("CREATE INDEX case_registrations_year ON case_registrations (year)").run()
        }

        func revert(on database: any Database) async throws {
            if let sql = database as? any SQLDatabase {
                for index in ["case_registrations_organisation_year", "case_registrations_counsellor_year", "case_registrations_year"] {
                    try await sql.raw("DROP INDEX IF EXISTS \(unsafeRaw: index)").run()
                }
            }
            try await database.schema(YearlyReport.schema).delete()
        }
    }
}
