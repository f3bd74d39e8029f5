import Fluent
import Vapor
import VertrouwdCore

/// `/backoffice/cases/:id`: a counsellor reads a case with their own unlocked key and replies to the
/// person's inbox. A case not sealed to them answers 404, the same as one that does not exist.
struct CaseController: RouteCollection {
    struct ReplyForm: Content {
        var message: String?
    }

    struct Fact: Encodable {
        let labelKey: String
        let value: String
    }

    struct CaseContext: Encodable {
        let shell: PageShell
        let csrf: String
        let caseID: String
        let organisationName: String
        let kindKey: String
        let statusKey: String
        let created: String
        let deadlines: [DeadlineView]
        let hasDeadlines: Bool
        let canAcknowledge: Bool
        let canRecordFeedback: Bool
        let facts: [Fact]
        let kinds: [String]
        let identityName: String?
        let identityContact: String?
        let messages: [InboxController.MessageView]
        let message: String
        let errors: FormErrors
    }

    func boot(routes: any RoutesBuilder) throws {
        let cases = routes.grouped(RequireRole(.counsellor)).grouped("backoffice", "cases", ":id")
        cases.get(use: show)
        cases.post("reply", use: reply)
        cases.post("acknowledge", use: acknowledge)
        cases.post("feedback", use: recordFeedback)
        cases.get("attachments", ":item", use: attachment)
    }

    /// One attachment, decrypted with the counsellor's key, as a download.
    func attachment(req: Request) async throws -> Response {
        let opened = try await open(req)
        guard let itemID = req.parameters.get("item").flatMap(UUID.init(uuidString:)),
            let content = try await CaseVault(services: req.vertrouwd, db: req.db).contents(of: opened)
                .first(where: { $0.id == itemID && $0.field == "attachment" }),
            let envelope = AttachmentEnvelope.decode(content.bytes)
        else { throw PageError.notFound }
        req.logger.info("attachment downloaded", metadata: ["role": "counsellor"])
        return .download(envelope)
    }

    /// Acknowledges a formal report in one step: stops the 7-day clock and tells the person in their inbox.
    func acknowledge(req: Request) async throws -> Response {
        let opened = try await open(req)
        guard opened.record.kind == "report", opened.record.acknowledgedAt == nil else { throw PageError.notFound }
        let organisation = try await Organisation.find(opened.record.$organisation.id, on: req.db)
        let language = Language(rawValue: organisation?.defaultLanguage ?? "") ?? .dutch
        let text = req.vertrouwd.catalog.text("deadline.acknowledgement.message", in: language)
        try await CaseVault(services: req.vertrouwd, db: req.db).append(text, field: "message", author: "counsellor", to: opened)
        opened.record.acknowledgedAt = req.now
        if opened.record.status == "new" { opened.record.status = "in-conversation" }
        try await opened.record.save(on: req.db)
        await Self.notifyPerson(req, opened.record)
        req.setNotice("case.notice.acknowledged")
        return req.redirect(to: "/backoffice/cases/\(opened.caseID)")
    }

    /// Records that feedback was given (written as a reply first): stops the 3-month clock.
    func recordFeedback(req: Request) async throws -> Response {
        let opened = try await open(req)
        guard opened.record.kind == "report", opened.record.acknowledgedAt != nil, opened.record.feedbackGivenAt == nil else {
            throw PageError.notFound
        }
        opened.record.feedbackGivenAt = req.now
        try await opened.record.save(on: req.db)
        req.setNotice("case.notice.feedback")
        return req.redirect(to: "/backoffice/cases/\(opened.caseID)")
    }

    func show(req: Request) async throws -> Response {
        let opened = try await open(req)
        req.logger.info("case opened", metadata: ["role": "counsellor"])
        return try await render(req, opened, draft: "", errors: [])
    }

