import Fluent
import Vapor
import VertrouwdCore

/// `/o/:slug`: an organisation's public portal, where a person starts. Shows who the counsellors are;
/// the knowledge base, the guide and the contact form attach here in later issues.
struct PortalController: RouteCollection {
    struct CounsellorCard: Encodable {
        let name: String
        let kindKey: String
    }

    struct PortalContext: Encodable {
        let shell: PageShell
        let portal: PortalHeader
        let organisationName: String
        let counsellors: [CounsellorCard]
        let hasCounsellors: Bool
    }

    func boot(routes: any RoutesBuilder) throws {
        routes.get(.portal, use: portal)
    }

    func portal(req: Request) async throws -> Response {
        try await req.cachedPage { try await render(req) }
    }

    private func render(_ req: Request) async throws -> Response {
        let organisation = try await req.organisationFromPath()
        let organisationID = try organisation.requireID()
        let counsellors = try await OrganisationCounsellors.list(organisationID: organisationID, on: req.db)
            .map { CounsellorCard(name: $0.account.displayName, kindKey: "counsellor.kind.\($0.kind.rawValue)") }
        let context = PortalContext(
            shell: PageShell(req, page: "organisation", titleKey: "portal.title", publicPage: true),
            portal: PortalHeader(organisation), organisationName: organisation.name, counsellors: counsellors,
            hasCounsellors: !counsellors.isEmpty)
        return try await req.render("portal", context)
    }
}
