import Fluent
import Vapor
import VertrouwdCore

/// The inbox's two pages: the receipt form, and the conversation once a receipt opened the case.
extension InboxController {
    struct LoginContext: Encodable {
        let shell: PageShell
        let portal: PortalHeader
        let breadcrumbs: [Breadcrumb]
        let csrf: String
        let errors: FormErrors
        let minutes: String?
    }

    struct InboxContext: Encodable {
        let shell: PageShell
        let portal: PortalHeader
        let breadcrumbs: [Breadcrumb]
        let csrf: String
        let receipt: String
        let statusKey: String
        let created: String
        let deadlines: [DeadlineView]
        let hasDeadlines: Bool
        let messages: [ConversationItem]
        let message: String
        let isOpen: Bool
        let isAnonymous: Bool
        let attachments: AttachmentFieldView
        let hasNotify: Bool
        let notify: String
        /// Other cases that name the same person, and the person's choice about them.
        let matches: PersonMatchesView
        let hasParty: Bool
        let party: NamedPartyFields
        let partyOpen: Bool
        let errors: FormErrors
    }

    func renderLogin(
        _ req: Request, _ organisation: Organisation, errors: [FieldError], minutes: String? = nil, status: HTTPResponseStatus = .ok
    ) async throws -> Response {
        let portal = PortalHeader(organisation)
        let context = LoginContext(
            shell: PageShell(req, page: "inbox-login", titleKey: "inbox.title", publicPage: true), portal: portal,
            breadcrumbs: [Breadcrumb(label: organisation.name, href: portal.base), Breadcrumb(label: req.t("inbox.title"), href: nil)],
            csrf: req.csrfToken(), errors: FormErrors(errors), minutes: minutes)
        return try await req.render("contact/inbox-login", context, status: status)
    }

    func renderInbox(
        _ req: Request, _ organisation: Organisation, _ opened: CaseVault.OpenedCase, typed: String, draft: String, errors: [FieldError],
        files: UploadedFiles = UploadedFiles(), reselect: Bool = false, party: NamedPartyFields = NamedPartyFields(),
        status: HTTPResponseStatus = .ok
    ) async throws -> Response {
        // As on the case page: missed matches are looked for first, then the page only reads.
        let matcher = PartyMatcher(services: req.vertrouwd, db: req.db)
        try await matcher.findMatches(of: opened.caseID, organisationID: opened.record.$organisation.id)
        let portal = PortalHeader(organisation)
        let contents = try await CaseVault(services: req.vertrouwd, db: req.db).contents(of: opened)
        let context = InboxContext(
            shell: PageShell(req, page: "inbox", titleKey: "inbox.title", publicPage: true), portal: portal,
            breadcrumbs: [Breadcrumb(label: organisation.name, href: portal.base), Breadcrumb(label: req.t("inbox.title"), href: nil)],
            csrf: req.csrfToken(), receipt: Receipt(typed: typed)?.description ?? "", statusKey: opened.record.status.translationKey,
            created: req.formatted(opened.record.receivedAt ?? opened.record.createdAt),
            deadlines: DeadlineView.list(for: opened.record, on: req), hasDeadlines: opened.record.kind == .formalReport,
            messages: ConversationItem.list(contents, on: req),
            message: draft, isOpen: !opened.record.status.isEnded,
            isAnonymous: !contents.contains { $0.field == .identity },
            attachments: AttachmentFieldView(req, policy: organisation.attachmentPolicy, problems: files.problems, reselect: reselect),
            hasNotify: opened.record.notifyAddress != nil, notify: "",
            matches: try await matcher.personView(for: opened.caseID),
            hasParty: contents.contains { $0.field == .party }, party: party, partyOpen: errors.contains { $0.field.hasPrefix("party_") },
            errors: FormErrors(errors))
        return try await req.render("contact/inbox", context, status: status)
    }
}
