import Fluent
import FluentSQL
import SQLKit

extension Migrations007 {
    /// What an organisation accepts as attachments (per-file size, families of formats).
    struct AddAttachmentSettings: AsyncMigration {
        func prepare(on database: any Database) async throws {
            try await database.schema(Organisation.schema)
                .field("attachment_max_mb", .int, .required, .sql(.default(10)))
                .update()
            try await database.schema(Organisation.schema)
                .field("attachment_families", .string, .required, .sql(.default("image,pdf,document,audio")))
                .update()
        }

        func revert(on database: any Database) async throws {
            try await database.schema(Organisation.schema).deleteField("attachment_max_mb").update()
            try await database.schema(Organisation.schema).deleteField("attachment_families").update()
        }
    }

    /// The person's optional notification address (sealed under the instance secret), a counsellor's
    /// mark for unwanted submissions, and outbox mails that point at a case instead of an address.
    struct AddCaseNotifications: AsyncMigration {
        func prepare(on database: any Database) async throws {
            try await database.schema(CaseRecord.schema).field("notify_address", .data).update()
            try await database.schema(CaseRecord.schema).field("flagged_at", .datetime).update()
            try await database.schema(OutgoingMail.schema).field("case_id", .uuid).update()
        }

        func revert(on database: any Database) async throws {
            try await database.schema(CaseRecord.schema).deleteField("notify_address").update()
            try await database.schema(CaseRecord.schema).deleteField("flagged_at").update()
            try await database.schema(OutgoingMail.schema).deleteField("case_id").update()
        }
    }

    /// What a counsellor tells people about themselves on the organisation's page.
    struct CreateCounsellorProfile: AsyncMigration {
        func prepare(on database: any Database) async throws {
            try await database.schema(CounsellorProfile.schema)
                .id()
                .field("account_id", .uuid, .required, .references(StaffAccount.schema, .id, onDelete: .cascade))
                .field("introduction_nl", .string, .required)
                .field("introduction_en", .string, .required)
                .field("availability_nl", .string, .required)
                .field("availability_en", .string, .required)
                .field("languages", .string, .required)
                .field("photo", .data)
                .field("photo_format", .string)
                .field("updated_at", .datetime)
                .unique(on: "account_id")
                .create()
        }

        func revert(on database: any Database) async throws {
            try await database.schema(CounsellorProfile.schema).delete()
        }
    }
}
