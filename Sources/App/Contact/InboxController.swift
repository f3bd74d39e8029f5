import Fluent
import Vapor
import VertrouwdCore

/// `/o/:slug/inbox`: the person returns with their receipt, reads the conversation and writes more.
/// The receipt travels only in the page's form (POST, never in an address) and is checked by
/// `ReceiptGate` at every step; no session remembers it.
struct InboxController: RouteCollection {
    struct InboxForm: Content {
        var receipt: String?
        var action: String?
        var message: String?
        var saved: String?
        var last_group: String?
        var name: String?
        var contact: String?
        var confirm: String?
        var notify: String?
        var item: String?
        var attachments: [File]?
        var match_choice: String?
    }

    func boot(routes: any RoutesBuilder) throws {
        routes.get(.inbox, use: show)
        routes.post(.inbox, use: act)
        routes.post(.receiptCard, use: card)
    }

    /// The receipt as a small text file to keep: posted from the receipt page (never a link with the
    /// code in it), answered as a download. Nothing is looked up or stored.
    func card(req: Request) async throws -> Response {
        let organisation = try await req.organisationFromPath()
        guard let receipt = Receipt(typed: req.form(InboxForm.self, orEmpty: InboxForm()).receipt ?? "") else { throw PageError.notFound }
        let address = req.vertrouwd.settings.publicURL + Endpoint.inbox.path(organisation.slug)
        let text = [
            req.t("receipt.card.title"), "", receipt.description, "", req.t("receipt.where", address), "", req.t("receipt.warning"), "",
        ]
        .joined(separator: "\r\n")
        let response = Response(status: .ok, body: .init(string: text))
        response.headers.contentType = HTTPMediaType(type: "text", subType: "plain", parameters: ["charset": "utf-8"])
        response.headers.replaceOrAdd(name: .contentDisposition, value: "attachment; filename=\"vertrouwd-code.txt\"")
        return response
    }

    func show(req: Request) async throws -> Response {
        try await renderLogin(req, try await req.organisationFromPath(), errors: [])
    }

    /// What a POST to the inbox asks for; anything else (or nothing) only opens the inbox.
    enum Action: String {
        case open
        /// Leaving the receipt page: the person confirms they kept the code.
        case saved
        case download
        case reply
        case reveal
        case withdraw
        case notify
        case party
        case match

        init(_ raw: String?) { self = raw.flatMap(Action.init(rawValue:)) ?? .open }

        /// Whether the action changes the case, which a closed or withdrawn case no longer takes.
        var changesCase: Bool {
            switch self {
            case .open, .saved, .download: false
            case .reply, .reveal, .withdraw, .notify, .party, .match: true
            }
        }
    }

    func act(req: Request) async throws -> Response {
        let organisation = try await req.organisationFromPath()
        let form = req.form(InboxForm.self, orEmpty: InboxForm())
        let typed = (form.receipt ?? "").cleanedInput
        let action = Action(form.action)
        if action == .saved {
            // Leaving the receipt page: the person confirms they kept the code, by ticking or by typing its last group.
            guard let receipt = Receipt(typed: typed) else {
                return try await renderLogin(
                    req, organisation, errors: [FieldError(field: "receipt", key: "inbox.error.malformed")], status: .unprocessableEntity)
            }
            let lastGroup = String(receipt.description.split(separator: "-").last ?? "")
            guard form.saved == "on" || Receipt.normalize(form.last_group ?? "") == lastGroup else {
                return try await ContactController.renderReceipt(
                    req, organisation, receipt: receipt, errors: [FieldError(field: "saved", key: "receipt.error.confirm")])
            }
        }
        let opened: CaseVault.OpenedCase
        switch try await ReceiptGate(request: req).open(typed) {
        case .malformed:
            return try await renderLogin(
                req, organisation, errors: [FieldError(field: "receipt", key: "inbox.error.malformed")], status: .unprocessableEntity)
        case .notFound:
            return try await renderLogin(
                req, organisation, errors: [FieldError(field: "receipt", key: "inbox.error.unknown")], status: .notFound)
        case .throttled(let until):
            return try await renderLogin(
                req, organisation, errors: [FieldError(field: "receipt", key: "inbox.error.throttled")],
                minutes: ThrottleStore.minutes(until: until, now: req.now), status: .tooManyRequests)
        case .opened(let found):
            guard found.record.$organisation.id == organisation.id else {
                return try await renderLogin(
                    req, organisation, errors: [FieldError(field: "receipt", key: "inbox.error.unknown")], status: .notFound)
            }
            opened = found
        }
        // Always "the person": a staff session in the same browser must not put a name on it.
        try await req.audit.record(.person, action == .download ? .caseExport : .caseRead, caseID: opened.caseID)
        if action.changesCase, !CaseLifecycle.allows(.personWrites, to: opened.record.lifecycleState()) {
            // A stopped conversation takes nothing more; the page says so.
            return try await renderInbox(req, organisation, opened, typed: typed, draft: "", errors: [], status: .conflict)
        }
        switch action {
        case .open, .saved: return try await renderInbox(req, organisation, opened, typed: typed, draft: "", errors: [])
        case .download: return try await download(req, opened, item: form.item)
        case .reply: return try await reply(req, organisation, opened, form: form, typed: typed)
        case .withdraw: return try await withdraw(req, organisation, opened, form: form, typed: typed)
        case .reveal: return try await reveal(req, organisation, opened, form: form, typed: typed)
        case .notify: return try await changeNotifyAddress(req, organisation, opened, form: form, typed: typed)
        case .party: return try await nameParty(req, organisation, opened, form: form, typed: typed)
        case .match: return try await chooseMatch(req, organisation, opened, form: form, typed: typed)
        }
    }

