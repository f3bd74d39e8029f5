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
        routes.get("o", ":slug", use: portal)
    }

    func portal(req: Request) async throws -> Response {
        let organisation = try await req.organisationFromPath()
        let organisationID = try organisation.requireID()
        let memberships = try await OrganisationMembership.query(on: req.db)
            .filter(\.$organisation.$id == organisationID).filter(\.$counsellorKind != nil)
            .with(\.$account).all()
        let counsellors =
            memberships
            .filter { !$0.account.isDisabled && $0.account.isActivated }
            .sorted { $0.account.displayName.localizedCompare($1.account.displayName) == .orderedAscending }
            .map { CounsellorCard(name: $0.account.displayName, kindKey: "counsellor.kind.\($0.counsellorKind ?? "external")") }
        let context = PortalContext(
            shell: PageShell(req, page: "organisation", titleKey: "portal.title", publicPage: true),
            portal: PortalHeader(organisation), organisationName: organisation.name, counsellors: counsellors,
            hasCounsellors: !counsellors.isEmpty)
        return try await req.render("portal", context)
    }
}
