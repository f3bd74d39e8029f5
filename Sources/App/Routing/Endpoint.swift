import Vapor

/// Every path the product serves, by name: controllers register with it, redirects and links are
/// spelled from it (`Endpoint.caseReply.path(caseID)`), and templates name it (`#path("inbox",
/// portal.slug)`). The raw value is the name templates use; `pattern` is the one place a path is
/// written. `EndpointTests` checks that every endpoint is registered and every registered route is
/// an endpoint.
enum Endpoint: String, CaseIterable, Sendable {
    // MARK: Anyone
    case home
    case findOrganisation
    case language
    case health
    case ready
    case metrics
    case apiDocument
    case apiSearch
    case apiGuide

    // MARK: The person, on an organisation's portal
    case portal
    case knowledgeBase
    case article
    case organisationArticle
    case search
    case guide
    case counsellors
    case counsellorPhoto
    case contact
    case report
    case inbox
    case receiptCard
    case journal
    case journalCreate
    case journalPhraseSaved
    case journalOpen
    case journalClose
    case journalDelete
    case journalBackup
    case journalImport
    case journalTimeline
    case journalEntry
    case journalEntryEdit
    case journalFile
    case journalPattern
    case journalShare
    case journalShareStop
    case journalExport
    case journalExportJSON
    case journalExportPDF

    // MARK: Staff
    case login
    case loginCode
    case logout
    case activate
    case password
    case profile
    case profilePhoto

    // MARK: Counsellors
    case backoffice
    case retention
    case handover
    case flagCases
    case removeFlagged
    case casePage
    case caseReply
    case caseAcknowledge
    case caseFeedback
    case caseAttachment
    case caseNotes
    case caseConsent
    case caseReferral
    case caseSignal
    case caseRegistration
    case caseStatus
    case caseClose
    case caseReopen
    case caseShare
    case caseTransfer
    case caseRevoke
    case caseMatch
    case yearlyReports
    case yearlyReport
    case yearlyReportRelease
    case yearlyReportCorrect
    case ownYearlyReport

    // MARK: Readers of released yearly reports
    case management
    case releasedReport
    case releasedReportPrint
    case releasedReportCSV
    case releasedReportJSON
    case releasedReportPDF

    // MARK: Platform admin
    case admin
    case adminAudit
    case adminNewOrganisation
    case adminOrganisations
    case adminOrganisationEdit
    case adminOrganisation
    case adminNewArticle
    case adminArticles
    case adminArticleEdit
    case adminArticle
    case adminArticleDelete
    case adminNewAccount
    case adminAccounts
    case adminAccountEdit
    case adminAccount
    case adminAccountActivation

