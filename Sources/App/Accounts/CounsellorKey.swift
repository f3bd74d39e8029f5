import Fluent
import Vapor
import VertrouwdCore

/// A counsellor's key pair as stored: the public key, and the private key wrapped twice
/// (under the password, under the key recovery code). Never the private key itself.
final class CounsellorKey: Model, @unchecked Sendable {
    static let schema = "counsellor_keys"

    @ID(key: .id) var id: UUID?
    @Parent(key: "account_id") var account: StaffAccount
    @Field(key: "public_key") var publicKey: Data
    @Field(key: "wrapped_by_password") var wrappedByPassword: String
    @Field(key: "wrapped_by_recovery") var wrappedByRecovery: String
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?
    @Timestamp(key: "updated_at", on: .update) var updatedAt: Date?

    init() {}

    init(accountID: UUID, material: CounsellorKeyMaterial) {
        self.$account.id = accountID
        update(with: material)
    }

    func update(with material: CounsellorKeyMaterial) {
        publicKey = Data(material.publicKey)
        wrappedByPassword = material.wrappedByPassword.encoded
        wrappedByRecovery = material.wrappedByRecoveryCode.encoded
    }

    var material: CounsellorKeyMaterial {
        get throws {
            CounsellorKeyMaterial(
                publicKey: Array(publicKey), wrappedByPassword: try WrappedSecret(encoded: wrappedByPassword),
                wrappedByRecoveryCode: try WrappedSecret(encoded: wrappedByRecovery))
        }
    }
}
