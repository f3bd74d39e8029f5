import Fluent
import Vapor
import VertrouwdCore

/// A staff member's login: platform admin, counsellor or organisation contact.
final class StaffAccount: Model, @unchecked Sendable {
    static let schema = "staff_accounts"

    @ID(key: .id) var id: UUID?
    /// Normalised (trimmed, lower case); unique.
    @Field(key: "email") var email: String
    @Field(key: "display_name") var displayName: String
    @Field(key: "role") var roleRaw: String
    /// `$scrypt$…` with its parameters; nil until the person activates the account.
    @OptionalField(key: "password_hash") var passwordHash: String?
    /// The TOTP seed, sealed under the instance secret (`SecretBox`), bound to this account's id.
    @OptionalField(key: "totp_secret_sealed") var totpSecretSealed: Data?
    /// The last accepted TOTP time step: a code is never accepted twice.
    @OptionalField(key: "totp_last_step") var totpLastStep: Int64?
    @Field(key: "is_disabled") var isDisabled: Bool
    @OptionalField(key: "activated_at") var activatedAt: Date?
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?
    @Timestamp(key: "updated_at", on: .update) var updatedAt: Date?

    init() {}

    init(id: UUID? = nil, email: EmailAddress, displayName: String, role: StaffRole) {
        self.id = id
        self.email = email.value
        self.displayName = displayName
        self.roleRaw = role.rawValue
        self.isDisabled = false
    }

    var role: StaffRole { StaffRole(rawValue: roleRaw) ?? .organisationContact }

    var isActivated: Bool { activatedAt != nil && passwordHash != nil }

    /// The associated data that ties a sealed TOTP seed to this account.
    var totpSealContext: String { "staff-totp:\(id?.uuidString ?? "")" }
}
