import Crypto
import Foundation

/// A counsellor's X25519 key pair: the public key is stored in clear so anyone may seal a case key
/// to it; the private key is stored only wrapped, once under the password and once under a
/// recovery code that is shown a single time.
public struct CounsellorKeyMaterial: Sendable {
    public let publicKey: [UInt8]
    public let wrappedByPassword: WrappedSecret
    public let wrappedByRecoveryCode: WrappedSecret

    public static func context(accountID: UUID, purpose: String) -> String {
        "counsellor-key|account=\(accountID.uuidString)|\(purpose)"
    }

    /// A fresh key pair, wrapped under both secrets.
    public static func create(
        accountID: UUID, password: String, recoveryCode: String, parameters: ScryptPasswordHasher.Parameters,
        random: any RandomSource = SystemRandomSource()
    ) throws -> (CounsellorKeyMaterial, Curve25519.KeyAgreement.PrivateKey) {
        let privateKey = try Curve25519.KeyAgreement.PrivateKey(rawRepresentation: random.bytes(count: 32))
        let material = try wrap(
            privateKey, accountID: accountID, password: password, recoveryCode: recoveryCode, parameters: parameters, random: random)
        return (material, privateKey)
    }

    public static func wrap(
        _ privateKey: Curve25519.KeyAgreement.PrivateKey, accountID: UUID, password: String, recoveryCode: String,
        parameters: ScryptPasswordHasher.Parameters, random: any RandomSource = SystemRandomSource()
    ) throws -> CounsellorKeyMaterial {
        let raw = Array(privateKey.rawRepresentation)
        return CounsellorKeyMaterial(
            publicKey: Array(privateKey.publicKey.rawRepresentation),
            wrappedByPassword: try WrappedSecret.wrap(
                raw, passphrase: password, context: context(accountID: accountID, purpose: "password"), parameters: parameters,
                random: random),
            wrappedByRecoveryCode: try WrappedSecret.wrap(
                raw, passphrase: Receipt.normalize(recoveryCode), context: context(accountID: accountID, purpose: "recovery"),
                parameters: parameters, random: random))
    }

    public init(publicKey: [UInt8], wrappedByPassword: WrappedSecret, wrappedByRecoveryCode: WrappedSecret) {
        self.publicKey = publicKey
        self.wrappedByPassword = wrappedByPassword
        self.wrappedByRecoveryCode = wrappedByRecoveryCode
    }

    public func unlock(password: String, accountID: UUID) throws -> Curve25519.KeyAgreement.PrivateKey {
        try checked(wrappedByPassword.unwrap(passphrase: password, context: Self.context(accountID: accountID, purpose: "password")))
    }

    public func unlock(recoveryCode: String, accountID: UUID) throws -> Curve25519.KeyAgreement.PrivateKey {
        try checked(
            wrappedByRecoveryCode.unwrap(
                passphrase: Receipt.normalize(recoveryCode), context: Self.context(accountID: accountID, purpose: "recovery")))
    }

    /// A password change: the same key, wrapped anew under the new password; the recovery wrap stays.
    public func rewrapped(
        _ privateKey: Curve25519.KeyAgreement.PrivateKey, newPassword: String, accountID: UUID,
        parameters: ScryptPasswordHasher.Parameters, random: any RandomSource = SystemRandomSource()
    ) throws -> CounsellorKeyMaterial {
        CounsellorKeyMaterial(
            publicKey: publicKey,
            wrappedByPassword: try WrappedSecret.wrap(
                Array(privateKey.rawRepresentation), passphrase: newPassword,
                context: Self.context(accountID: accountID, purpose: "password"),
                parameters: parameters, random: random),
            wrappedByRecoveryCode: wrappedByRecoveryCode)
    }

    public var publicKeyValue: Curve25519.KeyAgreement.PublicKey {
        get throws { try Curve25519.KeyAgreement.PublicKey(rawRepresentation: publicKey) }
    }

    private func checked(_ raw: [UInt8]) throws -> Curve25519.KeyAgreement.PrivateKey {
        let key = try Curve25519.KeyAgreement.PrivateKey(rawRepresentation: raw)
        guard Array(key.publicKey.rawRepresentation) == publicKey else { throw CryptoFailure.cannotOpen }
        return key
    }
}
