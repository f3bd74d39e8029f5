import Fluent
import Vapor
import VertrouwdCore

/// Who serves or represents an organisation: a counsellor (internal or external) or an organisation contact.
final class OrganisationMembership: Model, @unchecked Sendable {
    static let schema = "organisation_memberships"

    @ID(key: .id) var id: UUID?
    @Parent(key: "organisation_id") var organisation: Organisation
    @Parent(key: "account_id") var account: StaffAccount
    /// `internal` or `external` for counsellors; nil for an organisation contact.
    @OptionalField(key: "counsellor_kind") var counsellorKind: String?
    /// Part of the organisation's reporting point: receives formal (Wbk) reports.
    @Field(key: "receives_reports") var receivesReports: Bool
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?

    init() {}

    init(organisationID: UUID, accountID: UUID, counsellorKind: CounsellorKind?) {
        self.$organisation.id = organisationID
        self.$account.id = accountID
        self.counsellorKind = counsellorKind?.rawValue
        self.receivesReports = false
    }
}
