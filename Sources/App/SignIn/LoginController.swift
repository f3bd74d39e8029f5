import Fluent
import Vapor
import VertrouwdCore

/// Staff sign-in: password, then a code from the authenticator (or a recovery code), then the role's home.
struct LoginController: RouteCollection {
    /// How long the step between password and code may take.
    static let pendingLifetime: TimeInterval = 5 * 60

    struct LoginForm: Content {
        var email: String?
        var password: String?
    }

    struct CodeForm: Content {
        var code: String?
    }

    struct LoginContext: Encodable {
        let shell: PageShell
        let csrf: String
        let email: String
        let errors: FormErrors
        /// Set when attempts are being held back: how long to wait.
        let minutes: String?
    }

    func boot(routes: any RoutesBuilder) throws {
        routes.get(.login, use: showLogin)
        routes.post(.login, use: login)
        routes.get(.loginCode, use: showCode)
        routes.post(.loginCode, use: verifyCode)
        routes.post(.logout, use: logout)
    }

    func showLogin(req: Request) async throws -> Response {
        if let account = req.staffAccount { return req.redirect(to: account.role.homePath) }
        return try await renderLogin(req, email: "", errors: [])
    }

    func login(req: Request) async throws -> Response {
        let form = req.form(LoginForm.self, orEmpty: LoginForm())
        let typedEmail = (form.email ?? "").cleanedInput
        let password = form.password ?? ""
        var errors: [FieldError] = []
        if typedEmail.isEmpty { errors.append(FieldError(field: "email", key: "login.error.email_required")) }
        if password.isEmpty { errors.append(FieldError(field: "password", key: "login.error.password_required")) }
        guard errors.isEmpty else { return try await renderLogin(req, email: typedEmail, errors: errors, status: .unprocessableEntity) }

        let email = EmailAddress(typedEmail)?.value ?? typedEmail.lowercased()
        let throttle = ThrottleStore(request: req)
        let keys = throttle.keys(email: email)
        if let until = try await throttle.blockedUntil(keys) {
            return try await renderThrottled(req, email: typedEmail, until: until)
        }
        let account = try await StaffAccount.query(on: req.db).filter(\.$email == email).first()
        let passwords = req.vertrouwd.passwords
        guard let account, let hash = account.passwordHash, account.isActivated, !account.isDisabled else {
            try await passwords.verifyAgainstDecoy(password)
            try await throttle.recordAttempt(keys)
            return try await renderLogin(
                req, email: typedEmail, errors: [FieldError(field: "email", key: "login.error.invalid")], status: .unauthorized)
        }
        guard (try? await passwords.verify(password, against: hash)) == true else {
            try await throttle.recordAttempt(keys)
            if let id = account.id { try await req.audit.record(.staff(id), .loginFailed) }
            return try await renderLogin(
                req, email: typedEmail, errors: [FieldError(field: "email", key: "login.error.invalid")], status: .unauthorized)
        }
        if passwords.hasher.needsRehash(hash) {
            account.passwordHash = try await passwords.hash(password)
            try await account.save(on: req.db)
        }
        // A counsellor's private key is unwrapped now, while the password is at hand, and kept sealed
        // under a handle; the session only gets the handle once the second factor is through.
        if let stale = req.session.data[SessionKeys.pendingKey] { try await req.unlockedKeys.remove(stale) }
        req.session.data[SessionKeys.pendingKey] = nil
        if account.role == .counsellor, let accountID = account.id {
            BrowserSecret.renew(req)
            guard
                let privateKey = try await CounsellorKeyService(services: req.vertrouwd, db: req.db).unlock(
                    accountID: accountID, password: password)
            else {
                return try await renderLogin(
                    req, email: typedEmail, errors: [FieldError(field: "email", key: "login.error.no_key")], status: .conflict)
            }
            req.session.data[SessionKeys.pendingKey] = try await req.unlockedKeys.put(
                Array(privateKey.rawRepresentation), kind: .counsellor, owner: accountID)
        }
        req.session.data[SessionKeys.pendingAccount] = account.id?.uuidString
        req.session.data[SessionKeys.pendingAt] = String(Int(req.now.timeIntervalSince1970))
        return req.redirect(to: Endpoint.loginCode.path())
    }

    func showCode(req: Request) async throws -> Response {
        guard try await pendingAccount(req) != nil else { return req.redirect(to: Endpoint.login.path()) }
        return try await renderCode(req, errors: [])
    }

