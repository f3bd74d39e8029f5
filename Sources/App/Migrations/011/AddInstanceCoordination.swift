import Fluent
import SQLKit

extension Migrations011 {
    /// What several instances on one database share: unlocked keys (sealed under a secret only the
    /// browser holds), job leases, claims on waiting mails, and the instance secret's fingerprint.
    struct AddInstanceCoordination: AsyncMigration {
        func prepare(on database: any Database) async throws {
            try await database.schema(UnlockedKeyRecord.schema)
                .id()
                .field("handle_digest", .string, .required)
                .field("kind", .string, .required)
                .field("owner_id", .uuid, .required)
                .field("sealed", .data, .required)
                .field("last_used_at", .datetime, .required)
                .unique(on: "handle_digest")
                .create()
            try await database.schema(JobLease.schema)
                .field("name", .string, .identifier(auto: false))
                .field("holder", .string)
                .field("lease_until", .datetime)
                .field("last_finished_at", .datetime)
                .create()
            try await database.schema(InstanceCheck.schema)
                .field("name", .string, .identifier(auto: false))
                .field("value", .string, .required)
                .create()
            // SQLite takes one column per statement.
            try await database.schema(OutgoingMail.schema).field("claim", .string).update()
            try await database.schema(OutgoingMail.schema).field("claimed_until", .datetime).update()
            guard let sql = database as? any SQLDatabase else { return }
            try await sql.raw(
                "CREATE INDEX outgoing_mail_due ON outgoing_mail (next_attempt_at) WHERE sent_at IS NULL AND failed_at IS NULL"
            ).run()
            try await sql.raw("CREATE INDEX unlocked_keys_owner ON unlocked_keys (owner_id)").run()
        }

        func revert(on database: any Database) async throws {
            if let sql = database as? any SQLDatabase {
                try await sql.raw("DROP INDEX IF EXISTS outgoing_mail_due").run()
            }
            try await database.schema(OutgoingMail.schema).deleteField("claimed_until").update()
            try await database.schema(OutgoingMail.schema).deleteField("claim").update()
            try await database.schema(InstanceCheck.schema).delete()
            try await database.schema(JobLease.schema).delete()
            try await database.schema(UnlockedKeyRecord.schema).delete()
        }
    }
}
