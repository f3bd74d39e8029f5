import Fluent
import FluentSQL
import SQLKit

extension Migrations009 {
    /// A person's journal: found by a keyed digest of its phrase; every item is ciphertext.
    struct CreateJournal: AsyncMigration {
        func prepare(on database: any Database) async throws {
            try await database.schema(Journal.schema)
                .id()
                .field("lookup", .string, .required)
                .field("created_at", .datetime)
                .unique(on: "lookup")
                .create()
            try await database.schema(JournalItem.schema)
                .id()
                .field("journal_id", .uuid, .required, .references(Journal.schema, "id", onDelete: .cascade))
                .field("sequence", .int, .required)
                .field("ciphertext", .data, .required)
                .field("is_file", .bool, .required, .sql(.default(false)))
                .unique(on: "journal_id", "sequence")
                .create()
        }

        func revert(on database: any Database) async throws {
            try await database.schema(JournalItem.schema).delete()
            try await database.schema(Journal.schema).delete()
        }
    }
}
