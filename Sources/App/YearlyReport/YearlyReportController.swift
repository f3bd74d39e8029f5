import Fluent
import Vapor
import VertrouwdCore

/// The counsellor's side of the yearly report: which reports exist, writing the narrative,
/// previewing exactly what management will see, releasing, and starting a correction.
struct YearlyReportController: RouteCollection {
    struct NarrativeForm: Content {
        var signals: String?
        var recommendations: String?
    }

    struct ReleaseForm: Content {
        var fingerprint: String?
        var confirm: String?
    }

    struct YearRow: Encodable {
        let year: Int
        let href: String
        let statusKey: String
        let version: Int
    }

    struct OrganisationReports: Encodable {
        let name: String
        let years: [YearRow]
    }

    struct ListContext: Encodable {
        let shell: PageShell
        let organisations: [OrganisationReports]
        let ownYears: [Int]
    }

    struct DraftContext: Encodable {
        let shell: PageShell
        let csrf: String
        /// The organisation's slug, for the draft's form addresses (`#path("yearlyReport", slug, year)`).
        let slug: String
        let organisationName: String
        let year: Int
        let version: Int
        let isReleased: Bool
        let releasedOn: String
        let releasedHref: String
        let signals: String
        let recommendations: String
        let errors: FormErrors
        let smallChangeKey: String
        let hasSmallChange: Bool
        let fingerprint: String
        let report: YearlyReportPage?
        let hasReport: Bool
        let canRelease: Bool
    }

    func boot(routes: any RoutesBuilder) throws {
        let counsellor = routes.grouped(RequireRole(.counsellor))
        counsellor.get(.yearlyReports, use: list)
        counsellor.get(.yearlyReport, use: show)
        counsellor.post(.yearlyReport, use: save)
        counsellor.post(.yearlyReportRelease, use: release)
        counsellor.post(.yearlyReportCorrect, use: correct)
    }

    func list(req: Request) async throws -> Response {
        let current = FormalReportDeadlines.calendar.component(.year, from: req.now)
        var organisations: [OrganisationReports] = []
        for organisation in try await req.memberOrganisations() {
            let id = try organisation.requireID()
            let registered = try await CaseRegistration.query(on: req.db).filter(\.$organisation.$id == id).unique().all(\.$year)
            let reports = try await YearlyReport.query(on: req.db).filter(\.$organisation.$id == id).all()
            let years = Set(registered + reports.map(\.year) + [current, current - 1]).filter { $0 <= current }.sorted(by: >)
            organisations.append(
                OrganisationReports(
                    name: organisation.name,
                    years: years.map { year in
                        let latest = reports.filter { $0.year == year }.max { $0.version < $1.version }
                        let statusKey =
                            latest.map { $0.isReleased ? "yearly.status.released" : "yearly.status.draft" } ?? "yearly.status.none"
                        return YearRow(
                            year: year, href: Endpoint.yearlyReport.path(organisation.slug, year), statusKey: statusKey,
                            version: latest?.version ?? 0)
                    }))
        }
        let context = ListContext(
            shell: PageShell(req, page: "yearly-list", titleKey: "yearly.list.title", publicPage: false), organisations: organisations,
            ownYears: [current, current - 1, current - 2])
        return try await req.render("report/list", context)
    }

    func show(req: Request) async throws -> Response {
        try await render(req, errors: [], status: .ok)
    }

    func save(req: Request) async throws -> Response {
        let (organisation, year) = (try await req.memberOrganisationFromPath(), try req.reportYearFromPath())
        let form = req.form(NarrativeForm.self, orEmpty: NarrativeForm())
        let signals = Self.clean(form.signals)
        let recommendations = Self.clean(form.recommendations)
        var errors: [FieldError] = []
        if signals.count > YearlyReport.maximumNarrative { errors.append(FieldError(field: "signals", key: "yearly.error.too_long")) }
        if recommendations.count > YearlyReport.maximumNarrative {
            errors.append(FieldError(field: "recommendations", key: "yearly.error.too_long"))
        }
        guard errors.isEmpty else {
            return try await render(req, errors: errors, typed: (signals, recommendations), status: .unprocessableEntity)
        }
        let draft = try await draftToWrite(req, organisation: organisation, year: year)
        let saved = try await YearlyReports(db: req.db).saveNarrative(
            of: draft.requireID(), signals: signals, recommendations: recommendations, at: req.now)
        req.setNotice(saved ? "yearly.notice.saved" : "yearly.notice.released_is_final")
        return req.redirect(to: Endpoint.yearlyReport.path(organisation.slug, year, anchor: "preview-title"))
    }

    func release(req: Request) async throws -> Response {
        let (organisation, year) = (try await req.memberOrganisationFromPath(), try req.reportYearFromPath())
        let organisationID = try organisation.requireID()
        let form = req.form(ReleaseForm.self, orEmpty: ReleaseForm())
        guard form.confirm == "yes" else {
            return try await render(req, errors: [FieldError(field: "confirm", key: "yearly.error.confirm")], status: .unprocessableEntity)
        }
        let reports = YearlyReports(db: req.db)
        let draft = try await draftToWrite(req, organisation: organisation, year: year)
        guard case .success(let published) = try await reports.preview(of: organisationID, year: year),
            try YearlyReports.fingerprint(published, signals: draft.signals, recommendations: draft.recommendations) == form.fingerprint
        else {
            return try await render(req, errors: [FieldError(field: "confirm", key: "yearly.error.changed")], status: .conflict)
        }
        let figures = try YearlyReports.encoded(published)
        let (draftID, signals, recommendations) = (try draft.requireID(), draft.signals, draft.recommendations)
        let (accountID, now) = (req.staffAccount?.id, req.now)
        do {
            try await req.audited(.reportRelease, caseID: nil, detail: "\(organisation.slug) \(year) v\(draft.version)") { db in
                let released = try await YearlyReports.release(
                    draftID, figures: figures, signals: signals, recommendations: recommendations, by: accountID, at: now, on: db)
                if !released { throw ReleaseConflict() }
            }
        } catch is ReleaseConflict {
            return try await render(req, errors: [FieldError(field: "confirm", key: "yearly.error.changed")], status: .conflict)
        }
        req.setNotice("yearly.notice.released")
        return req.redirect(to: Endpoint.yearlyReport.path(organisation.slug, year))
    }

