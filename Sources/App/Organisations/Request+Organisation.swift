import Fluent
import Vapor
import VertrouwdCore

extension Request {
    /// The organisation named by the `:slug` in the path, with its default language applied; 404 otherwise.
    func organisationFromPath() async throws -> Organisation {
        guard let slug = parameters.get("slug").flatMap(Slug.init),
            let organisation = try await Organisation.query(on: db).filter(\.$slug == slug.value).first()
        else { throw PageError.notFound }
        applyOrganisationLanguage(organisation.defaultLanguage)
        return organisation
    }
}

/// A link in the breadcrumb trail above a page.
struct Breadcrumb: Encodable {
    let label: String
    let href: String?
}

/// What every page under `/o/<slug>` shows of its organisation.
struct PortalHeader: Encodable {
    let name: String
    let slug: String
    let base: String

    init(_ organisation: Organisation) {
        name = organisation.name
        slug = organisation.slug
        base = Endpoint.portal.path(organisation.slug)
    }
}
