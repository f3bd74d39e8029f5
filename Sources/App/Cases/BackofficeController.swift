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

    struct DashboardContext: Encodable {
        let shell: PageShell
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
        let context = DashboardContext(
            shell: PageShell(req, page: "backoffice", titleKey: "backoffice.title", publicPage: false), organisations: rows,
            hasOrganisations: !rows.isEmpty)
        return try await req.render("backoffice", context)
    }
}