    /// The path with `:name` for each parameter.
    var pattern: String {
        switch self {
        case .home: "/"
        case .findOrganisation: "/o"
        case .language: "/lang/:code"
        case .health: "/health"
        case .ready: "/ready"
        case .metrics: "/metrics"
        case .apiDocument: "/api/v1/openapi.json"
        case .apiSearch: "/api/v1/organisations/:slug/search"
        case .apiGuide: "/api/v1/organisations/:slug/guide"
        case .portal: "/o/:slug"
        case .knowledgeBase: "/o/:slug/kennisbank"
        case .article: "/o/:slug/kennisbank/:article"
        case .organisationArticle: "/o/:slug/kennisbank/eigen/:article"
        case .search: "/o/:slug/zoeken"
        case .guide: "/o/:slug/wegwijzer"
        case .counsellors: "/o/:slug/vertrouwenspersonen"
        case .counsellorPhoto: "/o/:slug/vertrouwenspersonen/:id/foto"
        case .contact: "/o/:slug/contact"
        case .report: "/o/:slug/melden"
        case .inbox: "/o/:slug/inbox"
        case .receiptCard: "/o/:slug/code"
        case .journal: "/o/:slug/logboek"
        case .journalCreate: "/o/:slug/logboek/nieuw"
        case .journalPhraseSaved: "/o/:slug/logboek/sleutel-bewaard"
        case .journalOpen: "/o/:slug/logboek/openen"
        case .journalClose: "/o/:slug/logboek/sluiten"
        case .journalDelete: "/o/:slug/logboek/verwijderen"
        case .journalBackup: "/o/:slug/logboek/backup"
        case .journalImport: "/o/:slug/logboek/importeren"
        case .journalTimeline: "/o/:slug/logboek/tijdlijn"
        case .journalEntry: "/o/:slug/logboek/voorval"
        case .journalEntryEdit: "/o/:slug/logboek/voorval/:entry"
        case .journalFile: "/o/:slug/logboek/bestand/:sequence"
        case .journalPattern: "/o/:slug/logboek/patroon"
        case .journalShare: "/o/:slug/logboek/delen"
        case .journalShareStop: "/o/:slug/logboek/delen/stoppen"
        case .journalExport: "/o/:slug/logboek/export"
        case .journalExportJSON: "/o/:slug/logboek/export.json"
        case .journalExportPDF: "/o/:slug/logboek/export.pdf"
        case .login: "/login"
        case .loginCode: "/login/2fa"
        case .logout: "/logout"
        case .activate: "/activate/:token"
        case .password: "/account/password"
        case .profile: "/account/profile"
        case .profilePhoto: "/account/profile/photo"
        case .backoffice: "/backoffice"
        case .retention: "/backoffice/retention"
        case .handover: "/backoffice/handover"
        case .flagCases: "/backoffice/cases/flag"
        case .removeFlagged: "/backoffice/cases/remove-flagged"
        case .casePage: "/backoffice/cases/:id"
        case .caseReply: "/backoffice/cases/:id/reply"
        case .caseAcknowledge: "/backoffice/cases/:id/acknowledge"
        case .caseFeedback: "/backoffice/cases/:id/feedback"
        case .caseAttachment: "/backoffice/cases/:id/attachments/:item"
        case .caseNotes: "/backoffice/cases/:id/notes"
        case .caseConsent: "/backoffice/cases/:id/consent"
        case .caseReferral: "/backoffice/cases/:id/referral"
        case .caseSignal: "/backoffice/cases/:id/signal"
        case .caseRegistration: "/backoffice/cases/:id/registration"
        case .caseStatus: "/backoffice/cases/:id/status"
        case .caseClose: "/backoffice/cases/:id/close"
        case .caseReopen: "/backoffice/cases/:id/reopen"
        case .caseShare: "/backoffice/cases/:id/share"
        case .caseTransfer: "/backoffice/cases/:id/transfer"
        case .caseRevoke: "/backoffice/cases/:id/revoke"
        case .caseMatch: "/backoffice/cases/:id/match"
        case .yearlyReports: "/backoffice/jaarverslag"
        case .yearlyReport: "/backoffice/jaarverslag/:slug/:year"
        case .yearlyReportRelease: "/backoffice/jaarverslag/:slug/:year/release"
        case .yearlyReportCorrect: "/backoffice/jaarverslag/:slug/:year/correct"
        case .ownYearlyReport: "/backoffice/mijn-jaarverslag/:year"
        case .management: "/management"
        case .releasedReport: "/jaarverslag/:id"
        case .releasedReportPrint: "/jaarverslag/:id/print"
        case .releasedReportCSV: "/jaarverslag/:id/export.csv"
        case .releasedReportJSON: "/jaarverslag/:id/export.json"
        case .releasedReportPDF: "/jaarverslag/:id/export.pdf"
        case .admin: "/admin"
        case .adminAudit: "/admin/audit"
        case .adminNewOrganisation: "/admin/organisations/new"
        case .adminOrganisations: "/admin/organisations"
        case .adminOrganisationEdit: "/admin/organisations/:id/edit"
        case .adminOrganisation: "/admin/organisations/:id"
        case .adminNewArticle: "/admin/organisations/:id/articles/new"
        case .adminArticles: "/admin/organisations/:id/articles"
        case .adminArticleEdit: "/admin/organisations/:id/articles/:article/edit"
        case .adminArticle: "/admin/organisations/:id/articles/:article"
        case .adminArticleDelete: "/admin/organisations/:id/articles/:article/delete"
        case .adminNewAccount: "/admin/accounts/new"
        case .adminAccounts: "/admin/accounts"
        case .adminAccountEdit: "/admin/accounts/:id/edit"
        case .adminAccount: "/admin/accounts/:id"
        case .adminAccountActivation: "/admin/accounts/:id/activation"
        }
    }

