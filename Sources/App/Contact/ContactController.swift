import Fluent
import Vapor
import VertrouwdCore

/// `/o/:slug/contact`: a person asks a counsellor of their choice for a conversation — anonymously,
/// confidentially or openly — and receives a receipt to return with. Everything they write is case
/// content, encrypted before it is stored.
struct ContactController: RouteCollection {
    /// A request for a conversation, or a formal report under the Wbk to the organisation's reporting point.
    enum Mode: String, Sendable {
        case contact
        case report

        var endpoint: Endpoint { self == .contact ? .contact : .report }
        var caseKind: CaseKind { self == .contact ? .contact : .formalReport }
        var kinds: [Kind] { self == .contact ? Kind.allCases : Family.integrityViolation.kinds }
        var channels: [String] { self == .contact ? ["messages", "phone", "video", "meeting"] : ["written", "meeting"] }
    }

    let mode: Mode

    init(mode: Mode = .contact) {
        self.mode = mode
    }

    struct ContactForm: Content {
        var counsellor: String?
        var message: String?
        var kinds: [String]?
        var urgency: String?
        var identity: String?
        var name: String?
        var contact: String?
        var channel: String?
        var notify: String?
        var submission: String?
        var attachments: [File]?
        var share_journal: String?
    }

    struct CounsellorChoice: Encodable {
        let id: String
        let name: String
        let kindKey: String
        let languages: String
        let hasLanguages: Bool
        let checked: Bool
    }

    struct Choice: Encodable {
        let value: String
        let labelKey: String
        let hintKey: String
        let checked: Bool

        init(value: String, labelKey: String, checked: Bool) {
            self.value = value
            self.labelKey = labelKey
            self.hintKey = labelKey + ".hint"
            self.checked = checked
        }
    }

    struct FormContext: Encodable {
        let shell: PageShell
        let portal: PortalHeader
        let breadcrumbs: [Breadcrumb]
        let csrf: String
        let action: String
        let isReport: Bool
        let headingKey: String
        let introKey: String
        let submitKey: String
        let submission: String
        let counsellors: [CounsellorChoice]
        let hasCounsellors: Bool
        let message: String
        let kinds: [Choice]
        let urgencies: [Choice]
        let identities: [Choice]
        let channels: [Choice]
        let name: String
        let contact: String
        let notify: String
        let maximumLength: Int
        let attachments: AttachmentFieldView
        /// A journal is open in this browser: its entries can go along.
        let hasJournal: Bool
        let journalEntries: Int
        let shareJournal: Bool
        /// Who the case is about, as the person typed it (shown again after an error).
        let party: NamedPartyFields
        let partyOpen: Bool
        let errors: FormErrors
        let minutes: String?
    }

    struct ReceiptContext: Encodable {
        let shell: PageShell
        let portal: PortalHeader
        let csrf: String
        let receipt: String
        /// Where to come back: the full address of the inbox.
        let inboxAddress: String
        let errors: FormErrors
    }

    /// Counted per successful submission, forgotten after an hour.
    static let clientSubmissions = ThrottlePolicy(freeAttempts: 5, firstDelay: 60, maximumDelay: 30 * 60, memory: 60 * 60)
    static func organisationSubmissions(_ settings: AppSettings) -> ThrottlePolicy {
        ThrottlePolicy(freeAttempts: settings.organisationSubmissionsPerHour, firstDelay: 30, maximumDelay: 15 * 60, memory: 60 * 60)
    }
    static let identities = ["anonymous", "confidential", "open"]

    func boot(routes: any RoutesBuilder) throws {
        routes.get(mode.endpoint, use: show)
        routes.post(mode.endpoint, use: submit)
    }

    /// Who may receive this: every counsellor for a contact; the reporting point for a formal report.
    func recipients(_ organisationID: UUID, on db: any Database) async throws -> [OrganisationCounsellors.Entry] {
        try await CaseRecipients.list(kind: mode.caseKind, organisationID: organisationID, on: db)
    }

    func show(req: Request) async throws -> Response {
        let organisation = try await req.organisationFromPath()
        let chosen = req.query[String.self, at: "vp"]
        return try await render(
            req, organisation, form: ContactForm(counsellor: chosen, identity: "anonymous", channel: mode.channels[0]), errors: [])
    }

