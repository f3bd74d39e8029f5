import Fluent
import Vapor
import VertrouwdCore

/// Status, registration for the yearly report, closing and reopening. A case closes only when it is
/// registered; closing starts the retention term, after which the content is purged and only the
/// registration remains.
struct CaseClosingController: RouteCollection {
    struct RegistrationFormData: Content {
        var kinds: [String]?
        var other_party: String?
        var pattern: String?
        var outcomes: [String]?
        var contacts: String?
        var hours: String?
        var gender: String?
        var job_group: String?
        var location: String?
    }

    struct StatusForm: Content {
        var status: String?
    }

    func boot(routes: any RoutesBuilder) throws {
        let counsellor = routes.grouped(RequireRole(.counsellor))
        counsellor.post(.caseRegistration, use: register)
        counsellor.post(.caseStatus, use: changeStatus)
        counsellor.post(.caseClose, use: close)
        counsellor.post(.caseReopen, use: reopen)
    }

    func register(req: Request) async throws -> Response {
        let opened = try await req.counsellorCase()
        let form = req.form(RegistrationFormData.self, orEmpty: RegistrationFormData())
        var (parsed, problems) = Registration.parse(
            kinds: form.kinds ?? [], otherParty: form.other_party, pattern: form.pattern, outcomes: form.outcomes ?? [],
            contacts: form.contacts, hours: form.hours)
        // Optional breakdowns: one of the organisation's categories, or not recorded.
        let breakdowns = try await Organisation.find(opened.record.$organisation.id, on: req.db)?.optionalBreakdowns ?? [:]
        let typed = [OptionalBreakdown.gender: form.gender, .jobGroup: form.job_group, .location: form.location]
        var optional: [OptionalBreakdown: String] = [:]
        for (breakdown, categories) in breakdowns {
            let value = typed[breakdown].flatMap { $0 } ?? ""
            if value.isEmpty { continue }
            if categories.contains(value) {
                optional[breakdown] = value
            } else {
                problems[breakdown.formField] = "registration.error.choice"
            }
        }
        if !problems.isEmpty { parsed = nil }
        guard let parsed, let accountID = req.staffAccount?.id else {
            let order = ["kinds", "other_party", "pattern", "outcomes", "contacts", "hours", "gender", "job_group", "location"]
            let errors = order.compactMap { field in problems[field].map { FieldError(field: field, key: $0) } }
            let values = CasePage.RegistrationValues(
                kinds: form.kinds ?? [], otherParty: form.other_party, pattern: form.pattern, outcomes: form.outcomes ?? [],
                contacts: form.contacts ?? "", hours: form.hours ?? "",
                optional: ["gender": form.gender ?? "", "job_group": form.job_group ?? "", "location": form.location ?? ""])
            return try await CasePage(req: req, opened: opened).render(
                errors: errors, registrationValues: values, status: .unprocessableEntity)
        }
        let signal =
            try await CaseVault(services: req.vertrouwd, db: req.db).contents(of: opened).last { $0.field == .signal }
            .flatMap { try? JSONDecoder().decode(SignalEntry.self, from: Data($0.bytes)) }?.on ?? false
        let row = try await CaseRegistration.query(on: req.db).filter(\.$caseID == opened.caseID).first() ?? CaseRegistration()
        row.update(from: parsed, record: opened.record, counsellorID: accountID, retaliation: signal, now: req.now)
        row.optional = optional
        try await req.audited(.caseRegister, caseID: opened.caseID) { db in try await row.save(on: db) }
        req.setNotice("registration.notice.saved")
        return req.redirect(to: Endpoint.casePage.path(opened.caseID, anchor: "registration-title"))
    }

    /// Back to "in conversation" (from new or referred). "Referred" comes only with a recorded
    /// referral; closing and withdrawing have their own paths.
    func changeStatus(req: Request) async throws -> Response {
        let opened = try await req.counsellorCase()
        let status = req.form(StatusForm.self, orEmpty: StatusForm()).status ?? ""
        guard CaseStatus(rawValue: status) == .inConversation else { throw PageError.notFound }
        return try await req.takeStep(.resumeConversation, on: opened, audit: .caseStatus, notice: "case.notice.status", detail: status)
    }

    func close(req: Request) async throws -> Response {
        let opened = try await req.counsellorCase()
        let registered = try await CaseRegistration.query(on: req.db).filter(\.$caseID == opened.caseID).first() != nil
        if case .failure(.notRegistered) = CaseLifecycle.apply(
            .close, by: .counsellor, to: opened.record.lifecycleState(isRegistered: registered))
        {
            return try await CasePage(req: req, opened: opened).render(
                errors: [FieldError(field: "kinds", key: "case.error.register_first")], status: .unprocessableEntity)
        }
        // Any other refusal (an ended case) answers 404 in `takeStep`, checked first as before.
        return try await req.takeStep(.close, on: opened, audit: .caseClose, notice: "case.notice.closed", isRegistered: registered)
    }

    /// A closed case opens again (a mistake, or the person came back); the retention term stops.
    func reopen(req: Request) async throws -> Response {
        let opened = try await req.counsellorCase()
        return try await req.takeStep(.reopen, on: opened, audit: .caseReopen, notice: "case.notice.reopened")
    }
}
