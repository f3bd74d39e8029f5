import Fluent
import Vapor
import VertrouwdCore

/// Creating and editing organisations: name, address (slug) and default language.
struct AdminOrganisationController: RouteCollection {
    struct OrganisationForm: Content {
        var name: String?
        var slug: String?
        var language: String?
    }

    struct FormContext: Encodable {
        let shell: PageShell
        let csrf: String
        let action: String
        let isNew: Bool
        let name: String
        let slug: String
        let language: String
        let errors: FormErrors
        let articles: [ArticleRow]
        let hasArticles: Bool
        let newArticleHref: String?
    }

    struct ArticleRow: Encodable {
        let title: String
        let language: String
        let editHref: String
    }

    func boot(routes: any RoutesBuilder) throws {
        routes.get("organisations", "new", use: new)
        routes.post("organisations", use: create)
        routes.get("organisations", ":id", "edit", use: edit)
        routes.post("organisations", ":id", use: update)
    }

    func new(req: Request) async throws -> Response {
        try await render(req, organisation: nil, form: OrganisationForm(name: "", slug: "", language: "nl"), errors: [])
    }

    func create(req: Request) async throws -> Response {
        let form = req.form(OrganisationForm.self, orEmpty: OrganisationForm())
        let (values, errors) = try await validate(form, excluding: nil, on: req)
        guard let values, errors.isEmpty else {
            return try await render(req, organisation: nil, form: form, errors: errors, status: .unprocessableEntity)
        }
        try await Organisation(name: values.name, slug: values.slug.value, defaultLanguage: values.language.code).create(on: req.db)
        req.setNotice("admin.notice.organisation_saved")
        return req.redirect(to: "/admin")
    }

    func edit(req: Request) async throws -> Response {
        let organisation = try await find(req)
        let form = OrganisationForm(name: organisation.name, slug: organisation.slug, language: organisation.defaultLanguage)
        return try await render(req, organisation: organisation, form: form, errors: [])
    }

    func update(req: Request) async throws -> Response {
        let organisation = try await find(req)
        let form = req.form(OrganisationForm.self, orEmpty: OrganisationForm())
        let (values, errors) = try await validate(form, excluding: organisation.id, on: req)
        guard let values, errors.isEmpty else {
            return try await render(req, organisation: organisation, form: form, errors: errors, status: .unprocessableEntity)
        }
        organisation.name = values.name
        organisation.slug = values.slug.value
        organisation.defaultLanguage = values.language.code
        try await organisation.save(on: req.db)
        req.setNotice("admin.notice.organisation_saved")
        return req.redirect(to: "/admin")
    }

    // MARK: - Helpers

    private func find(_ req: Request) async throws -> Organisation {
        guard let id = req.parameters.get("id").flatMap(UUID.init(uuidString:)),
            let organisation = try await Organisation.find(id, on: req.db)
        else { throw PageError.notFound }
        return organisation
    }

    private func validate(
        _ form: OrganisationForm, excluding id: UUID?, on req: Request
    ) async throws -> ((name: String, slug: Slug, language: Language)?, [FieldError]) {
        var errors: [FieldError] = []
        let name = (form.name ?? "").cleanedInput
        if name.isEmpty { errors.append(FieldError(field: "name", key: "admin.organisation.error.name_required")) }
        if name.count > 120 { errors.append(FieldError(field: "name", key: "admin.organisation.error.name_long")) }
        let slug = Slug(form.slug ?? "")
        if slug == nil { errors.append(FieldError(field: "slug", key: "admin.organisation.error.slug_invalid")) }
        if let slug, let existing = try await Organisation.query(on: req.db).filter(\.$slug == slug.value).first(), existing.id != id {
            errors.append(FieldError(field: "slug", key: "admin.organisation.error.slug_taken"))
        }
        let language = Language(rawValue: form.language ?? "")
        if language == nil { errors.append(FieldError(field: "language", key: "admin.organisation.error.language")) }
        guard errors.isEmpty, let slug, let language else { return (nil, errors) }
        return ((name, slug, language), [])
    }

    private func render(
        _ req: Request, organisation: Organisation?, form: OrganisationForm, errors: [FieldError], status: HTTPResponseStatus = .ok
    ) async throws -> Response {
        let isNew = organisation == nil
        var articles: [ArticleRow] = []
        if let organisation, let id = organisation.id {
            articles = try await OrganisationArticle.query(on: req.db).filter(\.$organisation.$id == id).sort(\.$language).sort(\.$title)
                .all()
                .map {
                    ArticleRow(
                        title: $0.title, language: $0.language,
                        editHref: "/admin/organisations/\(id)/articles/\($0.id?.uuidString ?? "")/edit")
                }
        }
        let context = FormContext(
            shell: PageShell(
                req, page: "admin-organisation", titleKey: isNew ? "admin.organisation.new.title" : "admin.organisation.edit.title",
                publicPage: false),
            csrf: req.csrfToken(),
            action: isNew ? "/admin/organisations" : "/admin/organisations/\(organisation?.id?.uuidString ?? "")",
            isNew: isNew, name: form.name ?? "", slug: form.slug ?? "", language: form.language ?? "nl", errors: FormErrors(errors),
            articles: articles, hasArticles: !articles.isEmpty,
            newArticleHref: organisation?.id.map { "/admin/organisations/\($0)/articles/new" })
        return try await req.render("admin/organisation-form", context, status: status)
    }
}
