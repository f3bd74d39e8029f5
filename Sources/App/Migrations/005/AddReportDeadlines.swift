import Fluent
import FluentSQL
import SQLKit

extension Migrations005 {
    /// Formal reports: when the case arrived by the application's clock, when receipt was acknowledged
    /// and feedback given (the Wbk clocks), and which counsellors of an organisation receive formal
    /// reports (its reporting point). One column per statement: SQLite adds one column at a time.
    struct AddReportDeadlines: AsyncMigration {
        static let caseColumns = ["received_at", "acknowledged_at", "feedback_given_at"]

        func prepare(on database: any Database) async throws {
            for column in Self.caseColumns {
                try await database.schema(CaseRecord.schema).field(.string(column), .datetime).update()
            }
            try await database.schema(OrganisationMembership.schema)
                .field("receives_reports", .bool, .required, .sql(.default(false)))
                .update()
        }

        func revert(on database: any Database) async throws {
            for column in Self.caseColumns {
                try await database.schema(CaseRecord.schema).deleteField(.string(column)).update()
            }
            try await database.schema(OrganisationMembership.schema).deleteField("receives_reports").update()
        }
    }
}
