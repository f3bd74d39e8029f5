import Fluent
import Vapor
import VertrouwdCore

/// Creating staff accounts and their one-time activation links: shared by the admin pages,
/// `vertrouwd admin create` and the demo.
struct AccountProvisioning {
    let services: VertrouwdServices
    let db: any Database

    enum Failure: Error {
        case emailTaken
    }

    /// Creates the account with no password; the returned link lets the person set one.
    func create(email: EmailAddress, displayName: String, role: StaffRole) async throws -> (StaffAccount, link: String) {
        if try await StaffAccount.query(on: db).filter(\.$email == email.value).first() != nil { throw Failure.emailTaken }
        let account = StaffAccount(email: email, displayName: displayName, role: role)
        let link = try await db.transaction { db in
            try await account.create(on: db)
            return try await issueActivationLink(for: account, on: db)
        }
        return (account, link)
    }

    /// Issues a new activation link. For an account that was active this is a reset: its password,
    /// authenticator and recovery codes stop working at once, and sessions end at their next request.
    func issueActivationLink(for account: StaffAccount, on db: (any Database)? = nil) async throws -> String {
        let db = db ?? self.db
        let accountID = try account.requireID()
        let token = Token.generate(using: services.random)
        let expires = services.clock.now.addingTimeInterval(ActivationToken.lifetime)
        try await ActivationToken.query(on: db).filter(\.$account.$id == accountID).filter(\.$usedAt == nil).delete()
        try await ActivationToken(accountID: accountID, digest: Token.digest(token), expiresAt: expires).create(on: db)
        if account.activatedAt != nil {
            try await UnlockedKeys.removeAll(of: accountID, kind: .counsellor, on: db)
            account.passwordHash = nil
            account.totpSecretSealed = nil
            account.totpLastStep = nil
            account.activatedAt = nil
            try await account.save(on: db)
            try await RecoveryCode.query(on: db).filter(\.$account.$id == accountID).delete()
        }
        return "\(services.settings.publicURL)/activate/\(token)"
    }
}
