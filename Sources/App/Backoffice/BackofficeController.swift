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

    struct Filter: Encodable {
        let slug: String
        let name: String
        let selected: Bool
    }

    struct CaseRow: Encodable {
        let id: String
        let href: String
        let organisationName: String
        let kindKey: String
        let statusKey: String
        let created: String
        let isNew: Bool
        let isWaiting: Bool
        let isDueSoon: Bool
        /// For a formal report: the next open deadline.
        let deadline: DeadlineView?
    }

    struct Summary: Encodable {
        let new: Int
        let waiting: Int
        let overdue: Int
        let dueSoon: Int
    }

    struct DashboardContext: Encodable {
        let shell: PageShell
        let csrf: String
        let summary: Summary
        let filters: [Filter]
        let hasFilters: Bool
        let filterAll: Bool
        let cases: [CaseRow]
        let hasCases: Bool
        /// Cases marked as unwanted (a bot, a flood), kept apart until they are removed.
        let flagged: [CaseRow]
        let hasFlagged: Bool
        let flaggedCount: Int
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

    /// Whether a report's open deadline falls within the organisation's reminder term.
    static func isDueSoon(_ record: CaseRecord, now: Date) -> Bool {
        guard let deadlines = record.deadlines, !record.status.isEnded else { return false }
        let organisation = record.organisation
        if deadlines.acknowledgement(at: now) == .onTime {
            return now >= deadlines.acknowledgementDue.addingTimeInterval(-Double(organisation.remindAcknowledgementDays) * 86_400)
        }
        if deadlines.feedback(at: now) == .onTime {
            return now >= deadlines.feedbackDue.addingTimeInterval(-Double(organisation.remindFeedbackDays) * 86_400)
        }
        return false
    }

    func dashboard(req: Request) async throws -> Response {
        guard let accountID = req.staffAccount?.id else { throw PageError.loginRequired }
        let memberships = try await OrganisationMembership.query(on: req.db)
            .filter(\.$account.$id == accountID).with(\.$organisation).all()
        let organisationRows = memberships.map {
            OrganisationRow(
                name: $0.organisation.name, slug: $0.organisation.slug, kindKey: "counsellor.kind.\($0.counsellorKind ?? "external")")
        }
        .sorted { $0.name.localizedCompare($1.name) == .orderedAscending }
        let chosen = req.query[String.self, at: "organisation"].flatMap { slug in organisationRows.contains { $0.slug == slug } ? slug : nil
        }
        let caseIDs = try await Self.caseIDs(of: accountID, on: req.db)
        let records =
            caseIDs.isEmpty
            ? []
            : try await CaseRecord.query(on: req.db).filter(\.$id ~~ caseIDs).with(\.$organisation).sort(\.$createdAt, .descending).all()
                .filter { chosen == nil || $0.organisation.slug == chosen }
        let now = req.now
        let rows = records.map { record in
            CaseRow(
                id: record.id?.uuidString ?? "", href: Endpoint.casePage.path(record.id?.uuidString ?? ""),
                organisationName: record.organisation.name, kindKey: record.kind.translationKey, statusKey: record.status.translationKey,
                created: req.formatted(record.receivedAt ?? record.createdAt), isNew: record.status == .new,
                isWaiting: record.waitingSince != nil && !record.status.isEnded,
                isDueSoon: Self.isDueSoon(record, now: now),
                deadline: DeadlineView.list(for: record, on: req).first { $0.stateKey != "deadline.state.done" })
        }
        let active = zip(records, rows).filter { $0.0.flaggedAt == nil }
        let cases = active.map(\.1)
        let flagged = zip(records, rows).filter { $0.0.flaggedAt != nil }.map(\.1)
        let summary = Summary(
            new: cases.filter(\.isNew).count, waiting: cases.filter(\.isWaiting).count,
            overdue: zip(active.map(\.0), cases).filter { record, row in
                row.deadline?.isOverdue == true && !record.status.isEnded
            }.count,
            dueSoon: cases.filter(\.isDueSoon).count)
        let soon = Calendar.current.date(byAdding: .day, value: 30, to: now) ?? now
        let purgeSoon = try await CasePurger(services: req.vertrouwd, db: req.db, logger: req.logger).due(before: soon, caseIDs: caseIDs)
            .count
        let signals = try await UnitSignalsQuery(db: req.db).rows(for: memberships.map(\.organisation), now: now)
        let context = DashboardContext(
            shell: PageShell(req, page: "backoffice", titleKey: "backoffice.title", publicPage: false), csrf: req.csrfToken(),
            summary: summary, filters: organisationRows.map { Filter(slug: $0.slug, name: $0.name, selected: $0.slug == chosen) },
            hasFilters: organisationRows.count > 1, filterAll: chosen == nil,
            cases: cases, hasCases: !cases.isEmpty, flagged: flagged, hasFlagged: !flagged.isEmpty, flaggedCount: flagged.count,
            purgeSoon: purgeSoon, organisations: organisationRows, hasOrganisations: !organisationRows.isEmpty,
            signals: signals, hasSignals: !signals.isEmpty)
        return try await req.render("backoffice", context)
    }

    /// Ended cases of this counsellor, with the day their content will be destroyed, soonest first.
    func retention(req: Request) async throws -> Response {
        guard let accountID = req.staffAccount?.id else { throw PageError.loginRequired }
        let caseIDs = try await Self.caseIDs(of: accountID, on: req.db)
        let horizon = Calendar.current.date(byAdding: .year, value: 20, to: req.now) ?? req.now
        let due = try await CasePurger(services: req.vertrouwd, db: req.db, logger: req.logger).due(before: horizon, caseIDs: caseIDs)
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
