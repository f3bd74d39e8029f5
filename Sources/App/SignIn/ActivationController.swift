import Fluent
import Vapor
import VertrouwdCore

/// `/activate/:token`: a new (or reset) staff member sets a password, enrols an authenticator, and
/// receives recovery codes once. One form, so nothing is half-done if they stop halfway.
struct ActivationController: RouteCollection {
    struct ActivationForm: Content {
        var password: String?
        var password_confirm: String?
        var code: String?
        /// Only for a counsellor whose key exists from before a reset.
        var key_recovery: String?
        var new_key: String?
    }

    struct ActivationContext: Encodable {
        let shell: PageShell
        let csrf: String
        let token: String
        let email: String
        let secretGroups: String
        let provisioningURI: String
        let errors: FormErrors
        let minimumLength: Int
        /// A counsellor re-activating after a reset: their existing key needs its recovery code.
        let needsKeyRecovery: Bool
    }

    struct DoneContext: Encodable {
        let shell: PageShell
        let recoveryCodes: [String]
        /// Shown once to counsellors: the code that restores their private key after a reset.
        let keyRecoveryCode: String?
    }

    func boot(routes: any RoutesBuilder) throws {
        routes.get(.activate, use: show)
        routes.post(.activate, use: activate)
    }

    func show(req: Request) async throws -> Response {
        guard let (token, account) = try await validToken(req) else { return try await renderInvalid(req) }
        let secret = pendingSecret(req, tokenDigest: token.digest)
        return try await renderForm(req, account: account, secret: secret, errors: [])
    }

    func activate(req: Request) async throws -> Response {
        guard let (token, account) = try await validToken(req), let accountID = account.id else {
            return try await renderInvalid(req)
        }
        guard let secret = storedSecret(req, tokenDigest: token.digest) else {
            // The session that showed the secret is gone: show a new one rather than accept a code for an unknown seed.
            let fresh = newSecret(req, tokenDigest: token.digest)
            return try await renderForm(
                req, account: account, secret: fresh, errors: [FieldError(field: "code", key: "activation.error.new_secret")],
                status: .unprocessableEntity)
        }
        let form = req.form(ActivationForm.self, orEmpty: ActivationForm())
        let password = form.password ?? ""
        var errors = PasswordPolicy.problems(password: password, confirmation: form.password_confirm ?? "", email: account.email)
            .map { FieldError(field: $0 == "password.mismatch" ? "password_confirm" : "password", key: $0) }
        let step = TOTP(secret: secret).verify(form.code?.cleanedInput ?? "", at: req.now, lastUsedStep: nil)
        if step == nil { errors.append(FieldError(field: "code", key: "activation.error.code")) }
        guard errors.isEmpty, let step else {
            return try await renderForm(req, account: account, secret: secret, errors: errors, status: .unprocessableEntity)
        }

        let services = req.vertrouwd
        let keys = CounsellorKeyService(services: services, db: req.db)
        let existingKey = account.role == .counsellor ? try await keys.record(for: accountID) : nil
        var keyMaterial: CounsellorKeyMaterial?
        var keyRecoveryCode: Receipt?
        let startsNewKey = existingKey == nil || form.new_key == "on"
        if account.role == .counsellor {
            if let existingKey, !startsNewKey {
                guard let typed = Receipt(typed: form.key_recovery ?? "") else {
                    return try await renderForm(
                        req, account: account, secret: secret,
                        errors: [FieldError(field: "key_recovery", key: "activation.error.key_code_format")],
                        status: .unprocessableEntity)
                }
                do {
                    (keyMaterial, keyRecoveryCode) = try await keys.recover(
                        existingKey, accountID: accountID, recoveryCode: typed.canonical, newPassword: password)
                } catch CryptoFailure.wrongPassphrase {
                    return try await renderForm(
                        req, account: account, secret: secret,
                        errors: [FieldError(field: "key_recovery", key: "activation.error.key_code_wrong")],
                        status: .unprocessableEntity)
                }
            } else {
                (keyMaterial, keyRecoveryCode) = try await keys.makeKey(accountID: accountID, password: password)
            }
        }
        let hash = try await services.passwords.hash(password)
        let sealed = try services.totpBox.seal(secret, context: account.totpSealContext)
        let codes = RecoveryCodes.generate(using: services.random)
        let now = req.now
        let material = keyMaterial
        try await req.db.transaction { db in
            account.passwordHash = hash
            account.totpSecretSealed = Data(sealed)
            account.totpLastStep = Int64(step)
            account.activatedAt = now
            try await account.save(on: db)
            token.usedAt = now
            try await token.save(on: db)
            try await RecoveryCode.query(on: db).filter(\.$account.$id == accountID).delete()
            for code in codes {
                let digest = services.lookupDigest(RecoveryCodes.normalize(code), purpose: "recovery-code")
                try await RecoveryCode(accountID: accountID, digest: digest).create(on: db)
            }
            if let material {
                if let existingKey {
                    existingKey.update(with: material)
                    try await existingKey.save(on: db)
                } else {
                    try await CounsellorKey(accountID: accountID, material: material).create(on: db)
                }
                if existingKey != nil, startsNewKey {
                    // The old private key is gone for good: its sealed copies can never be opened again.
                    try await CaseKeyGrant.query(on: db).filter(\.$counsellor.$id == accountID).delete()
                    // And those cases leave their work queue with them.
                    try await QueueRow.query(on: db).filter(\.$counsellorID == accountID).delete()
                }
            }
        }
        req.session.data[SessionKeys.activationSecret] = nil
        if existingKey != nil, material != nil {
            try await req.audit.record(.staff(accountID), startsNewKey ? .keyReplace : .keyRecover)
        }
        req.logger.info("staff account activated", metadata: ["role": .string(account.role.rawValue)])
        let context = DoneContext(
            shell: PageShell(req, page: "activation-done", titleKey: "activation.done.title", publicPage: false),
            recoveryCodes: codes, keyRecoveryCode: keyRecoveryCode?.description)
        return try await req.render("activation-done", context)
    }

