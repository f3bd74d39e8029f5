import Fluent
import Vapor

/// A one-time code that replaces the authenticator once. Stored as a keyed digest.
final class RecoveryCode: Model, @unchecked Sendable {
    static let schema = "recovery_codes"

    @ID(key: .id) var id: UUID?
    @Parent(key: "account_id") var account: StaffAccount
    @Field(key: "digest") var digest: String
    @OptionalField(key: "used_at") var usedAt: Date?

    init() {}

    init(accountID: UUID, digest: String) {
        self.$account.id = accountID
        self.digest = digest
    }
}
