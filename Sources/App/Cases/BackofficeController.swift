import Fluent
import Vapor
import VertrouwdCore

/// The counsellor's back office. Cases arrive with the contact issue; until then it shows the
/// organisations the counsellor serves and an empty case list.
struct BackofficeController: RouteCollection {
    struct OrganisationRow: Encodable {
        let name: String
        let slug: String
        let kindKey: String
    }

    struct CaseRow: Encodable {
        let id: String
        let href: String
        let organisationName: String
        let kindKey: String
        let statusKey: String
        let created: String
        /// For a formal report: the next open deadline.
        let deadline: DeadlineView?
    }

    struct DashboardContext: Encodable {
        let shell: PageShell
        let csrf: String
        let cases: [CaseRow]
        let hasCases: Bool
        /// Cases marked as unwanted (a bot, a flood), kept apart until they are removed.
        let flagged: [CaseRow]
        let hasFlagged: Bool
        let flaggedCount: Int
        let organisations: [OrganisationRow]
        let hasOrganisations: Bool
    }

    func boot(routes: any RoutesBuilder) throws {
        let backoffice = routes.grouped(RequireRole(.counsellor))
        backoffice.get("backoffice", use: dashboard)
        backoffice.post("backoffice", "cases", "flag", use: flag)
        backoffice.post("backoffice", "cases", "remove-flagged", use: removeFlagged)
    }

    struct FlagForm: Content {
        var cases: [String]?
        var action: String?
        var confirm: String?
    }

    /// The ids of the cases sealed to this counsellor: the only ones they can see, mark or remove.
    static func caseIDs(of accountID: UUID, on db: any Database) async throws -> Set<UUID> {
        Set(try await CaseKeyGrant.query(on: db).filter(\.$counsellor.$id == accountID).all().map(\.$caseRecord.id))
    }

    /// Marks (or unmarks) the ticked cases as unwanted. Only clear columns change; no key is needed.
    func flag(req: Request) async throws -> Response {
        guard let accountID = req.staffAccount?.id else { throw PageError.loginRequired }
        let form = req.form(FlagForm.self, orEmpty: FlagForm())
        let mine = try await Self.caseIDs(of: accountID, on: req.db)
        let chosen = Set((form.cases ?? []).compactMap(UUID.init(uuidString:))).intersection(mine)
        guard !chosen.isEmpty else {
            req.setNotice("backoffice.notice.none_chosen")
            return req.redirect(to: "/backoffice")
        }
        let flagging = form.action != "unflag"
        try await CaseRecord.query(on: req.db).filter(\.$id ~~ chosen).set(\.$flaggedAt, to: flagging ? req.now : nil).update()
        req.logger.info(
            "cases marked", metadata: ["action": .string(flagging ? "flag" : "unflag"), "count": .stringConvertible(chosen.count)])
        req.setNotice(flagging ? "backoffice.notice.flagged" : "backoffice.notice.unflagged")
        return req.redirect(to: "/backoffice")
    }

    /// Removes every case this counsellor marked as unwanted, with everything in it, after a confirmation.
    func removeFlagged(req: Request) async throws -> Response {
        guard let accountID = req.staffAccount?.id else { throw PageError.loginRequired }
        let form = req.form(FlagForm.self, orEmpty: FlagForm())
        guard form.confirm == "on" else {
            req.setNotice("backoffice.notice.confirm_remove")
            return req.redirect(to: "/backoffice#flagged-title")
        }
        let mine = try await Self.caseIDs(of: accountID, on: req.db)
        guard !mine.isEmpty else { return req.redirect(to: "/backoffice") }
        let flagged = try await CaseRecord.query(on: req.db).filter(\.$id ~~ mine).filter(\.$flaggedAt != nil).all()
        try await req.db.transaction { db in
            for record in flagged { try await record.delete(on: db) }
        }
        req.logger.info("cases removed", metadata: ["action": "remove-flagged", "count": .stringConvertible(flagged.count)])
        req.setNotice("backoffice.notice.removed")
        return req.redirect(to: "/backoffice")
    }

    func dashboard(req: Request) async throws -> Response {
        guard let accountID = req.staffAccount?.id else { throw PageError.loginRequired }
        let memberships = try await OrganisationMembership.query(on: req.db)
            .filter(\.$account.$id == accountID).with(\.$organisation).all()
        let organisationRows =
            memberships
            .map {
                OrganisationRow(
                    name: $0.organisation.name, slug: $0.organisation.slug, kindKey: "counsellor.kind.\($0.counsellorKind ?? "external")")
            }
            .sorted { $0.name.localizedCompare($1.name) == .orderedAscending }
        // The cases sealed to this counsellor, newest first. Only clear columns are read here.
        let caseIDs = try await Self.caseIDs(of: accountID, on: req.db)
        let records =
            caseIDs.isEmpty
            ? []
            : try await CaseRecord.query(on: req.db).filter(\.$id ~~ caseIDs).with(\.$organisation)
                .sort(\.$createdAt, .descending).all()
        let rows = records.map {
            CaseRow(
                id: $0.id?.uuidString ?? "", href: "/backoffice/cases/\($0.id?.uuidString ?? "")", organisationName: $0.organisation.name,
                kindKey: "case.kind.\($0.kind)",
                statusKey: "case.status.\($0.status)", created: req.formatted($0.receivedAt ?? $0.createdAt),
                deadline: DeadlineView.list(for: $0, on: req).first { $0.stateKey != "deadline.state.done" })
        }
        let cases = zip(records, rows).filter { $0.0.flaggedAt == nil }.map(\.1)
        let flagged = zip(records, rows).filter { $0.0.flaggedAt != nil }.map(\.1)
        let context = DashboardContext(
            shell: PageShell(req, page: "backoffice", titleKey: "backoffice.title", publicPage: false), csrf: req.csrfToken(),
            cases: cases, hasCases: !cases.isEmpty, flagged: flagged, hasFlagged: !flagged.isEmpty, flaggedCount: flagged.count,
            organisations: organisationRows,
            hasOrganisations: !organisationRows.isEmpty)
        return try await req.render("backoffice", context)
    }
}
