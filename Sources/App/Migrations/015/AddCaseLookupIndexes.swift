import Fluent
import SQLKit

extension Migrations015 {
    /// Indexes for reading one case's rows. Neither SQLite nor PostgreSQL indexes a foreign key by
    /// itself, so before these the case page read every case's content, key grants and audit entries
    /// to find one case's: 35 ms at 5,000 cases and 126 ms at 50,000 (`benchmarks/practice.sh`).
    /// And the cases whose retention term ends soon, which the dashboard counts on every visit.
    struct AddCaseLookupIndexes: AsyncMigration {
        static let indexes: [(name: String, definition: String)] = [
            // The case page's content, oldest first.
            ("case_contents_case", "case_contents (case_id, created_at)"),
            // Opening a case with a counsellor's key, and listing who holds it.
            ("case_key_grants_case", "case_key_grants (case_id, recipient, counsellor_id)"),
            // The case's history on its page, newest first.
            ("audit_events_case", "audit_events (case_id, sequence)"),
            // Cases whose retention term ends soon (the dashboard, the retention page, the daily purge).
            ("cases_ended", "cases (ended_at) WHERE ended_at IS NOT NULL"),
            // Removing a case at the end of its retention term.
            ("case_submissions_case", "case_submissions (case_id)"),
            ("outgoing_mail_case", "outgoing_mail (case_id)"),
        ]

        func prepare(on database: any Database) async throws {
            guard let sql = database as? any SQLDatabase else { return }
            for index in Self.indexes {
                try await sql.raw("CREATE INDEX \(unsafeRaw: index.name) ON \(unsafeRaw: index.definition)").run()
            }
        }

        func revert(on database: any Database) async throws {
            guard let sql = database as? any SQLDatabase else { return }
            for index in Self.indexes { try await sql.raw("DROP INDEX IF EXISTS \(unsafeRaw: index.name)").run() }
        }
    }
}
