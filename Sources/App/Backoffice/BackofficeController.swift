import Fluent
import Vapor
import VertrouwdCore

/// The counsellor's back office: what came in, who waits for an answer, which Wbk deadlines are
/// overdue or close, per organisation for counsellors who serve several; and what the retention
/// purge takes next. Only clear columns are read here: no case is decrypted for the overview.
struct BackofficeController: RouteCollection {
    struct OrganisationRow: Encodable {
        let name: String
        let slug: String
        let kindKey: String
    }

    struct DashboardContext: Encodable {
        let shell: PageShell
        let csrf: String
        let queue: WorkQueuePage.Context
        let hasCases: Bool
        let hasSetAside: Bool
        let setAsideCount: Int
        let purgeSoon: Int
        let organisations: [OrganisationRow]
        let hasOrganisations: Bool
        /// Locations with three or more cases in six months, for prevention advice.
        let signals: [UnitSignalsQuery.Row]
        let hasSignals: Bool
    }

    struct PurgeRow: Encodable {
        let href: String
        let organisationName: String
        let kindKey: String
        let statusKey: String
        let purgeDate: String
        let isRegistered: Bool
    }

    struct RetentionContext: Encodable {
        let shell: PageShell
        let rows: [PurgeRow]
        let hasRows: Bool
    }

    func boot(routes: any RoutesBuilder) throws {
        let backoffice = routes.grouped(RequireRole(.counsellor))
        backoffice.get(.backoffice, use: dashboard)
        backoffice.get(.retention, use: retention)
    }

    /// The ids of the cases sealed to this counsellor: the only ones they can see, mark or remove.
    static func caseIDs(of accountID: UUID, on db: any Database) async throws -> Set<UUID> {
        Set(try await CaseKeyGrant.query(on: db).filter(\.$counsellor.$id == accountID).all().map(\.$caseRecord.id))
    }

    /// The work queue (`WorkQueuePage`): what needs the counsellor now first, filtered and paged;
    /// the cases set aside; the retention purge's next month; signals for prevention.
    func dashboard(req: Request) async throws -> Response {
        guard let accountID = req.staffAccount?.id else { throw PageError.loginRequired }
        let memberships = try await OrganisationMembership.query(on: req.db)
            .filter(\.$account.$id == accountID).with(\.$organisation).all()
            .sorted { $0.organisation.name.localizedCompare($1.organisation.name) == .orderedAscending }
        let organisations = memberships.compactMap { membership in
            membership.organisation.id.map { (id: $0, slug: membership.organisation.slug, name: membership.organisation.name) }
        }
        let queue = try await WorkQueuePage(req: req, accountID: accountID, organisations: organisations).build()
        let organisationRows = memberships.map {
            OrganisationRow(
                name: $0.organisation.name, slug: $0.organisation.slug, kindKey: "counsellor.kind.\($0.counsellorKind ?? "external")")
        }
        let now = req.now
        let soon = Calendar.current.date(byAdding: .day, value: 30, to: now) ?? now
        let purgeSoon = try await CasePurger(services: req.vertrouwd, db: req.db, logger: req.logger).due(before: soon, heldBy: accountID)
            .count
        let signals = try await UnitSignalsQuery(db: req.db).rows(for: memberships.map(\.organisation), now: now)
        let context = DashboardContext(
            shell: PageShell(req, page: "backoffice", titleKey: "backoffice.title", publicPage: false), csrf: req.csrfToken(),
            queue: queue, hasCases: !queue.rows.isEmpty, hasSetAside: !queue.setAside.isEmpty, setAsideCount: queue.setAsideCount,
            purgeSoon: purgeSoon, organisations: organisationRows, hasOrganisations: !organisationRows.isEmpty,
            signals: signals, hasSignals: !signals.isEmpty)
        return try await req.render("backoffice", context)
    }

    /// Ended cases of this counsellor, with the day their content will be destroyed, soonest first.
    func retention(req: Request) async throws -> Response {
        guard let accountID = req.staffAccount?.id else { throw PageError.loginRequired }
        let horizon = Calendar.current.date(byAdding: .year, value: 20, to: req.now) ?? req.now
        let due = try await CasePurger(services: req.vertrouwd, db: req.db, logger: req.logger).due(before: horizon, heldBy: accountID)
        let registered = Set(
            try await CaseRegistration.query(on: req.db).filter(\.$caseID ~~ due.compactMap(\.record.id)).all().compactMap(\.caseID))
        let rows = due.map {
            PurgeRow(
                href: Endpoint.casePage.path($0.record.id?.uuidString ?? ""), organisationName: $0.organisationName,
                kindKey: $0.record.kind.translationKey, statusKey: $0.record.status.translationKey,
                purgeDate: req.formattedDay($0.purgeDate),
                isRegistered: $0.record.id.map(registered.contains) ?? false)
        }
        let context = RetentionContext(
            shell: PageShell(req, page: "retention", titleKey: "retention.title", publicPage: false), rows: rows, hasRows: !rows.isEmpty)
        return try await req.render("backoffice/retention", context)
    }
}