    // MARK: - Helpers

    private func validToken(_ req: Request) async throws -> (ActivationToken, StaffAccount)? {
        guard let raw = req.parameters.get("token"), raw.count <= 128 else { return nil }
        guard let token = try await ActivationToken.query(on: req.db).filter(\.$digest == Token.digest(raw)).with(\.$account).first(),
            token.usedAt == nil, token.expiresAt > req.now, !token.account.isDisabled
        else { return nil }
        return (token, token.account)
    }

    /// The authenticator seed shown on the form, kept in the session (tied to this token) until the code proves it was saved.
    /// The TOTP secret this session was shown for this activation link, or a new one.
    private func pendingSecret(_ req: Request, tokenDigest: String) -> [UInt8] {
        storedSecret(req, tokenDigest: tokenDigest) ?? newSecret(req, tokenDigest: tokenDigest)
    }

    private func storedSecret(_ req: Request, tokenDigest: String) -> [UInt8]? {
        guard let stored = req.session.data[SessionKeys.activationSecret] else { return nil }
        let parts = stored.split(separator: ":")
        guard parts.count == 2, parts[0] == tokenDigest else { return nil }
        return Base32.decode(String(parts[1]))
    }

    private func newSecret(_ req: Request, tokenDigest: String) -> [UInt8] {
        let secret = TOTP.generateSecret(using: req.vertrouwd.random)
        req.session.data[SessionKeys.activationSecret] = "\(tokenDigest):\(Base32.encode(secret))"
        return secret
    }

    private func renderForm(
        _ req: Request, account: StaffAccount, secret: [UInt8], errors: [FieldError], status: HTTPResponseStatus = .ok
    ) async throws -> Response {
        var needsKeyRecovery = false
        if account.role == .counsellor {
            needsKeyRecovery = try await CounsellorKeyService(services: req.vertrouwd, db: req.db).record(for: account.requireID()) != nil
        }
        let encoded = Base32.encode(secret)
        let groups = stride(from: 0, to: encoded.count, by: 4).map { offset -> String in
            let start = encoded.index(encoded.startIndex, offsetBy: offset)
            let end = encoded.index(start, offsetBy: 4, limitedBy: encoded.endIndex) ?? encoded.endIndex
            return String(encoded[start..<end])
        }.joined(separator: " ")
        let context = ActivationContext(
            shell: PageShell(req, page: "activation", titleKey: "activation.title", publicPage: false),
            csrf: req.csrfToken(), token: req.parameters.get("token") ?? "", email: account.email,
            secretGroups: groups,
            provisioningURI: TOTP(secret: secret).provisioningURI(account: account.email, issuer: "Vertrouwd"),
            errors: FormErrors(errors), minimumLength: PasswordPolicy.minimumLength, needsKeyRecovery: needsKeyRecovery)
        return try await req.render("activation", context, status: status)
    }

    private func renderInvalid(_ req: Request) async throws -> Response {
        let context = ErrorPageContext(
            shell: PageShell(req, page: "error", titleKey: "activation.invalid.title", publicPage: false),
            status: 404, titleKey: "activation.invalid.title", bodyKey: "activation.invalid.body")
        return try await req.render("error", context, status: .notFound)
    }
}
