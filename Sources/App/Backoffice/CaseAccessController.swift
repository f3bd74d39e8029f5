import Fluent
import Vapor
import VertrouwdCore

/// Who may read a case: sharing it with a co-counsellor of the same organisation, transferring it,
/// taking someone's access away, and handing over every case when a counsellor leaves. Each step
/// seals or re-seals the case's data key, so it needs the acting counsellor's own unlocked key;
/// nobody else (an admin included) can do it.
struct CaseAccessController: RouteCollection {
    struct AccessForm: Content {
        var counsellor: String?
        var confirm: String?
    }

    struct HandoverRow: Encodable {
        let organisationName: String
        let organisationID: String
        let cases: Int
        let targets: [CasePage.AccessView]
        let hasTargets: Bool
    }

    struct HandoverContext: Encodable {
        let shell: PageShell
        let csrf: String
        let rows: [HandoverRow]
        let hasRows: Bool
        let errors: FormErrors
    }

    struct HandoverForm: Content {
        var organisation: String?
        var counsellor: String?
        var confirm: String?
    }

    func boot(routes: any RoutesBuilder) throws {
        let counsellor = routes.grouped(RequireRole(.counsellor))
        counsellor.post(.caseShare, use: share)
        counsellor.post(.caseTransfer, use: transfer)
        counsellor.post(.caseRevoke, use: revoke)
        counsellor.get(.handover, use: handoverPage)
        counsellor.post(.handover, use: handover)
    }

    /// A counsellor who serves the case's organisation — for a formal report, one of its reporting
    /// point — and is not the one acting.
    private func colleague(_ req: Request, _ record: CaseRecord, _ raw: String?) async throws -> UUID? {
        guard let id = raw.flatMap(UUID.init(uuidString:)), id != req.staffAccount?.id else { return nil }
        return try await CaseRecipients.ids(for: record, on: req.db).contains(id) ? id : nil
    }

    func share(req: Request) async throws -> Response {
        let opened = try await req.counsellorCase()
        guard let target = try await colleague(req, opened.record, req.form(AccessForm.self, orEmpty: AccessForm()).counsellor) else {
            return try await CasePage(req: req, opened: opened).render(
                errors: [FieldError(field: "share-counsellor", key: "access.error.choice")], status: .unprocessableEntity)
        }
        let services = req.vertrouwd
        try await req.audited(.keyGrant, caseID: opened.caseID, detail: target.uuidString) { db in
            try await CaseVault(services: services, db: db).grant(opened, to: target)
            try await WorkQueueStore.markShared(opened.caseID, with: target, on: db)
        }
        await req.notifyCounsellors(of: opened.caseID, template: "new-case")
        req.setNotice("access.notice.shared")
        return req.redirect(to: Endpoint.casePage.path(opened.caseID, anchor: "access-title"))
    }

    /// Gives the case to a colleague and takes one's own access away (the data key is renewed).
    func transfer(req: Request) async throws -> Response {
        let opened = try await req.counsellorCase()
        let form = req.form(AccessForm.self, orEmpty: AccessForm())
        guard let target = try await colleague(req, opened.record, form.counsellor), form.confirm == "on",
            let me = req.staffAccount?.id
        else {
            return try await CasePage(req: req, opened: opened).render(
                errors: [FieldError(field: "transfer-counsellor", key: "access.error.transfer")], status: .unprocessableEntity)
        }
        try await Self.handOver(req, opened, from: me, to: target)
        req.setNotice("access.notice.transferred")
        return req.redirect(to: Endpoint.backoffice.path())
    }

    /// Takes back access one gave oneself (a share): never the counsellor the person chose, and never
    /// the last counsellor of a case.
    func revoke(req: Request) async throws -> Response {
        let opened = try await req.counsellorCase()
        let holders = try await CaseKeyGrant.query(on: req.db).filter(\.$caseRecord.$id == opened.caseID)
            .filter(\.$recipientKind == "counsellor").all().compactMap { $0.$counsellor.id }
        let target = req.form(AccessForm.self, orEmpty: AccessForm()).counsellor.flatMap(UUID.init(uuidString:))
        var sharedByMe = false
        if let target, let me = req.staffAccount?.id {
            sharedByMe =
                try await AuditEvent.query(on: req.db).filter(\.$caseID == opened.caseID.uuidString).filter(
                    \.$action == AuditAction.keyGrant.rawValue
                )
                .filter(\.$actor == AuditLog.Actor.staff(me).code).filter(\.$detail == target.uuidString).first() != nil
        }
        guard let target, target != req.staffAccount?.id, holders.contains(target), Set(holders).count > 1, sharedByMe else {
            return try await CasePage(req: req, opened: opened).render(
                errors: [FieldError(field: "access", key: "access.error.revoke")], status: .unprocessableEntity)
        }
        let services = req.vertrouwd
        try await req.audited(.keyRevoke, caseID: opened.caseID, detail: target.uuidString) { db in
            _ = try await CaseVault(services: services, db: db).revoke(opened, from: target)
        }
        req.setNotice("access.notice.revoked")
        return req.redirect(to: Endpoint.casePage.path(opened.caseID, anchor: "access-title"))
    }

