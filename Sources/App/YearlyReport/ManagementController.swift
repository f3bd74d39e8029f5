import Fluent
import Vapor
import VertrouwdCore

/// What an organisation contact (management, HR) sees: released yearly reports, and nothing else.
/// Reports arrive with the yearly-report issue; until then the page says none has been released.
struct ManagementController: RouteCollection {
    struct ManagementContext: Encodable {
        let shell: PageShell
        let organisationNames: [String]
    }

    func boot(routes: any RoutesBuilder) throws {
        routes.grouped(RequireRole(.organisationContact)).get("management", use: overview)
    }

    func overview(req: Request) async throws -> Response {
        guard let accountID = req.staffAccount?.id else { throw PageError.loginRequired }
        let names = try await OrganisationMembership.query(on: req.db)
            .filter(\.$account.$id == accountID).with(\.$organisation).all().map(\.organisation.name).sorted()
        let context = ManagementContext(
            shell: PageShell(req, page: "management", titleKey: "management.title", publicPage: false), organisationNames: names)
        return try await req.render("management", context)
    }
}