    func verifyCode(req: Request) async throws -> Response {
        guard let account = try await pendingAccount(req), let accountID = account.id else {
            req.setNotice("login.notice.start_again")
            return req.redirect(to: Endpoint.login.path())
        }
        let typed = req.form(CodeForm.self, orEmpty: CodeForm()).code?.cleanedInput ?? ""
        guard !typed.isEmpty else {
            return try await renderCode(
                req, errors: [FieldError(field: "code", key: "login.error.code_required")], status: .unprocessableEntity)
        }
        let throttle = ThrottleStore(request: req)
        let keys = throttle.keys(email: account.email)
        if let until = try await throttle.blockedUntil(keys) {
            return try await renderCode(
                req, errors: [FieldError(field: "code", key: "login.error.throttled")], until: until, status: .tooManyRequests)
        }
        guard try await acceptSecondFactor(typed, for: account, accountID: accountID, on: req) else {
            try await throttle.recordAttempt(keys)
            try await req.audit.record(.staff(accountID), .loginFailed)
            return try await renderCode(req, errors: [FieldError(field: "code", key: "login.error.code_invalid")], status: .unauthorized)
        }
        try await throttle.recordSuccess(keys)
        let keyHandle = req.session.data[SessionKeys.pendingKey]
        try await req.beginStaffSession(for: account, keyHandle: keyHandle)
        try await req.audit.record(.staff(accountID), .login)
        if keyHandle != nil { try await req.audit.record(.staff(accountID), .keyUnlock) }
        req.logger.info("staff login", metadata: ["role": .string(account.role.rawValue)])
        return req.redirect(to: account.role.homePath)
    }

    func logout(req: Request) async throws -> Response {
        try await req.endStaffSession(notice: "login.notice.logged_out")
        return req.redirect(to: Endpoint.login.path())
    }

    // MARK: - Helpers

    private func pendingAccount(_ req: Request) async throws -> StaffAccount? {
        guard req.hasSession, let raw = req.session.data[SessionKeys.pendingAccount], let id = UUID(uuidString: raw),
            let started = Double(req.session.data[SessionKeys.pendingAt] ?? ""),
            req.now.timeIntervalSince1970 - started < Self.pendingLifetime
        else { return nil }
        guard let account = try await StaffAccount.find(id, on: req.db), account.isActivated, !account.isDisabled else { return nil }
        return account
    }

    /// A TOTP code (not used before) or an unused recovery code.
    private func acceptSecondFactor(_ typed: String, for account: StaffAccount, accountID: UUID, on req: Request) async throws -> Bool {
        if RecoveryCodes.looksLikeRecoveryCode(typed) {
            let digest = req.vertrouwd.lookupDigest(RecoveryCodes.normalize(typed), purpose: "recovery-code")
            guard
                let code = try await RecoveryCode.query(on: req.db)
                    .filter(\.$account.$id == accountID).filter(\.$digest == digest).filter(\.$usedAt == nil).first()
            else { return false }
            code.usedAt = req.now
            try await code.save(on: req.db)
            req.logger.notice("recovery code used")
            return true
        }
        guard let sealed = account.totpSecretSealed,
            let secret = try? req.vertrouwd.totpBox.open(Array(sealed), context: account.totpSealContext)
        else { return false }
        let lastStep = account.totpLastStep.map { UInt64(max(0, $0)) }
        guard let step = TOTP(secret: secret).verify(typed, at: req.now, lastUsedStep: lastStep) else { return false }
        account.totpLastStep = Int64(step)
        try await account.save(on: req.db)
        return true
    }

    private func renderLogin(
        _ req: Request, email: String, errors: [FieldError], until: Date? = nil, status: HTTPResponseStatus = .ok
    ) async throws -> Response {
        let context = LoginContext(
            shell: PageShell(req, page: "login", titleKey: "login.title", publicPage: true),
            csrf: req.csrfToken(), email: email, errors: FormErrors(errors),
            minutes: until.map { ThrottleStore.minutes(until: $0, now: req.now) })
        return try await req.render("login", context, status: status)
    }

    private func renderThrottled(_ req: Request, email: String, until: Date) async throws -> Response {
        try await renderLogin(
            req, email: email, errors: [FieldError(field: "email", key: "login.error.throttled")], until: until, status: .tooManyRequests)
    }

    struct CodeContext: Encodable {
        let shell: PageShell
        let csrf: String
        let errors: FormErrors
        let minutes: String?
    }

    private func renderCode(
        _ req: Request, errors: [FieldError], until: Date? = nil, status: HTTPResponseStatus = .ok
    ) async throws -> Response {
        let context = CodeContext(
            shell: PageShell(req, page: "login-2fa", titleKey: "login.code.title", publicPage: true),
            csrf: req.csrfToken(), errors: FormErrors(errors), minutes: until.map { ThrottleStore.minutes(until: $0, now: req.now) })
        return try await req.render("login-2fa", context, status: status)
    }
}
