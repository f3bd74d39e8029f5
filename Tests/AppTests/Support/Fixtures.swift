import Fluent
import Foundation
import Testing
import Vapor
import VertrouwdCore

@testable import App

/// Staff and organisations made directly in the database, for tests of what comes after activation.
enum Fixtures {
    struct Staff {
        let account: StaffAccount
        let email: String
        let password: String
        let totpSecret: [UInt8]
        /// A counsellor's key recovery code (nil for other roles).
        var keyRecoveryCode: Receipt? = nil

        func code(at date: Date) -> String { TOTP(secret: totpSecret).code(at: date) }
    }

    static func organisation(
        _ app: Application, slug: String = "acme", name: String = "Acme Zorg", language: Language = .dutch
    ) async throws -> Organisation {
        let organisation = Organisation(name: name, slug: slug, defaultLanguage: language.code)
        try await organisation.create(on: app.db)
        return organisation
    }

    static func staff(
        _ app: Application, role: StaffRole, email: String, name: String = "Test Persoon",
        password: String = "een heel lang wachtwoord", serving organisation: Organisation? = nil, kind: CounsellorKind? = .internal
    ) async throws -> Staff {
        let services = app.vertrouwd
        let account = StaffAccount(email: EmailAddress(email)!, displayName: name, role: role)
        try await account.create(on: app.db)
        let secret = TOTP.generateSecret()
        account.passwordHash = try await services.passwords.hash(password)
        account.totpSecretSealed = Data(try services.totpBox.seal(secret, context: account.totpSealContext))
        account.activatedAt = services.clock.now
        try await account.save(on: app.db)
        var recoveryCode: Receipt?
        if role == .counsellor {
            let (material, code) = try await CounsellorKeyService(services: services, db: app.db).makeKey(
                accountID: account.requireID(), password: password)
            try await CounsellorKey(accountID: account.requireID(), material: material).create(on: app.db)
            recoveryCode = code
        }
        if let organisation {
            try await OrganisationMembership(
                organisationID: organisation.requireID(), accountID: account.requireID(),
                counsellorKind: role == .counsellor ? kind : nil
            ).create(on: app.db)
        }
        return Staff(account: account, email: email, password: password, totpSecret: secret, keyRecoveryCode: recoveryCode)
    }

    /// An anonymous contact through the real form, to `counsellor`, with any `extra` fields (who it
    /// is about), from `client` (with a trusting proxy); returns the receipt.
    @discardableResult
    static func contact(
        _ app: Application, slug: String, to counsellor: Staff, message: String = "Iets op het werk", extra: [(String, String)] = [],
        from client: String? = nil
    ) async throws -> String {
        let browser = TestBrowser(app)
        browser.forwardedFor = client
        let form = try await browser.get("/o/\(slug)/contact")
        let submission = try #require(form.submissionToken)
        let page = try await browser.post(
            "/o/\(slug)/contact",
            [
                ("counsellor", try counsellor.account.requireID().uuidString), ("message", message), ("identity", "anonymous"),
                ("channel", "messages"), ("submission", submission),
            ] + extra, csrf: form.csrf)
        return try #require(page.receiptCode, "\(page.status)")
    }
}

extension TestBrowser {
    /// Logs in through the real forms: password, then the current TOTP code.
    @discardableResult
    func logIn(_ staff: Fixtures.Staff, at date: Date) async throws -> Page {
        let form = try await get("/login")
        let afterPassword = try await post("/login", [("email", staff.email), ("password", staff.password)], csrf: form.csrf)
        guard afterPassword.location == "/login/2fa" else { return afterPassword }
        let codePage = try await get("/login/2fa")
        return try await post("/login/2fa", [("code", staff.code(at: date))], csrf: codePage.csrf)
    }
}