    /// A released report never changes: a correction is a new draft version, starting from the
    /// words of the last release.
    func correct(req: Request) async throws -> Response {
        let (organisation, year) = (try await req.memberOrganisationFromPath(), try req.reportYearFromPath())
        let organisationID = try organisation.requireID()
        let versions = try await YearlyReports(db: req.db).versions(of: organisationID, year: year)
        guard let latest = versions.last, latest.isReleased, let accountID = req.staffAccount?.id else { throw PageError.notFound }
        let correction = YearlyReport(organisationID: organisationID, year: year, version: latest.version + 1, draftedBy: accountID)
        correction.signals = latest.signals
        correction.recommendations = latest.recommendations
        try await req.audited(.reportCorrect, caseID: nil, detail: "\(organisation.slug) \(year) v\(correction.version)") { db in
            try await correction.create(on: db)
        }
        req.setNotice("yearly.notice.correction")
        return req.redirect(to: Endpoint.yearlyReport.path(organisation.slug, year))
    }

    /// The draft of this year, created when there is none and nothing was released yet; after a
    /// release, writing needs a correction first.
    private func draftToWrite(_ req: Request, organisation: Organisation, year: Int) async throws -> YearlyReport {
        let organisationID = try organisation.requireID()
        let versions = try await YearlyReports(db: req.db).versions(of: organisationID, year: year)
        if let draft = versions.first(where: { !$0.isReleased }) { return draft }
        guard versions.isEmpty, let accountID = req.staffAccount?.id else {
            req.setNotice("yearly.notice.released_is_final")
            throw Abort.redirect(to: Endpoint.yearlyReport.path(organisation.slug, year))
        }
        let draft = YearlyReport(organisationID: organisationID, year: year, version: 1, draftedBy: accountID)
        try await draft.create(on: req.db)
        return draft
    }

    private func render(
        _ req: Request, errors: [FieldError], typed: (String, String)? = nil, status: HTTPResponseStatus
    ) async throws -> Response {
        let (organisation, year) = (try await req.memberOrganisationFromPath(), try req.reportYearFromPath())
        let organisationID = try organisation.requireID()
        let reports = YearlyReports(db: req.db)
        let versions = try await reports.versions(of: organisationID, year: year)
        let draft = versions.first { !$0.isReleased }
        let latest = versions.last
        let previous = try await reports.previousYear(of: organisationID, year: year)
        var report: YearlyReportPage?
        var smallChangeKey = ""
        var fingerprint = ""
        let signals = typed?.0 ?? draft?.signals ?? (draft == nil ? latest?.signals : nil) ?? ""
        let recommendations = typed?.1 ?? draft?.recommendations ?? (draft == nil ? latest?.recommendations : nil) ?? ""
        if draft == nil, let latest, latest.isReleased, let published = latest.published {
            report = YearlyReportPage(
                req: req, organisationName: organisation.name, year: year, version: latest.version, published: published,
                previous: previous, signals: latest.signals, recommendations: latest.recommendations)
        } else {
            switch try await reports.preview(of: organisationID, year: year) {
            case .success(let published):
                let saved = (draft?.signals ?? "", draft?.recommendations ?? "")
                report = YearlyReportPage(
                    req: req, organisationName: organisation.name, year: year, version: draft?.version ?? 1, published: published,
                    previous: previous, signals: saved.0, recommendations: saved.1)
                fingerprint = try YearlyReports.fingerprint(published, signals: saved.0, recommendations: saved.1)
            case .failure(.smallChange):
                smallChangeKey = "yearly.error.small_change"
            }
        }
        let isReleased = draft == nil && latest?.isReleased == true
        let context = DraftContext(
            shell: PageShell(req, page: "yearly-draft", titleKey: "yearly.draft.title", publicPage: false), csrf: req.csrfToken(),
            slug: organisation.slug, organisationName: organisation.name, year: year,
            version: draft?.version ?? latest?.version ?? 1, isReleased: isReleased,
            releasedOn: isReleased ? req.formatted(latest?.releasedAt) : "",
            releasedHref: isReleased ? Endpoint.releasedReport.path(latest?.id?.uuidString ?? "") : "", signals: signals,
            recommendations: recommendations, errors: FormErrors(errors), smallChangeKey: smallChangeKey,
            hasSmallChange: !smallChangeKey.isEmpty, fingerprint: fingerprint, report: report, hasReport: report != nil,
            canRelease: !isReleased && report != nil)
        return try await req.render("report/draft", context, status: status)
    }

    /// The draft was released, or its words changed, between the preview and this release.
    struct ReleaseConflict: Error {}

    /// Line endings made uniform and the ends trimmed; the text itself is the counsellor's.
    static func clean(_ text: String?) -> String {
        (text ?? "").replacingOccurrences(of: "\r\n", with: "\n").trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
