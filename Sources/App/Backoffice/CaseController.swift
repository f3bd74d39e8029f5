import Fluent
import Vapor
import VertrouwdCore

/// `/backoffice/cases/:id`: a counsellor reads a case with their own unlocked key, replies to the
/// person's inbox, acknowledges a formal report and records feedback. A case not sealed to them
/// answers 404, the same as one that does not exist. Notes, consent, registration and access have
/// their own controllers on the same page.
struct CaseController: RouteCollection {
    struct ReplyForm: Content {
        var message: String?
        var attachments: [File]?
    }

    func boot(routes: any RoutesBuilder) throws {
        let counsellor = routes.grouped(RequireRole(.counsellor))
        counsellor.get(.casePage, use: show)
        counsellor.post(.caseReply, use: reply)
        counsellor.post(.caseAcknowledge, use: acknowledge)
        counsellor.post(.caseFeedback, use: recordFeedback)
        counsellor.get(.caseAttachment, use: attachment)
    }

    func show(req: Request) async throws -> Response {
        let opened = try await req.counsellorCase()
        try await req.audit(.caseRead, caseID: opened.caseID)
        req.logger.info("case opened", metadata: ["role": "counsellor"])
        return try await CasePage(req: req, opened: opened).render()
    }

    /// A message (and files) to the person's inbox; clears "waiting" and nudges the person if they asked.
    func reply(req: Request) async throws -> Response {
        let opened = try await req.counsellorCase()
        let form = req.form(ReplyForm.self, orEmpty: ReplyForm())
        let organisation = try await Organisation.find(opened.record.$organisation.id, on: req.db)
        let draft = MessageDraft(
            text: form.message, attachments: form.attachments, policy: organisation?.attachmentPolicy ?? AttachmentPolicy())
        let message = draft.text
        let files = draft.files
        var errors = draft.errors(emptyKey: "case.error.message_required")
        if !CaseLifecycle.allows(.reply, to: opened.record.lifecycleState()) {
            errors.append(FieldError(field: "message", key: "case.error.ended"))
        }
        guard errors.isEmpty else {
            return try await CasePage(req: req, opened: opened).render(
                draft: message, errors: errors, files: files, status: .unprocessableEntity)
        }
        let vault = CaseVault(services: req.vertrouwd, db: req.db)
        let record = opened.record
        try record.apply(.reply, by: .counsellor, now: req.now)
        try await req.db.transaction { db in
            if !message.isEmpty { try await vault.append(message, field: .message, author: .counsellor, to: opened, on: db) }
            try await vault.append(attachments: files.accepted, author: .counsellor, to: opened, on: db)
            try await record.save(on: db)
            try await req.audit(.caseReply, caseID: opened.caseID, on: db)
        }
        await req.notifyPerson(of: opened.record)
        req.setNotice("case.notice.replied")
        return req.redirect(to: Endpoint.casePage.path(opened.caseID))
    }

    /// Acknowledges a formal report in one step: stops the 7-day clock and tells the person in their inbox.
    func acknowledge(req: Request) async throws -> Response {
        let opened = try await req.counsellorCase()
        guard CaseLifecycle.allows(.acknowledge, to: opened.record.lifecycleState()) else { throw PageError.notFound }
        let organisation = try await Organisation.find(opened.record.$organisation.id, on: req.db)
        let language = Language(rawValue: organisation?.defaultLanguage ?? "") ?? .dutch
        let text = req.vertrouwd.catalog.text("deadline.acknowledgement.message", in: language)
        let vault = CaseVault(services: req.vertrouwd, db: req.db)
        let record = opened.record
        try await req.db.transaction { db in
            try await vault.append(text, field: .message, author: .counsellor, to: opened, on: db)
            try record.apply(.acknowledge, by: .counsellor, now: req.now)
            try await record.save(on: db)
            try await req.audit(.caseAcknowledge, caseID: opened.caseID, on: db)
        }
        await req.notifyPerson(of: opened.record)
        req.setNotice("case.notice.acknowledged")
        return req.redirect(to: Endpoint.casePage.path(opened.caseID))
    }

    /// Records that feedback was given (written as a reply first): stops the 3-month clock.
    func recordFeedback(req: Request) async throws -> Response {
        let opened = try await req.counsellorCase()
        return try await req.takeStep(.recordFeedback, on: opened, audit: .caseFeedback, notice: "case.notice.feedback")
    }

    /// One attachment, decrypted with the counsellor's key, as a download (an export, in the audit log).
    func attachment(req: Request) async throws -> Response {
        let opened = try await req.counsellorCase()
        guard let itemID = req.parameters.get("item").flatMap(UUID.init(uuidString:)),
            let envelope = try await CaseVault(services: req.vertrouwd, db: req.db).attachment(itemID, in: opened)
        else { throw PageError.notFound }
        try await req.audit(.caseExport, caseID: opened.caseID)
        req.logger.info("attachment downloaded", metadata: ["role": "counsellor"])
        return .download(envelope)
    }

}
