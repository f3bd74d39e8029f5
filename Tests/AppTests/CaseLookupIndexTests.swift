import Fluent
import Foundation
import SQLKit
import Testing
import Vapor

@testable import App

/// One case's rows are found through an index, so the case page costs the same at 50,000 cases as
/// at 50 (`benchmarks/practice.sh` measured 35 ms at 5,000 cases and 126 ms at 50,000 without them).
@Suite("Case lookup indexes")
struct CaseLookupIndexTests {
    static let statements = [
        ("case_contents_case", "SELECT * FROM case_contents WHERE case_id = '00000000-0000-0000-0000-000000000001' ORDER BY created_at"),
        (
            "case_key_grants_case",
            "SELECT * FROM case_key_grants WHERE case_id = '00000000-0000-0000-0000-000000000001' AND recipient = 'counsellor' "
                + "AND counsellor_id = '00000000-0000-0000-0000-000000000002'"
        ),
        (
            "audit_events_case",
            "SELECT * FROM audit_events WHERE case_id = '00000000-0000-0000-0000-000000000001' ORDER BY sequence DESC LIMIT 50"
        ),
        ("case_submissions_case", "SELECT * FROM case_submissions WHERE case_id = '00000000-0000-0000-0000-000000000001'"),
        ("outgoing_mail_case", "SELECT * FROM outgoing_mail WHERE case_id = '00000000-0000-0000-0000-000000000001'"),
    ]

    @Test func oneCasesRowsAreReadThroughAnIndex() async throws {
        try await withTestApp { app, _ in
            let sql = try #require(app.db as? any SQLDatabase)
            if sql.dialect.name == "postgresql" {
                // PostgreSQL plans a sequential scan of a small table whatever its indexes: check they exist.
                struct Row: Decodable { let indexname: String }
                let names = Set(try await sql.raw("SELECT indexname FROM pg_indexes").all(decoding: Row.self).map(\.indexname))
                for (index, _) in Self.statements { #expect(names.contains(index), "\(index)") }
                return
            }
            for (index, statement) in Self.statements {
                let plan = try await sql.raw("EXPLAIN QUERY PLAN \(unsafeRaw: statement)").all()
                    .map { try $0.decode(column: "detail", as: String.self) }.joined(separator: " / ")
                #expect(plan.contains("USING INDEX \(index)") || plan.contains("USING COVERING INDEX \(index)"), "\(plan)")
                #expect(!plan.contains("USE TEMP B-TREE"), "sorted by the index: \(plan)")
            }
        }
    }
}