    /// Pages that neither read nor write a session: they store nothing and show nothing of who asks,
    /// so no cookie is read, no session loaded or written, and their form needs no CSRF token (a
    /// forged post could only show a visitor a page a link could show them). The guide carries its
    /// answers in the form itself.
    var takesNoSession: Bool { self == .guide }

    private static let sessionFree = allCases.filter(\.takesNoSession)

    /// True when `path` is the address of a page that takes no session.
    static func isSessionFree(_ path: String) -> Bool {
        let parts = path.split(separator: "/", omittingEmptySubsequences: true)
        return sessionFree.contains { $0.matches(parts) }
    }

    /// Forms posted here may carry files, and get the larger body limit.
    var takesFiles: Bool {
        switch self {
        case .contact, .report, .inbox, .journalEntry, .journalImport, .caseReply, .profile: true
        default: false
        }
    }

    /// The pattern as Vapor's path components, parsed once: links are spelled on every page.
    var components: [PathComponent] { Self.parsed[self] ?? pattern.pathComponents }

    private static let parsed = Dictionary(uniqueKeysWithValues: allCases.map { ($0, $0.pattern.pathComponents) })

    /// How many values `path` takes.
    var parameterCount: Int { components.filter { if case .parameter = $0 { true } else { false } }.count }

    /// The path with each parameter filled in, in order, percent-encoded; `anchor` adds `#anchor`.
    /// Giving the wrong number of values is a programming error: tests stop on it (`assert`); a
    /// release build leaves a missing value empty rather than take the server down.
    func path(_ values: any CustomStringConvertible..., anchor: String? = nil) -> String {
        path(filling: values.map { String(describing: $0) }, anchor: anchor)
    }

    func path(filling values: [String], anchor: String? = nil) -> String {
        assert(values.count == parameterCount, "\(self) takes \(parameterCount) values, got \(values.count)")
        var remaining = values.makeIterator()
        let parts = components.map { component -> String in
            switch component {
            case .parameter:
                let value = remaining.next() ?? ""
                return value.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(["/"])) ?? value
            default: return component.description
            }
        }
        let path = "/" + parts.joined(separator: "/")
        return anchor.map { "\(path)#\($0)" } ?? path
    }

    /// The endpoint whose pattern `path` matches, if any: a parameter matches any one segment, and
    /// of two that match, the one with more fixed segments wins (`/backoffice/cases/flag` is not a case).
    static func matching(_ path: String) -> Endpoint? {
        let parts = path.split(separator: "/", omittingEmptySubsequences: true)
        return allCases.filter { $0.matches(parts) }.max { $0.constantCount < $1.constantCount }
    }

    /// True when the path's parts fit this endpoint's pattern (any value in place of a parameter).
    private func matches(_ parts: [Substring]) -> Bool {
        let components = components
        return components.count == parts.count
            && zip(components, parts).allSatisfy { component, part in
                if case .constant(let value) = component { return value == part }
                return true
            }
    }

    private var constantCount: Int { components.filter { if case .constant = $0 { true } else { false } }.count }
}

extension RoutesBuilder {
    @discardableResult
    func get<Response: AsyncResponseEncodable>(
        _ endpoint: Endpoint, use closure: @Sendable @escaping (Request) async throws -> Response
    ) -> Route {
        on(.GET, endpoint.components, use: closure)
    }

    @discardableResult
    func post<Response: AsyncResponseEncodable>(
        _ endpoint: Endpoint, use closure: @Sendable @escaping (Request) async throws -> Response
    ) -> Route {
        on(.POST, endpoint.components, use: closure)
    }
}
