import Fluent
import Vapor
import VertrouwdCore

/// Creating and editing staff accounts, with the organisations they serve, and issuing activation links.
struct AdminAccountController: RouteCollection {
    struct AccountForm: Content {
        var email: String?
        var name: String?
        var role: String?
        var disabled: String?
        /// Organisation id → `internal`, `external`, `contact` or empty.
        var membership: [String: String]?
        /// Organisation id → `on` when the counsellor is part of its reporting point.
        var reports: [String: String]?
    }

    struct MembershipChoice: Encodable {
        let organisationID: String
        let organisationName: String
        let value: String
        let receivesReports: Bool
    }

    struct FormContext: Encodable {
        let shell: PageShell
        let csrf: String
        let action: String
        let isNew: Bool
        let accountID: String
        let email: String
        let name: String
        let role: String
        let disabled: Bool
        let roleKey: String
        let memberships: [MembershipChoice]
        let roles: [RoleOption]
        let errors: FormErrors
    }

    struct RoleOption: Encodable {
        let value: String
        let key: String
    }

    struct LinkContext: Encodable {
        let shell: PageShell
        let name: String
        let link: String
    }

    static let membershipValues: Set<String> = ["internal", "external", "contact"]

    func boot(routes: any RoutesBuilder) throws {
        routes.get(.adminNewAccount, use: new)
        routes.post(.adminAccounts, use: create)
        routes.get(.adminAccountEdit, use: edit)
        routes.post(.adminAccount, use: update)
        routes.post(.adminAccountActivation, use: reissue)
    }

    func new(req: Request) async throws -> Response {
        try await render(req, account: nil, form: AccountForm(role: StaffRole.counsellor.rawValue), errors: [])
    }

    func create(req: Request) async throws -> Response {
        let form = req.form(AccountForm.self, orEmpty: AccountForm())
        var errors: [FieldError] = []
        let email = EmailAddress(form.email ?? "")
        if email == nil { errors.append(FieldError(field: "email", key: "admin.account.error.email_invalid")) }
        let name = (form.name ?? "").cleanedInput
        errors += Self.nameErrors(name)
        let role = StaffRole(rawValue: form.role ?? "")
        if role == nil { errors.append(FieldError(field: "role", key: "admin.account.error.role")) }
        let memberships = try await membershipChoices(form, role: role, errors: &errors, on: req)
        guard errors.isEmpty, let email, let role else {
            return try await render(req, account: nil, form: form, errors: errors, status: .unprocessableEntity)
        }
        let provisioning = AccountProvisioning(services: req.vertrouwd, db: req.db)
        let account: StaffAccount
        let link: String
        do {
            (account, link) = try await provisioning.create(email: email, displayName: name, role: role)
        } catch AccountProvisioning.Failure.emailTaken {
            return try await render(
                req, account: nil, form: form, errors: [FieldError(field: "email", key: "admin.account.error.email_taken")],
                status: .unprocessableEntity)
        }
        try await replaceMemberships(of: account, with: memberships, reports: form.reports, on: req.db)
        return try await renderLink(req, account: account, link: link)
    }

    func edit(req: Request) async throws -> Response {
        let account = try await find(req)
        let existing = try await OrganisationMembership.query(on: req.db).filter(\.$account.$id == account.requireID()).all()
        var choices: [String: String] = [:]
        var reports: [String: String] = [:]
        for membership in existing {
            choices[membership.$organisation.id.uuidString] = membership.counsellorKind ?? "contact"
            if membership.receivesReports { reports[membership.$organisation.id.uuidString] = "on" }
        }
        let form = AccountForm(
            email: account.email, name: account.displayName, role: account.roleRaw,
            disabled: account.isDisabled ? "on" : nil, membership: choices, reports: reports)
        return try await render(req, account: account, form: form, errors: [])
    }

    func update(req: Request) async throws -> Response {
        let account = try await find(req)
        var form = req.form(AccountForm.self, orEmpty: AccountForm())
        form.email = account.email
        form.role = account.roleRaw
        var errors: [FieldError] = []
        let name = (form.name ?? "").cleanedInput
        errors += Self.nameErrors(name)
        let memberships = try await membershipChoices(form, role: account.role, errors: &errors, on: req)
        if account.id == req.staffAccount?.id, form.disabled == "on" {
            errors.append(FieldError(field: "disabled", key: "admin.account.error.disable_self"))
        }
        guard errors.isEmpty else {
            return try await render(req, account: account, form: form, errors: errors, status: .unprocessableEntity)
        }
        let disable = form.disabled == "on"
        let reports = form.reports
        try await req.db.transaction { db in
            account.displayName = name
            account.isDisabled = disable
            try await account.save(on: db)
            try await replaceMemberships(of: account, with: memberships, reports: reports, on: db)
        }
        req.setNotice("admin.notice.account_saved")
        return req.redirect(to: Endpoint.admin.path())
    }