    func submit(req: Request) async throws -> Response {
        let organisation = try await req.organisationFromPath()
        let organisationID = try organisation.requireID()
        let form = req.form(ContactForm.self, orEmpty: ContactForm())
        let counsellors = try await recipients(organisationID, on: req.db)
        // Who the case is about comes from the same body, decoded on its own (the inbox takes the same fields).
        let partyFields = req.form(NamedPartyFields.self, orEmpty: NamedPartyFields())
        let errors = Self.validate(form, counsellors: counsellors, channels: mode.channels) + partyFields.errors
        guard errors.isEmpty, let counsellorID = form.counsellor.flatMap(UUID.init(uuidString:)) else {
            return try await render(req, organisation, form: form, party: partyFields, errors: errors, status: .unprocessableEntity)
        }
        // Floods: a client may send a few cases an hour, an organisation a few dozen; past that each
        // further one waits, with a message, and the person's text stays in the form.
        let perClient = ThrottleStore(request: req, policy: Self.clientSubmissions)
        let perOrganisation = ThrottleStore(request: req, policy: Self.organisationSubmissions(req.vertrouwd.settings))
        let clientKey = [perClient.clientKey(purpose: "submit-client")]
        let organisationKey = [req.vertrouwd.lookupDigest(organisationID.uuidString, purpose: "submit-organisation")]
        let held = [try await perClient.blockedUntil(clientKey), try await perOrganisation.blockedUntil(organisationKey)].compactMap { $0 }
            .max()
        if let held {
            return try await render(
                req, organisation, form: form, party: partyFields, errors: [FieldError(field: "message", key: "contact.error.busy")],
                minutes: ThrottleStore.minutes(until: held, now: req.now), status: .tooManyRequests)
        }
        let intake = CaseIntake(services: req.vertrouwd, db: req.db)
        let submissionDigest = Token.digest(form.submission ?? "")
        if try await intake.alreadySent(submissionDigest) {
            // The same form again (a double tap or a reload): the case exists; its receipt was shown once.
            req.setNotice("contact.notice.already_sent")
            return req.redirect(to: Endpoint.inbox.path(organisation.slug))
        }
        let files = UploadedFiles(form.attachments, policy: organisation.attachmentPolicy)
        guard files.problems.isEmpty else {
            return try await render(
                req, organisation, form: form, party: partyFields, errors: files.summaryErrors, files: files, status: .unprocessableEntity)
        }
        let answers = FormAnswers(
            kinds: (form.kinds ?? []).filter { Kind(rawValue: $0) != nil }, urgency: form.urgency,
            channel: form.channel ?? mode.channels[0],
            identity: form.identity ?? "anonymous")
        let submission = CaseIntake.Submission(
            organisationID: organisationID, kind: mode.caseKind, counsellorID: counsellorID, answers: answers,
            identity: answers.identity == "anonymous"
                ? nil : PersonIdentity(name: (form.name ?? "").cleanedInput, contact: (form.contact ?? "").cleanedInput),
            message: (form.message ?? "").cleanedInput, files: files.accepted, notify: EmailAddress(form.notify ?? ""),
            party: partyFields.party, journal: form.share_journal == "on" ? try await sharedJournal(req) : nil,
            submissionDigest: submissionDigest, language: req.language)
        let stored = try await intake.store(submission) { db in
            try await perClient.recordAttempt(clientKey, on: db)
            try await perOrganisation.recordAttempt(organisationKey, on: db)
        }
        guard case .stored(let caseID, let receipt) = stored else {
            req.setNotice("contact.notice.already_sent")
            return req.redirect(to: Endpoint.inbox.path(organisation.slug))
        }
        // The case is stored and counted: from here on nothing may keep the receipt from the person.
        req.logger.info("case created", metadata: ["action": .string(mode.rawValue)])
        PrometheusMetrics.countSubmission(organisation: organisation.slug, settings: req.vertrouwd.settings)
        await req.notifyCounsellors(of: caseID, template: "new-case")
        if !submission.party.isEmpty {
            // Best-effort: the case is stored; a match missed now is found when either case is shown.
            do {
                try await PartyMatcher(services: req.vertrouwd, db: req.db).findMatches(of: caseID, organisationID: organisationID)
            } catch {
                req.logger.warning("matches not looked for", metadata: ["error": .string(String(describing: type(of: error)))])
            }
        }
        return try await Self.renderReceipt(req, organisation, receipt: receipt, errors: [])
    }

    /// The entries of the person's open journal, with their files, to bring into the new case.
    private func sharedJournal(_ req: Request) async throws -> CaseIntake.SharedJournal? {
        guard let journal = req.openJournal else { return nil }
        let contents = try await req.journalVault.contents(of: journal)
        return CaseIntake.SharedJournal(
            journalID: journal.id, entries: contents.entries.map { JournalShareController.shared($0.latest) },
            files: try await req.journalVault.files(contents.files, of: journal))
    }

    /// What is wrong with a contact or report form: the field and the message key of each problem.
    static func validate(_ form: ContactForm, counsellors: [OrganisationCounsellors.Entry], channels: [String]) -> [FieldError] {
        var errors: [FieldError] = []
        let chosen = form.counsellor.flatMap(UUID.init(uuidString:))
        if chosen == nil || !counsellors.contains(where: { $0.account.id == chosen }) {
            errors.append(FieldError(field: "counsellor", key: "contact.error.counsellor"))
        }
        let message = (form.message ?? "").cleanedInput
        if message.isEmpty { errors.append(FieldError(field: "message", key: "contact.error.message_required")) }
        if message.count > MessageDraft.maximumLength { errors.append(FieldError(field: "message", key: "contact.error.message_long")) }
        let identity = form.identity ?? ""
        if !identities.contains(identity) { errors.append(FieldError(field: "identity", key: "contact.error.identity")) }
        if identity == "confidential" || identity == "open" {
            let name = (form.name ?? "").cleanedInput
            if name.isEmpty { errors.append(FieldError(field: "name", key: "contact.error.name_required")) }
            if name.count > 200 { errors.append(FieldError(field: "name", key: "contact.error.too_long")) }
            if (form.contact ?? "").cleanedInput.count > 200 { errors.append(FieldError(field: "contact", key: "contact.error.too_long")) }
        }
        if let urgency = form.urgency, !urgency.isEmpty, !FormAnswers.urgencies.contains(urgency) {
            errors.append(FieldError(field: "urgency", key: "contact.error.choice"))
        }
        if !channels.contains(form.channel ?? "") { errors.append(FieldError(field: "channel", key: "contact.error.choice")) }
        let notify = (form.notify ?? "").cleanedInput
        if !notify.isEmpty, EmailAddress(notify) == nil { errors.append(FieldError(field: "notify", key: "contact.error.notify")) }
        if (form.submission ?? "").count < 20 { errors.append(FieldError(field: "message", key: "contact.error.expired")) }
        return errors
    }

