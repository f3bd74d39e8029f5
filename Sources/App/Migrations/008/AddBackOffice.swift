import Fluent
import FluentSQL
import SQLKit

extension Migrations008 {
    /// Per organisation: how long case content is kept after a case ends, and how many days before
    /// a Wbk deadline the counsellors are reminded.
    struct AddOrganisationTerms: AsyncMigration {
        static let columns: [(String, Int)] = [("retention_months", 12), ("remind_acknowledgement_days", 2), ("remind_feedback_days", 14)]

        func prepare(on database: any Database) async throws {
            for (column, value) in Self.columns {
                try await database.schema(Organisation.schema).field(.string(column), .int, .required, .sql(.default(value))).update()
            }
        }

        func revert(on database: any Database) async throws {
            for (column, _) in Self.columns {
                try await database.schema(Organisation.schema).deleteField(.string(column)).update()
            }
        }
    }

    /// When a case ended (closed or withdrawn; the retention term counts from here), since when the
    /// person waits for an answer, and which deadline reminders went out.
    struct AddCaseLifecycle: AsyncMigration {
        static let columns = ["ended_at", "waiting_since", "acknowledgement_reminded_at", "feedback_reminded_at"]

        func prepare(on database: any Database) async throws {
            for column in Self.columns {
                try await database.schema(CaseRecord.schema).field(.string(column), .datetime).update()
            }
        }

        func revert(on database: any Database) async throws {
            for column in Self.columns {
                try await database.schema(CaseRecord.schema).deleteField(.string(column)).update()
            }
        }
    }

    /// The yearly-report registration of a case: categories and counts, kept when the case is purged
    /// (so no foreign key to the case).
    struct CreateCaseRegistration: AsyncMigration {
        func prepare(on database: any Database) async throws {
            try await database.schema(CaseRegistration.schema)
                .id()
                .field("case_id", .uuid)
                .field("organisation_id", .uuid, .required, .references(Organisation.schema, "id", onDelete: .restrict))
                .field("counsellor_id", .uuid)
                .field("year", .int, .required)
                .field("quarter", .int, .required)
                .field("case_kind", .string, .required)
                .field("kinds", .string, .required)
                .field("other_party", .string, .required)
                .field("pattern", .string, .required)
                .field("outcomes", .string, .required)
                .field("contacts", .int, .required)
                .field("quarter_hours", .int, .required)
                .field("acknowledged_in_time", .bool)
                .field("feedback_in_time", .bool)
                .field("retaliation_signal", .bool, .required, .sql(.default(false)))
                .field("registered_at", .datetime, .required)
                .unique(on: "case_id")
                .create()
        }

        func revert(on database: any Database) async throws {
            try await database.schema(CaseRegistration.schema).delete()
        }
    }

    /// The append-only, hash-chained audit log.
    struct CreateAuditEvent: AsyncMigration {
        func prepare(on database: any Database) async throws {
            try await database.schema(AuditEvent.schema)
                .id()
                .field("sequence", .int, .required)
                .field("at", .datetime, .required)
                .field("actor", .string, .required)
                .field("action", .string, .required)
                .field("case_id", .string, .required)
                .field("detail", .string, .required)
                .field("previous", .string, .required)
                .field("digest", .string, .required)
                .unique(on: "sequence")
                .create()
        }

        func revert(on database: any Database) async throws {
            try await database.schema(AuditEvent.schema).delete()
        }
    }
}
