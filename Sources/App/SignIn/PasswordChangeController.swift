import Fluent
import Vapor
import VertrouwdCore

/// `/account/password`: a signed-in staff member changes their password. For a counsellor the private
/// key is wrapped anew under the new password in the same transaction, so access to cases is kept.
struct PasswordChangeController: RouteCollection {
    struct PasswordForm: Content {
        var current_password: String?
        var password: String?
        var password_confirm: String?
    }

    struct FormContext: Encodable {
        let shell: PageShell
        let csrf: String
        let errors: FormErrors
        let minimumLength: Int
        let minutes: String?
    }

    func boot(routes: any RoutesBuilder) throws {
        let staff = routes.grouped(RequireRole(.admin, .counsellor, .organisationContact))
        staff.get(.password, use: show)
        staff.post(.password, use: change)
    }

    func show(req: Request) async throws -> Response {
        try await render(req, errors: [])
    }

    func change(req: Request) async throws -> Response {
        guard let account = req.staffAccount, let accountID = account.id, let currentHash = account.passwordHash else {
            throw PageError.loginRequired
        }
        let form = req.form(PasswordForm.self, orEmpty: PasswordForm())
        let current = form.current_password ?? ""
        let new = form.password ?? ""
        var errors = PasswordPolicy.problems(password: new, confirmation: form.password_confirm ?? "", email: account.email)
            .map { FieldError(field: $0 == "password.mismatch" ? "password_confirm" : "password", key: $0) }
        if current.isEmpty { errors.insert(FieldError(field: "current_password", key: "account.password.error.current_required"), at: 0) }
        guard errors.isEmpty else { return try await render(req, errors: errors, status: .unprocessableEntity) }

        // Someone at an unattended screen must not be able to guess the password here either.
        let throttle = ThrottleStore(request: req)
        let keys = throttle.keys(email: account.email)
        if let until = try await throttle.blockedUntil(keys) {
            return try await render(
                req, errors: [FieldError(field: "current_password", key: "login.error.throttled")], until: until, status: .tooManyRequests)
        }
        let services = req.vertrouwd
        guard try await services.passwords.verify(current, against: currentHash) else {
            try await throttle.recordAttempt(keys)
            return try await render(
                req, errors: [FieldError(field: "current_password", key: "account.password.error.current_wrong")], status: .unauthorized)
        }
        let newHash = try await services.passwords.hash(new)
        let counsellorKeys = CounsellorKeyService(services: services, db: req.db)
        try await req.db.transaction { db in
            account.passwordHash = newHash
            try await account.save(on: db)
            try await counsellorKeys.rewrap(accountID: accountID, oldPassword: current, newPassword: new, on: db)
        }
        try await throttle.recordSuccess(keys)
        req.logger.info("password changed", metadata: ["role": .string(account.role.rawValue)])
        req.setNotice("account.password.changed")
        return req.redirect(to: account.role.homePath)
    }

    private func render(_ req: Request, errors: [FieldError], until: Date? = nil, status: HTTPResponseStatus = .ok) async throws -> Response
    {
        let context = FormContext(
            shell: PageShell(req, page: "account-password", titleKey: "account.password.title", publicPage: false),
            csrf: req.csrfToken(), errors: FormErrors(errors), minimumLength: PasswordPolicy.minimumLength,
            minutes: until.map { ThrottleStore.minutes(until: $0, now: req.now) })
        return try await req.render("account-password", context, status: status)
    }
}
