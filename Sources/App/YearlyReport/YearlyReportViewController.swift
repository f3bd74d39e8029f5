import Fluent
import Vapor
import VertrouwdCore

/// A released yearly report as management and the counsellors of its organisation read it: the
/// page, a printable page, and exports (CSV and JSON of the published figures, PDF of the printable
/// page). Also the counsellor's own report across the organisations they serve (never released).
struct YearlyReportViewController: RouteCollection {
    struct VersionLink: Encodable {
        let version: Int
        let href: String
        let releasedOn: String
    }

    struct ViewContext: Encodable {
        let shell: PageShell
        /// The released report's id, for its export links (empty on the counsellor's own report).
        let reportID: String
        let backHref: String
        let organisationName: String
        let year: Int
        let version: Int
        let releasedOn: String
        let isOwn: Bool
        let forPrint: Bool
        let newer: VersionLink?
        let hasNewer: Bool
        let earlier: [VersionLink]
        let hasEarlier: Bool
        let pdfAvailable: Bool
        let report: YearlyReportPage
        /// The audit log's head at release, printed as an anchor.
        let auditAnchor: String
        let hasAuditAnchor: Bool
    }

    func boot(routes: any RoutesBuilder) throws {
        let readers = routes.grouped(RequireRole(.counsellor, .organisationContact))
        readers.get(.releasedReport, use: page)
        readers.get(.releasedReportPrint, use: printable)
        readers.get(.releasedReportCSV, use: csv)
        readers.get(.releasedReportJSON, use: json)
        readers.get(.releasedReportPDF, use: pdf)
        routes.grouped(RequireRole(.counsellor)).get(.ownYearlyReport, use: own)
    }

    func page(req: Request) async throws -> Response {
        try await req.render("report/view", try await context(req, forPrint: false))
    }

    func printable(req: Request) async throws -> Response {
        try await req.render("report/view", try await context(req, forPrint: true))
    }

    func pdf(req: Request) async throws -> Response {
        let (report, organisation) = try await req.releasedReportFromPath()
        let filename = "jaarverslag-\(organisation.slug)-\(report.year)-v\(report.version).pdf"
        guard let response = try await req.printedPDF("report/view", try await context(req, forPrint: true), filename: filename) else {
            req.setNotice("yearly.notice.no_pdf")
            return req.redirect(to: Endpoint.releasedReport.path(report.id?.uuidString ?? ""))
        }
        return response
    }

    func json(req: Request) async throws -> Response {
        let (report, organisation) = try await req.releasedReportFromPath()
        let file = YearlyReportExport(report: report, organisation: organisation)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        encoder.dateEncodingStrategy = .iso8601
        return .file(
            try encoder.encode(file), type: .json, filename: "jaarverslag-\(organisation.slug)-\(report.year)-v\(report.version).json")
    }

    func csv(req: Request) async throws -> Response {
        let (report, organisation) = try await req.releasedReportFromPath()
        guard let published = report.published else { throw PageError.notFound }
        let text = YearlyReportExport.csv(published, label: { req.t($0) })
        return .file(
            Data(text.utf8), type: HTTPMediaType(type: "text", subType: "csv", parameters: ["charset": "utf-8"]),
            filename: "jaarverslag-\(organisation.slug)-\(report.year)-v\(report.version).csv")
    }

    /// The counsellor's own registrations across every organisation, under the same disclosure
    /// control; for their own use, never shown to an organisation.
    func own(req: Request) async throws -> Response {
        guard let account = req.staffAccount, let accountID = account.id else { throw PageError.loginRequired }
        let year = try req.reportYearFromPath()
        let db = req.db
        let published = try Disclosure.publish(try await RegistrationTotals.figures(.counsellor(accountID), year: year, on: db))
        let previous = try Disclosure.publish(try await RegistrationTotals.figures(.counsellor(accountID), year: year - 1, on: db))
        let report = YearlyReportPage(
            req: req, organisationName: account.displayName, year: year, version: 1, published: published, previous: previous,
            signals: "", recommendations: "")
        let context = ViewContext(
            shell: PageShell(req, page: "yearly-own", titleKey: "yearly.own.title", publicPage: false), reportID: "",
            backHref: Endpoint.yearlyReports.path(), organisationName: account.displayName, year: year, version: 1, releasedOn: "",
            isOwn: true, forPrint: false, newer: nil, hasNewer: false, earlier: [], hasEarlier: false, pdfAvailable: false,
            report: report, auditAnchor: "", hasAuditAnchor: false)
        return try await req.render("report/view", context)
    }

    private func context(_ req: Request, forPrint: Bool) async throws -> ViewContext {
        let (report, organisation) = try await req.releasedReportFromPath()
        guard let published = report.published else { throw PageError.notFound }
        let organisationID = try organisation.requireID()
        let reports = YearlyReports(db: req.db)
        let released = try await reports.released(of: organisationID, year: report.year)
        let link = { (version: YearlyReport) in
            VersionLink(
                version: version.version, href: Endpoint.releasedReport.path(version.id?.uuidString ?? ""),
                releasedOn: req.formatted(version.releasedAt))
        }
        let newer = released.last.flatMap { $0.version > report.version ? link($0) : nil }
        let earlier = released.filter { $0.version < report.version }.map(link)
        let page = YearlyReportPage(
            req: req, organisationName: organisation.name, year: report.year, version: report.version, published: published,
            previous: try await reports.previousYear(of: organisationID, year: report.year), signals: report.signals,
            recommendations: report.recommendations)
        let isContact = req.staffAccount?.role == .organisationContact
        return ViewContext(
            shell: PageShell(req, page: "yearly-report", titleKey: "yearly.view.title", publicPage: false),
            reportID: report.id?.uuidString ?? "",
            backHref: isContact ? Endpoint.management.path() : Endpoint.yearlyReport.path(organisation.slug, report.year),
            organisationName: organisation.name, year: report.year, version: report.version,
            releasedOn: req.formatted(report.releasedAt), isOwn: false, forPrint: forPrint, newer: newer, hasNewer: newer != nil,
            earlier: earlier, hasEarlier: !earlier.isEmpty, pdfAvailable: req.vertrouwd.settings.chromiumPath != nil, report: page,
            auditAnchor: report.auditDigest.map { "\(report.auditSequence ?? 0) · \($0)" } ?? "", hasAuditAnchor: report.auditDigest != nil)
    }
}