    /// A message, files, or both; nothing is stored unless all of it can be.
    private func reply(
        _ req: Request, _ organisation: Organisation, _ opened: CaseVault.OpenedCase, form: InboxForm, typed: String
    ) async throws -> Response {
        let draft = MessageDraft(text: form.message, attachments: form.attachments, policy: organisation.attachmentPolicy)
        let message = draft.text
        let files = draft.files
        let errors = draft.errors(emptyKey: "contact.error.message_required")
        guard errors.isEmpty else {
            return try await renderInbox(
                req, organisation, opened, typed: typed, draft: message, errors: errors, files: files, reselect: draft.choseFiles,
                status: .unprocessableEntity)
        }
        let vault = CaseVault(services: req.vertrouwd, db: req.db)
        let record = opened.record
        let now = req.now
        try await req.db.transaction { db in
            if !message.isEmpty { try await vault.append(message, field: .message, author: .person, to: opened, on: db) }
            try await vault.append(attachments: files.accepted, author: .person, to: opened, on: db)
            if record.waitingSince == nil {
                record.waitingSince = now
                try await record.save(on: db)
            }
        }
        await req.notifyCounsellors(of: opened.caseID, template: "new-message")
        req.setNotice("inbox.notice.sent")
        return try await renderInbox(req, organisation, opened, typed: typed, draft: "", errors: [])
    }

    /// The person's choice about the other cases that name the same person: stay separate, let the
    /// counsellors talk, or act together. Recorded in the case as a consent event, and for every match.
    private func chooseMatch(
        _ req: Request, _ organisation: Organisation, _ opened: CaseVault.OpenedCase, form: InboxForm, typed: String
    ) async throws -> Response {
        guard let choice = MatchConsent.Choice(rawValue: form.match_choice ?? ""), let event = ConsentEventKind.match(choice) else {
            return try await renderInbox(
                req, organisation, opened, typed: typed, draft: "", errors: [FieldError(field: "match_choice", key: "match.error.choice")],
                status: .unprocessableEntity)
        }
        let vault = CaseVault(services: req.vertrouwd, db: req.db)
        let matcher = PartyMatcher(services: req.vertrouwd, db: req.db)
        let audit = req.audit
        let applied = try await req.db.transaction { db in
            let applied = try await matcher.choose(choice, for: opened.caseID, on: db)
            guard applied > 0 else { return 0 }
            try await vault.append(
                encoding: ConsentEvent(event: event), field: .consent, author: .person, to: opened, on: db)
            try await audit.record(.person, .caseConsent, caseID: opened.caseID, on: db)
            return applied
        }
        guard applied > 0 else {
            return try await renderInbox(
                req, organisation, opened, typed: typed, draft: "", errors: [FieldError(field: "match_choice", key: "match.error.none")],
                status: .conflict)
        }
        req.setNotice("match.notice.saved")
        return try await renderInbox(req, organisation, opened, typed: typed, draft: "", errors: [])
    }

    /// Naming who the case is about, after it was sent; matched like a name given on the form.
    private func nameParty(
        _ req: Request, _ organisation: Organisation, _ opened: CaseVault.OpenedCase, form: InboxForm, typed: String
    ) async throws -> Response {
        let fields = req.form(NamedPartyFields.self, orEmpty: NamedPartyFields())
        var errors = fields.errors
        if fields.party.isEmpty { errors.append(FieldError(field: "party_name", key: "party.error.empty")) }
        // One named party per case: naming one after another would turn the inbox into a way to
        // find out whom others have named.
        if try await CaseVault(services: req.vertrouwd, db: req.db).contents(of: opened).contains(where: { $0.field == .party }) {
            errors = [FieldError(field: "party_name", key: "party.error.already")]
        }
        guard errors.isEmpty, let organisationID = organisation.id else {
            return try await renderInbox(
                req, organisation, opened, typed: typed, draft: "", errors: errors, party: fields, status: .unprocessableEntity)
        }
        let vault = CaseVault(services: req.vertrouwd, db: req.db)
        let matcher = PartyMatcher(services: req.vertrouwd, db: req.db)
        let party = fields.party
        do {
            try await req.db.transaction { db in
                try await vault.append(encoding: party, field: .party, author: .person, to: opened, on: db)
                try await matcher.store(party, caseID: opened.caseID, organisationID: organisationID, on: db)
            }
        } catch let error as any DatabaseError where error.isConstraintFailure {
            // The same form twice at once: the first one stored it.
        }
        await req.notifyCounsellors(of: opened.caseID, template: "new-message")
        req.setNotice("party.notice.saved")
        return try await renderInbox(req, organisation, opened, typed: typed, draft: "", errors: [])
    }

