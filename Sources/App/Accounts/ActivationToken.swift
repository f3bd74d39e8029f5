import Fluent
import Vapor

/// A one-time link with which a new (or reset) staff member sets their password and enrols 2FA.
/// Only the token's SHA-256 is stored.
final class ActivationToken: Model, @unchecked Sendable {
    static let schema = "activation_tokens"
    static let lifetime: TimeInterval = 7 * 24 * 60 * 60

    @ID(key: .id) var id: UUID?
    @Parent(key: "account_id") var account: StaffAccount
    @Field(key: "digest") var digest: String
    @Field(key: "expires_at") var expiresAt: Date
    @OptionalField(key: "used_at") var usedAt: Date?
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?

    init() {}

    init(accountID: UUID, digest: String, expiresAt: Date) {
        self.$account.id = accountID
        self.digest = digest
        self.expiresAt = expiresAt
    }
}
