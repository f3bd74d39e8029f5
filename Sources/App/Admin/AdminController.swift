import Fluent
import Vapor
import VertrouwdCore

/// The platform admin's overview: organisations and staff accounts. No case content exists on any admin page.
struct AdminController: RouteCollection {
    struct OrganisationRow: Encodable {
        let id: String
        let name: String
        let slug: String
        let counsellorCount: Int
    }

    struct AccountRow: Encodable {
        let id: String
        let name: String
        let email: String
        let roleKey: String
        let statusKey: String
    }

    struct OverviewContext: Encodable {
        let shell: PageShell
        let organisations: [OrganisationRow]
        let accounts: [AccountRow]
        let hasOrganisations: Bool
        let hasAccounts: Bool
    }

    func boot(routes: any RoutesBuilder) throws {
        let admin = routes.grouped(RequireRole(.admin))
        admin.get(.admin, use: overview)
        try admin.register(collection: AdminOrganisationController())
        try admin.register(collection: AdminAccountController())
        try admin.register(collection: AdminOrganisationArticleController())
        try admin.register(collection: AdminAuditController())
    }

    func overview(req: Request) async throws -> Response {
        let organisations = try await Organisation.query(on: req.db).with(\.$memberships).sort(\.$name).all()
        let accounts = try await StaffAccount.query(on: req.db).sort(\.$displayName).all()
        let organisationRows = organisations.map {
            OrganisationRow(
                id: $0.id?.uuidString ?? "", name: $0.name, slug: $0.slug,
                counsellorCount: $0.memberships.filter { $0.counsellorKind != nil }.count)
        }
        let accountRows = accounts.map {
            AccountRow(
                id: $0.id?.uuidString ?? "", name: $0.displayName, email: $0.email,
                roleKey: "role.\($0.role.rawValue)", statusKey: Self.statusKey($0))
        }
        let context = OverviewContext(
            shell: PageShell(req, page: "admin", titleKey: "admin.title", publicPage: false),
            organisations: organisationRows, accounts: accountRows,
            hasOrganisations: !organisationRows.isEmpty, hasAccounts: !accountRows.isEmpty)
        return try await req.render("admin/overview", context)
    }

    static func statusKey(_ account: StaffAccount) -> String {
        if account.isDisabled { return "account.status.disabled" }
        return account.isActivated ? "account.status.active" : "account.status.pending"
    }
}