    /// Sets, replaces or (with an empty field) removes the address for "news in your inbox".
    private func changeNotifyAddress(
        _ req: Request, _ organisation: Organisation, _ opened: CaseVault.OpenedCase, form: InboxForm, typed: String
    ) async throws -> Response {
        let typedAddress = (form.notify ?? "").cleanedInput
        if typedAddress.isEmpty {
            opened.record.notifyAddress = nil
            req.setNotice("inbox.notice.notify_removed")
        } else if let address = EmailAddress(typedAddress) {
            opened.record.notifyAddress = try NotifyAddress.seal(address, caseID: opened.caseID, services: req.vertrouwd)
            req.setNotice("inbox.notice.notify_saved")
        } else {
            return try await renderInbox(
                req, organisation, opened, typed: typed, draft: "", errors: [FieldError(field: "notify", key: "contact.error.notify")],
                status: .unprocessableEntity)
        }
        try await opened.record.save(on: req.db)
        return try await renderInbox(req, organisation, opened, typed: typed, draft: "", errors: [])
    }

    /// One attachment of this case, decrypted with the person's key, as a download.
    private func download(_ req: Request, _ opened: CaseVault.OpenedCase, item: String?) async throws -> Response {
        guard let itemID = item.flatMap(UUID.init(uuidString:)),
            let envelope = try await CaseVault(services: req.vertrouwd, db: req.db).attachment(itemID, in: opened)
        else { throw PageError.notFound }
        return .download(envelope)
    }

    /// Withdrawing the case, recorded as a consent event in the case (encrypted like all content),
    /// which also withdraws every choice about other cases naming the same person; tells the counsellor.
    private func withdraw(
        _ req: Request, _ organisation: Organisation, _ opened: CaseVault.OpenedCase, form: InboxForm, typed: String
    ) async throws -> Response {
        guard form.confirm == "on" else {
            return try await renderInbox(
                req, organisation, opened, typed: typed, draft: "",
                errors: [FieldError(field: "confirm", key: "inbox.error.confirm_withdraw")], status: .unprocessableEntity)
        }
        let vault = CaseVault(services: req.vertrouwd, db: req.db)
        let record = opened.record
        let now = req.now
        let audit = req.audit
        let matcher = PartyMatcher(services: req.vertrouwd, db: req.db)
        try record.apply(.withdraw, by: .person, now: now)
        try await req.db.transaction { db in
            try await vault.append(encoding: ConsentEvent(event: .withdrawn), field: .consent, author: .person, to: opened, on: db)
            try await matcher.choose(.separate, for: opened.caseID, on: db)
            try await record.save(on: db)
            try await audit.record(.person, .caseWithdraw, caseID: opened.caseID, on: db)
        }
        req.setNotice("inbox.notice.withdrawn")
        await req.notifyCounsellors(of: opened.caseID, template: "new-message")
        return try await renderInbox(req, organisation, opened, typed: typed, draft: "", errors: [])
    }

    /// Giving one's name after starting anonymously, recorded as a consent event; tells the counsellor.
    private func reveal(
        _ req: Request, _ organisation: Organisation, _ opened: CaseVault.OpenedCase, form: InboxForm, typed: String
    ) async throws -> Response {
        let name = (form.name ?? "").cleanedInput
        let contact = (form.contact ?? "").cleanedInput
        guard !name.isEmpty, name.count <= 200, contact.count <= 200 else {
            return try await renderInbox(
                req, organisation, opened, typed: typed, draft: "",
                errors: [FieldError(field: "name", key: "contact.error.name_required")], status: .unprocessableEntity)
        }
        let vault = CaseVault(services: req.vertrouwd, db: req.db)
        let identity = PersonIdentity(name: name, contact: contact)
        try await req.db.transaction { db in
            try await vault.append(encoding: identity, field: .identity, author: .person, to: opened, on: db)
            try await vault.append(encoding: ConsentEvent(event: .identityRevealed), field: .consent, author: .person, to: opened, on: db)
        }
        req.setNotice("inbox.notice.revealed")
        await req.notifyCounsellors(of: opened.caseID, template: "new-message")
        return try await renderInbox(req, organisation, opened, typed: typed, draft: "", errors: [])
    }
}