    func reply(req: Request) async throws -> Response {
        let opened = try await open(req)
        let message = req.form(ReplyForm.self, orEmpty: ReplyForm()).message?.cleanedInput ?? ""
        var errors: [FieldError] = []
        if message.isEmpty { errors.append(FieldError(field: "message", key: "case.error.message_required")) }
        if message.count > ContactController.maximumMessage {
            errors.append(FieldError(field: "message", key: "contact.error.message_long"))
        }
        guard errors.isEmpty else { return try await render(req, opened, draft: message, errors: errors, status: .unprocessableEntity) }
        try await CaseVault(services: req.vertrouwd, db: req.db).append(message, field: "message", author: "counsellor", to: opened)
        if opened.record.status == "new" {
            opened.record.status = "in-conversation"
            try await opened.record.save(on: req.db)
        }
        await Self.notifyPerson(req, opened.record)
        req.setNotice("case.notice.replied")
        return req.redirect(to: "/backoffice/cases/\(opened.caseID)")
    }

    /// Queues the person's nudge, if they asked for one; a failure never undoes the reply.
    static func notifyPerson(_ req: Request, _ record: CaseRecord) async {
        do {
            try await Notifier(services: req.vertrouwd, db: req.db).personNotified(record)
        } catch {
            req.logger.warning("notification not queued", metadata: ["error": .string(String(describing: type(of: error)))])
        }
    }

    private func open(_ req: Request) async throws -> CaseVault.OpenedCase {
        guard let id = req.parameters.get("id").flatMap(UUID.init(uuidString:)), let accountID = req.staffAccount?.id,
            let key = req.counsellorKey
        else { throw PageError.notFound }
        do {
            return try await CaseVault(services: req.vertrouwd, db: req.db).open(caseID: id, counsellorID: accountID, privateKey: key)
        } catch is CaseVault.Failure {
            throw PageError.notFound
        }
    }

    private func render(
        _ req: Request, _ opened: CaseVault.OpenedCase, draft: String, errors: [FieldError], status: HTTPResponseStatus = .ok
    ) async throws -> Response {
        let contents = try await CaseVault(services: req.vertrouwd, db: req.db).contents(of: opened)
        let decoder = JSONDecoder()
        let answers = contents.last { $0.field == "form" }.flatMap {
            try? decoder.decode(ContactController.FormAnswers.self, from: Data($0.bytes))
        }
        let identity = contents.last { $0.field == "identity" }.flatMap {
            try? decoder.decode(ContactController.Identity.self, from: Data($0.bytes))
        }
        var facts: [Fact] = []
        if let answers {
            facts.append(Fact(labelKey: "case.fact.identity", value: req.t("contact.identity.\(answers.identity)")))
            facts.append(Fact(labelKey: "case.fact.channel", value: req.t("contact.channel.\(answers.channel)")))
            if let urgency = answers.urgency, ContactController.urgencies.contains(urgency) {
                facts.append(Fact(labelKey: "case.fact.urgency", value: req.t("contact.urgency.\(urgency)")))
            }
        }
        let organisation = try await Organisation.find(opened.record.$organisation.id, on: req.db)
        let context = CaseContext(
            shell: PageShell(req, page: "case", titleKey: "case.title", publicPage: false), csrf: req.csrfToken(),
            caseID: opened.caseID.uuidString, organisationName: organisation?.name ?? "", kindKey: "case.kind.\(opened.record.kind)",
            statusKey: "case.status.\(opened.record.status)", created: req.formatted(opened.record.receivedAt ?? opened.record.createdAt),
            deadlines: DeadlineView.list(for: opened.record, on: req), hasDeadlines: opened.record.kind == "report",
            canAcknowledge: opened.record.kind == "report" && opened.record.acknowledgedAt == nil,
            canRecordFeedback: opened.record.kind == "report" && opened.record.acknowledgedAt != nil
                && opened.record.feedbackGivenAt == nil,
            facts: facts,
            kinds: (answers?.kinds ?? []).map { req.t("kind.\($0)") }, identityName: identity?.name,
            identityContact: identity.flatMap { $0.contact.isEmpty ? nil : $0.contact },
            messages: InboxController.MessageView.conversation(contents, on: req),
            message: draft, errors: FormErrors(errors))
        return try await req.render("backoffice-case", context, status: status)
    }
}
