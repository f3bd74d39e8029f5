import Fluent
import Vapor
import VertrouwdCore

/// The instance's front page: what Vertrouwd is, and a way to reach one's own organisation by its code.
/// It lists no organisation: which organisations use this instance is nobody's business.
struct HomeController: RouteCollection {
    struct HomeContext: Encodable {
        let shell: PageShell
        let code: String
        let errors: FormErrors
    }

    func boot(routes: any RoutesBuilder) throws {
        routes.get(.home, use: home)
        routes.get(.findOrganisation, use: findOrganisation)
    }

    func home(req: Request) async throws -> Response {
        try await req.cachedPage { try await render(req, code: "", errors: []) }
    }

    /// `GET /o?code=acme` → `/o/acme` when such an organisation exists.
    func findOrganisation(req: Request) async throws -> Response {
        let typed = (req.query[String.self, at: "code"] ?? "").cleanedInput
        guard !typed.isEmpty else {
            return try await render(
                req, code: "", errors: [FieldError(field: "code", key: "home.find.error.empty")], status: .unprocessableEntity)
        }
        if let slug = Slug(typed),
            try await Organisation.query(on: req.db).filter(\.$slug == slug.value).first() != nil
        {
            return req.redirect(to: Endpoint.portal.path(slug.value))
        }
        return try await render(req, code: typed, errors: [FieldError(field: "code", key: "home.find.error.unknown")], status: .notFound)
    }

    private func render(_ req: Request, code: String, errors: [FieldError], status: HTTPResponseStatus = .ok) async throws -> Response {
        let context = HomeContext(
            shell: PageShell(req, page: "home", titleKey: "home.title", publicPage: true), code: code, errors: FormErrors(errors))
        return try await req.render("home", context, status: status)
    }
}
