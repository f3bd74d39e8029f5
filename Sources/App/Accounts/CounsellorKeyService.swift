import Crypto
import Fluent
import Vapor
import VertrouwdCore

/// The life of a counsellor's key pair: made at activation, unlocked at login, rewrapped at a password
/// change, restored with the key recovery code after an admin reset.
struct CounsellorKeyService {
    let services: VertrouwdServices
    let db: any Database

    var parameters: ScryptPasswordHasher.Parameters { services.settings.passwordParameters }

    func record(for accountID: UUID, on database: (any Database)? = nil) async throws -> CounsellorKey? {
        try await CounsellorKey.query(on: database ?? db).filter(\.$account.$id == accountID).first()
    }

    /// A new key pair wrapped under `password` and a new key recovery code, which is returned to be shown once.
    /// The caller stores the returned record.
    func makeKey(accountID: UUID, password: String) async throws -> (CounsellorKeyMaterial, recoveryCode: Receipt) {
        let recoveryCode = Receipt.generate(using: services.random)
        let parameters = self.parameters
        let random = services.random
        let (material, _) = try await services.passwords.run {
            try CounsellorKeyMaterial.create(
                accountID: accountID, password: password, recoveryCode: recoveryCode.canonical, parameters: parameters, random: random)
        }
        return (material, recoveryCode)
    }

    /// Unlocks the existing key with its recovery code and wraps it under a new password and a new
    /// recovery code (a used code is retired). Throws `CryptoFailure.wrongPassphrase` for a wrong code.
    func recover(
        _ existing: CounsellorKey, accountID: UUID, recoveryCode: String, newPassword: String
    ) async throws
        -> (CounsellorKeyMaterial, recoveryCode: Receipt)
    {
        let material = try existing.material
        let parameters = self.parameters
        let random = services.random
        let newCode = Receipt.generate(using: random)
        let rewrapped = try await services.passwords.run { () -> CounsellorKeyMaterial in
            let privateKey = try material.unlock(recoveryCode: recoveryCode, accountID: accountID)
            return try CounsellorKeyMaterial.wrap(
                privateKey, accountID: accountID, password: newPassword, recoveryCode: newCode.canonical, parameters: parameters,
                random: random)
        }
        return (rewrapped, newCode)
    }

    /// The private key, unwrapped with the password; nil when this account has no key or the password does not open it.
    func unlock(accountID: UUID, password: String) async throws -> Curve25519.KeyAgreement.PrivateKey? {
        guard let record = try await record(for: accountID) else { return nil }
        let material = try record.material
        return try? await services.passwords.run { try material.unlock(password: password, accountID: accountID) }
    }

    /// After a password change: the same key, wrapped under the new password.
    func rewrap(accountID: UUID, oldPassword: String, newPassword: String, on database: any Database) async throws {
        guard let record = try await record(for: accountID, on: database) else { return }
        let material = try record.material
        let parameters = self.parameters
        let random = services.random
        let rewrapped = try await services.passwords.run { () -> CounsellorKeyMaterial in
            let privateKey = try material.unlock(password: oldPassword, accountID: accountID)
            return try material.rewrapped(
                privateKey, newPassword: newPassword, accountID: accountID, parameters: parameters, random: random)
        }
        record.update(with: rewrapped)
        try await record.save(on: database)
    }
}
