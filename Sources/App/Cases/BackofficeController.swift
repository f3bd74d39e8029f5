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
        let cases: [CaseRow]
        let hasCases: Bool
        let organisations: [OrganisationRow]
        let hasOrganisations: Bool
    }

    func boot(routes: any RoutesBuilder) throws {
        let backoffice = routes.grouped(RequireRole(.counsellor))
        backoffice.get("backoffice", use: dashboard)
    }

    func dashboard(req: Request) async throws -> Response {
        guard let accountID = req.staffAccount?.id else { throw PageError.loginRequired }
        let memberships = try await OrganisationMembership.query(on: req.db)
            .filter(\.$account.$id == accountID).with(\.$organisation).all()
        let rows =
            memberships
            .map {
                OrganisationRow(
                    name: $0.organisation.name, slug: $0.organisation.slug, kindKey: "counsellor.kind.\($0.counsellorKind ?? "external")")
            }
            .sorted { $0.name.localizedCompare($1.name) == .orderedAscending }
        // The cases sealed to this counsellor, newest first. Only clear columns are read here.
        let caseIDs = Set(try await CaseKeyGrant.query(on: req.db).filter(\.$counsellor.$id == accountID).all().map(\.$caseRecord.id))
        let records =
            caseIDs.isEmpty
            ? []
            : try await CaseRecord.query(on: req.db).filter(\.$id ~~ caseIDs).with(\.$organisation)
                .sort(\.$createdAt, .descending).all()
        let cases = records.map {
            CaseRow(
                href: "/backoffice/cases/\($0.id?.uuidString ?? "")", organisationName: $0.organisation.name,
                kindKey: "case.kind.\($0.kind)",
                statusKey: "case.status.\($0.status)", created: req.formatted($0.receivedAt ?? $0.createdAt),
                deadline: DeadlineView.list(for: $0, on: req).first { $0.stateKey != "deadline.state.done" })
        }
        let context = DashboardContext(
            shell: PageShell(req, page: "backoffice", titleKey: "backoffice.title", publicPage: false), cases: cases,
            hasCases: !cases.isEmpty, organisations: rows,
            hasOrganisations: !rows.isEmpty)
        return try await req.render("backoffice", context)
    }
}