    private func render(
        _ req: Request, _ organisation: Organisation, form: ContactForm, party: NamedPartyFields = NamedPartyFields(),
        errors: [FieldError], minutes: String? = nil,
        files: UploadedFiles = UploadedFiles(), status: HTTPResponseStatus = .ok
    ) async throws -> Response {
        let portal = PortalHeader(organisation)
        let counsellors = try await recipients(organisation.requireID(), on: req.db)
        var journalCount: Int?
        if let journal = req.openJournal { journalCount = try await req.journalVault.contents(of: journal).entries.count }
        let profiles = Dictionary(
            try await CounsellorsController.views(organisation, on: req).map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        func choices(_ values: [String], prefix: String, selected: [String]) -> [Choice] {
            values.map { Choice(value: $0, labelKey: "\(prefix).\($0)", checked: selected.contains($0)) }
        }
        let context = FormContext(
            shell: PageShell(req, page: mode == .contact ? "contact" : "report", titleKey: "\(mode.rawValue).title", publicPage: true),
            portal: portal,
            breadcrumbs: [
                Breadcrumb(label: organisation.name, href: portal.base), Breadcrumb(label: req.t("\(mode.rawValue).title"), href: nil),
            ],
            csrf: req.csrfToken(), action: mode.endpoint.path(organisation.slug), isReport: mode == .report,
            headingKey: "\(mode.rawValue).heading", introKey: "\(mode.rawValue).intro", submitKey: "\(mode.rawValue).submit",
            // A kept token keeps a re-shown form the same submission; a fresh form gets a fresh one.
            submission: form.submission.flatMap { $0.count >= 20 ? $0 : nil } ?? Token.generate(using: req.vertrouwd.random),
            counsellors: counsellors.map {
                let id = $0.account.id?.uuidString ?? ""
                return CounsellorChoice(
                    id: id, name: $0.account.displayName, kindKey: "counsellor.kind.\($0.kind.rawValue)",
                    languages: profiles[id]?.languages ?? "", hasLanguages: profiles[id]?.hasLanguages ?? false,
                    checked: $0.account.id?.uuidString == form.counsellor || counsellors.count == 1)
            },
            hasCounsellors: !counsellors.isEmpty, message: form.message ?? "",
            kinds: mode.kinds.map {
                Choice(value: $0.rawValue, labelKey: "kind.\($0.rawValue)", checked: (form.kinds ?? []).contains($0.rawValue))
            },
            urgencies: choices(FormAnswers.urgencies, prefix: "contact.urgency", selected: [form.urgency ?? ""]),
            identities: choices(Self.identities, prefix: "contact.identity", selected: [form.identity ?? "anonymous"]),
            channels: choices(mode.channels, prefix: "contact.channel", selected: [form.channel ?? mode.channels[0]]),
            name: form.name ?? "", contact: form.contact ?? "", notify: form.notify ?? "", maximumLength: MessageDraft.maximumLength,
            attachments: AttachmentFieldView(
                req, policy: organisation.attachmentPolicy, problems: files.problems,
                reselect: !UploadedFiles.chosen(form.attachments).isEmpty && !errors.isEmpty),
            hasJournal: journalCount != nil, journalEntries: journalCount ?? 0, shareJournal: form.share_journal == "on",
            party: party, partyOpen: !party.party.isEmpty || errors.contains { $0.field.hasPrefix("party_") },
            errors: FormErrors(errors),
            minutes: minutes)
        return try await req.render("contact/form", context, status: status)
    }

    static func renderReceipt(_ req: Request, _ organisation: Organisation, receipt: Receipt, errors: [FieldError]) async throws -> Response
    {
        let context = ReceiptContext(
            shell: PageShell(req, page: "receipt", titleKey: "receipt.title", publicPage: true), portal: PortalHeader(organisation),
            csrf: req.csrfToken(), receipt: receipt.description,
            inboxAddress: req.vertrouwd.settings.publicURL + Endpoint.inbox.path(organisation.slug), errors: FormErrors(errors))
        return try await req.render("contact/receipt", context, status: errors.isEmpty ? .ok : .unprocessableEntity)
    }
}