    /// Grant to the colleague, revoke oneself (renewing the key) and the audit entry, all at once.
    static func handOver(_ req: Request, _ opened: CaseVault.OpenedCase, from me: UUID, to target: UUID) async throws {
        let services = req.vertrouwd
        try await req.audited(.caseTransfer, caseID: opened.caseID, detail: target.uuidString) { db in
            let vault = CaseVault(services: services, db: db)
            try await vault.grant(opened, to: target)
            try await WorkQueueStore.markShared(opened.caseID, with: target, on: db)
            _ = try await vault.revoke(opened, from: me)
        }
        await req.notifyCounsellors(of: opened.caseID, template: "new-case")
    }

    // MARK: - Leaving the practice

    func handoverPage(req: Request) async throws -> Response {
        try await renderHandover(req, errors: [])
    }

    /// Every case of one organisation that this counsellor holds goes to one colleague.
    func handover(req: Request) async throws -> Response {
        guard let me = req.staffAccount?.id, let key = req.counsellorKey else { throw PageError.loginRequired }
        let form = req.form(HandoverForm.self, orEmpty: HandoverForm())
        guard let organisationID = form.organisation.flatMap(UUID.init(uuidString:)), form.confirm == "on",
            let target = form.counsellor.flatMap(UUID.init(uuidString:)), target != me,
            try await OrganisationCounsellors.list(organisationID: organisationID, on: req.db).contains(where: { $0.account.id == target })
        else {
            return try await renderHandover(
                req, errors: [FieldError(field: "handover", key: "access.error.transfer")], status: .unprocessableEntity)
        }
        let vault = CaseVault(services: req.vertrouwd, db: req.db)
        let mine = try await BackofficeController.caseIDs(of: me, on: req.db)
        let cases =
            mine.isEmpty
            ? []
            : try await CaseRecord.query(on: req.db).filter(\.$id ~~ mine)
                .filter(\.$organisation.$id == organisationID).all()
        var handed = 0
        for record in cases {
            // A formal report goes only to a counsellor of the reporting point; it stays otherwise.
            guard let id = record.id, try await CaseRecipients.ids(for: record, on: req.db).contains(target) else { continue }
            let opened = try await vault.open(caseID: id, counsellorID: me, privateKey: key)
            try await Self.handOver(req, opened, from: me, to: target)
            handed += 1
        }
        req.logger.info("cases handed over", metadata: ["count": .stringConvertible(handed)])
        req.setNotice(handed == cases.count ? "access.notice.handed_over" : "access.notice.reports_stayed")
        return req.redirect(to: Endpoint.handover.path())
    }

    private func renderHandover(_ req: Request, errors: [FieldError], status: HTTPResponseStatus = .ok) async throws -> Response {
        guard let me = req.staffAccount?.id else { throw PageError.loginRequired }
        let mine = try await BackofficeController.caseIDs(of: me, on: req.db)
        let records = mine.isEmpty ? [] : try await CaseRecord.query(on: req.db).filter(\.$id ~~ mine).all()
        let counts = Dictionary(grouping: records, by: { $0.$organisation.id }).mapValues(\.count)
        // The organisations one serves, and those one still holds cases of after leaving them.
        let memberships = try await OrganisationMembership.query(on: req.db).filter(\.$account.$id == me).with(\.$organisation).all()
        var organisations = Dictionary(memberships.map { ($0.$organisation.id, $0.organisation) }, uniquingKeysWith: { first, _ in first })
        let missing = Set(counts.keys).subtracting(organisations.keys)
        if !missing.isEmpty {
            for organisation in try await Organisation.query(on: req.db).filter(\.$id ~~ missing).all() {
                organisations[try organisation.requireID()] = organisation
            }
        }
        var rows: [HandoverRow] = []
        for organisation in organisations.values {
            let organisationID = try organisation.requireID()
            let targets = try await OrganisationCounsellors.list(organisationID: organisationID, on: req.db)
                .filter { $0.account.id != me }
                .map { CasePage.AccessView(id: $0.account.id?.uuidString ?? "", name: $0.account.displayName, isYou: false) }
            rows.append(
                HandoverRow(
                    organisationName: organisation.name, organisationID: organisationID.uuidString,
                    cases: counts[organisationID] ?? 0, targets: targets, hasTargets: !targets.isEmpty))
        }
        rows.sort { $0.organisationName.localizedCompare($1.organisationName) == .orderedAscending }
        let context = HandoverContext(
            shell: PageShell(req, page: "handover", titleKey: "handover.title", publicPage: false), csrf: req.csrfToken(), rows: rows,
            hasRows: !rows.isEmpty, errors: FormErrors(errors))
        return try await req.render("backoffice/handover", context, status: status)
    }
}