    /// A new activation link: for a new account that lost its link, or to reset one whose owner lost access.
    func reissue(req: Request) async throws -> Response {
        let account = try await find(req)
        guard account.id != req.staffAccount?.id else { throw PageError.forbidden }
        let link = try await req.db.transaction { db in
            try await AccountProvisioning(services: req.vertrouwd, db: db).issueActivationLink(for: account)
        }
        req.logger.notice("activation link issued", metadata: ["role": .string(account.role.rawValue)])
        return try await renderLink(req, account: account, link: link)
    }

    // MARK: - Helpers

    private func find(_ req: Request) async throws -> StaffAccount {
        guard let id = req.parameters.get("id").flatMap(UUID.init(uuidString:)),
            let account = try await StaffAccount.find(id, on: req.db)
        else { throw PageError.notFound }
        return account
    }

    static func nameErrors(_ name: String) -> [FieldError] {
        if name.isEmpty { return [FieldError(field: "name", key: "admin.account.error.name_required")] }
        if name.count > 120 { return [FieldError(field: "name", key: "admin.account.error.name_long")] }
        return []
    }

    /// Checks the chosen memberships against the role: counsellors serve as internal or external,
    /// an organisation contact belongs to exactly one organisation, an admin to none.
    private func membershipChoices(
        _ form: AccountForm, role: StaffRole?, errors: inout [FieldError], on req: Request
    ) async throws -> [UUID: CounsellorKind?] {
        let organisationIDs = Set(try await Organisation.query(on: req.db).all().compactMap(\.id))
        var chosen: [UUID: CounsellorKind?] = [:]
        var valid = true
        for (key, value) in form.membership ?? [:] where !value.isEmpty {
            guard let id = UUID(uuidString: key), organisationIDs.contains(id), Self.membershipValues.contains(value) else {
                valid = false
                continue
            }
            switch (role, value) {
            case (.counsellor, "internal"), (.counsellor, "external"): chosen[id] = CounsellorKind(rawValue: value)
            case (.organisationContact, "contact"): chosen[id] = .some(nil)
            default: valid = false
            }
        }
        if !valid { errors.append(FieldError(field: "memberships", key: "admin.account.error.membership_role")) }
        if role == .organisationContact, valid, chosen.count != 1 {
            errors.append(FieldError(field: "memberships", key: "admin.account.error.contact_one"))
        }
        return chosen
    }

    private func replaceMemberships(
        of account: StaffAccount, with chosen: [UUID: CounsellorKind?], reports: [String: String]?, on db: any Database
    ) async throws {
        let accountID = try account.requireID()
        // One by one, through the model: the portal's list of counsellors is cached (`PageCacheInvalidation`).
        for membership in try await OrganisationMembership.query(on: db).filter(\.$account.$id == accountID).all() {
            try await membership.delete(on: db)
        }
        for (organisationID, kind) in chosen {
            let membership = OrganisationMembership(organisationID: organisationID, accountID: accountID, counsellorKind: kind)
            // Only a counsellor can be part of a reporting point.
            membership.receivesReports = kind != nil && reports?[organisationID.uuidString] == "on"
            try await membership.create(on: db)
        }
    }

    private func render(
        _ req: Request, account: StaffAccount?, form: AccountForm, errors: [FieldError], status: HTTPResponseStatus = .ok
    ) async throws -> Response {
        let organisations = try await Organisation.query(on: req.db).sort(\.$name).all()
        let choices = organisations.map { organisation -> MembershipChoice in
            let id = organisation.id?.uuidString ?? ""
            return MembershipChoice(
                organisationID: id, organisationName: organisation.name, value: form.membership?[id] ?? "",
                receivesReports: form.reports?[id] == "on")
        }
        let isNew = account == nil
        let context = FormContext(
            shell: PageShell(
                req, page: "admin-account", titleKey: isNew ? "admin.account.new.title" : "admin.account.edit.title", publicPage: false),
            csrf: req.csrfToken(),
            action: isNew ? Endpoint.adminAccounts.path() : Endpoint.adminAccount.path(account?.id?.uuidString ?? ""),
            isNew: isNew, accountID: account?.id?.uuidString ?? "", email: form.email ?? "", name: form.name ?? "",
            role: form.role ?? "", disabled: form.disabled == "on", roleKey: "role.\(form.role ?? "")", memberships: choices,
            roles: StaffRole.allCases.map { RoleOption(value: $0.rawValue, key: "role.\($0.rawValue)") }, errors: FormErrors(errors))
        return try await req.render("admin/account-form", context, status: status)
    }

    private func renderLink(_ req: Request, account: StaffAccount, link: String) async throws -> Response {
        let context = LinkContext(
            shell: PageShell(req, page: "admin-activation-link", titleKey: "admin.link.title", publicPage: false),
            name: account.displayName, link: link)
        return try await req.render("admin/activation-link", context)
    }
}
