import Crypto
import Fluent
import Vapor
import VertrouwdCore

/// An account made ready to sign in with a password that is already known: the password hashed, an
/// authenticator secret, activated, and for a counsellor a key pair that opens with that password.
/// For `vertrouwd demo`, whose passwords are public, and for the practice benchmark. A real person
/// never gets one: they choose their own password through their activation link.
struct ReadyAccount {
    let services: VertrouwdServices
    let db: any Database

    /// Makes `account` (stored or new) ready for `password`, keeping what already works: a password
    /// that still verifies keeps its hash, and then a counsellor keeps their key pair. Returns the
    /// authenticator secret.
    func prepare(_ account: StaffAccount, password: String) async throws -> [UInt8] {
        if account.id == nil { try await account.create(on: db) }
        let passwordWorks: Bool
        if let currentHash = account.passwordHash {
            passwordWorks = (try? await services.passwords.verify(password, against: currentHash)) == true
        } else {
            passwordWorks = false
        }
        if !passwordWorks { account.passwordHash = try await services.passwords.hash(password) }
        if account.totpSecretSealed == nil {
            let secret = TOTP.generateSecret(using: services.random)
            account.totpSecretSealed = Data(try services.totpBox.seal(secret, context: account.totpSealContext))
        }
        account.isDisabled = false
        if account.activatedAt == nil { account.activatedAt = services.clock.now }
        try await account.save(on: db)
        if account.role == .counsellor {
            // The key's recovery code is not kept: these accounts recover through a new activation link.
            let keys = CounsellorKeyService(services: services, db: db)
            let accountID = try account.requireID()
            let existing = try await keys.record(for: accountID)
            if existing == nil || !passwordWorks {
                let (material, _) = try await keys.makeKey(accountID: accountID, password: password)
                if let existing {
                    existing.update(with: material)
                    try await existing.save(on: db)
                } else {
                    try await CounsellorKey(accountID: accountID, material: material).create(on: db)
                }
            }
        }
        return try services.totpBox.open(Array(account.totpSecretSealed ?? Data()), context: account.totpSealContext)
    }
}

/// A counsellor who can sign in, for `vertrouwd-bench practice`, which lives outside this module.
/// The product does not use it.
public struct BenchmarkCounsellor: Sendable {
    public let id: UUID
    public let email: String
    public let password: String
    public let totpSecret: [UInt8]
    public let publicKey: Curve25519.KeyAgreement.PublicKey

    /// A new counsellor account, ready to sign in with `password`.
    public static func make(_ app: Application, email: String, name: String, password: String) async throws -> BenchmarkCounsellor {
        guard let address = EmailAddress(email) else { throw Abort(.badRequest) }
        let services = app.vertrouwd
        let account = StaffAccount(email: address, displayName: name, role: .counsellor)
        let secret = try await ReadyAccount(services: services, db: app.db).prepare(account, password: password)
        let accountID = try account.requireID()
        guard let key = try await CounsellorKeyService(services: services, db: app.db).record(for: accountID) else {
            throw Abort(.internalServerError)
        }
        return BenchmarkCounsellor(
            id: accountID, email: address.value, password: password, totpSecret: secret,
            publicKey: try Curve25519.KeyAgreement.PublicKey(rawRepresentation: key.publicKey))
    }
}
