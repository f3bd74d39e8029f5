import Fluent
import Foundation
import VertrouwdCore

/// Who may hold a case: every counsellor serving the organisation; for a formal report only its
/// reporting point (the counsellors whose membership receives reports). The contact form offers
/// these, and sharing or transferring a case is limited to them.
enum CaseRecipients {
    static func list(kind: CaseKind, organisationID: UUID, on db: any Database) async throws -> [OrganisationCounsellors.Entry] {
        let serving = try await OrganisationCounsellors.list(organisationID: organisationID, on: db)
        return kind == .formalReport ? serving.filter(\.receivesReports) : serving
    }

    static func ids(for record: CaseRecord, on db: any Database) async throws -> Set<UUID> {
        Set(try await list(kind: record.kind, organisationID: record.$organisation.id, on: db).compactMap(\.account.id))
    }
}
