import Fluent
import Vapor
import VertrouwdCore

/// The counsellors a person of an organisation can choose from: serving it, activated, not disabled.
enum OrganisationCounsellors {
    struct Entry {
        let account: StaffAccount
        let kind: CounsellorKind
        let receivesReports: Bool
    }

    static func list(organisationID: UUID, on db: any Database) async throws -> [Entry] {
        try await OrganisationMembership.query(on: db)
            .filter(\.$organisation.$id == organisationID).filter(\.$counsellorKind != nil)
            .with(\.$account).all()
            .filter { !$0.account.isDisabled && $0.account.isActivated && $0.account.role == .counsellor }
            .sorted { $0.account.displayName.localizedCompare($1.account.displayName) == .orderedAscending }
            .map {
                Entry(
                    account: $0.account, kind: CounsellorKind(rawValue: $0.counsellorKind ?? "") ?? .external,
                    receivesReports: $0.receivesReports)
            }
    }
}
