import Fluent
import Vapor
import VertrouwdCore

/// An admin writes an organisation's own knowledge-base articles (Markdown) under `/admin/organisations/:id/articles`.
struct AdminOrganisationArticleController: RouteCollection {
    struct ArticleForm: Content {
        var language: String?
        var title: String?
        var summary: String?
        var body: String?
    }

    struct FormContext: Encodable {
        let shell: PageShell
        let csrf: String
        let organisationName: String
        let action: String
        let deleteAction: String?
        let backHref: String
        let isNew: Bool
        let language: String
        let title: String
        let summary: String
        let body: String
        let errors: FormErrors
    }

    static let limits = (title: 150, summary: 300, body: 20_000)

    func boot(routes: any RoutesBuilder) throws {
        routes.get(.adminNewArticle, use: new)
        routes.post(.adminArticles, use: create)
        routes.get(.adminArticleEdit, use: edit)
        routes.post(.adminArticle, use: update)
        routes.post(.adminArticleDelete, use: delete)
    }

    func new(req: Request) async throws -> Response {
        let organisation = try await findOrganisation(req)
        return try await render(req, organisation, article: nil, form: ArticleForm(language: organisation.defaultLanguage), errors: [])
    }

    func create(req: Request) async throws -> Response {
        let organisation = try await findOrganisation(req)
        let form = req.form(ArticleForm.self, orEmpty: ArticleForm())
        guard let values = validate(form) else {
            return try await render(req, organisation, article: nil, form: form, errors: errors(form), status: .unprocessableEntity)
        }
        let organisationID = try organisation.requireID()
        let slug = try await uniqueSlug(
            ArticleParser.slugify(values.title), organisationID: organisationID, language: values.language, on: req.db)
        try await OrganisationArticle(
            organisationID: organisationID, slug: slug, language: values.language, title: values.title, summary: values.summary,
            body: values.body
        ).create(on: req.db)
        req.setNotice("admin.notice.article_saved")
        return req.redirect(to: Endpoint.adminOrganisationEdit.path(organisationID))
    }

    func edit(req: Request) async throws -> Response {
        let organisation = try await findOrganisation(req)
        let article = try await findArticle(req, organisation)
        let form = ArticleForm(language: article.language, title: article.title, summary: article.summary, body: article.body)
        return try await render(req, organisation, article: article, form: form, errors: [])
    }

    func update(req: Request) async throws -> Response {
        let organisation = try await findOrganisation(req)
        let article = try await findArticle(req, organisation)
        var form = req.form(ArticleForm.self, orEmpty: ArticleForm())
        form.language = article.language
        guard let values = validate(form) else {
            return try await render(req, organisation, article: article, form: form, errors: errors(form), status: .unprocessableEntity)
        }
        article.title = values.title
        article.summary = values.summary
        article.body = values.body
        try await article.save(on: req.db)
        req.setNotice("admin.notice.article_saved")
        return req.redirect(to: Endpoint.adminOrganisationEdit.path(try organisation.requireID()))
    }

    func delete(req: Request) async throws -> Response {
        let organisation = try await findOrganisation(req)
        try await findArticle(req, organisation).delete(on: req.db)
        req.setNotice("admin.notice.article_deleted")
        return req.redirect(to: Endpoint.adminOrganisationEdit.path(try organisation.requireID()))
    }

    // MARK: - Helpers

    private func findOrganisation(_ req: Request) async throws -> Organisation {
        guard let id = req.parameters.get("id").flatMap(UUID.init(uuidString:)),
            let organisation = try await Organisation.find(id, on: req.db)
        else {
            throw PageError.notFound
        }
        return organisation
    }

    private func findArticle(_ req: Request, _ organisation: Organisation) async throws -> OrganisationArticle {
        guard let id = req.parameters.get("article").flatMap(UUID.init(uuidString:)),
            let article = try await OrganisationArticle.find(id, on: req.db), article.$organisation.id == organisation.id
        else { throw PageError.notFound }
        return article
    }

    private func validate(_ form: ArticleForm) -> (language: Language, title: String, summary: String, body: String)? {
        guard errors(form).isEmpty, let language = Language(rawValue: form.language ?? "") else { return nil }
        return (language, (form.title ?? "").cleanedInput, (form.summary ?? "").cleanedInput, (form.body ?? "").cleanedInput)
    }

    private func errors(_ form: ArticleForm) -> [FieldError] {
        var errors: [FieldError] = []
        if Language(rawValue: form.language ?? "") == nil {
            errors.append(FieldError(field: "language", key: "admin.organisation.error.language"))
        }
        let checks: [(String, String?, Int)] = [
            ("title", form.title, Self.limits.title), ("summary", form.summary, Self.limits.summary), ("body", form.body, Self.limits.body),
        ]
        for (field, value, limit) in checks {
            let text = (value ?? "").cleanedInput
            if text.isEmpty { errors.append(FieldError(field: field, key: "admin.article.error.\(field)_required")) }
            if text.count > limit { errors.append(FieldError(field: field, key: "admin.article.error.too_long")) }
        }
        return errors
    }

    private func uniqueSlug(_ base: String, organisationID: UUID, language: Language, on db: any Database) async throws -> String {
        var candidate = String(base.prefix(60))
        var counter = 2
        while try await OrganisationArticle.query(on: db).filter(\.$organisation.$id == organisationID)
            .filter(\.$language == language.code).filter(\.$slug == candidate).first() != nil
        {
            candidate = "\(base.prefix(60))-\(counter)"
            counter += 1
        }
        return candidate
    }

    private func render(
        _ req: Request, _ organisation: Organisation, article: OrganisationArticle?, form: ArticleForm, errors: [FieldError],
        status: HTTPResponseStatus = .ok
    ) async throws -> Response {
        let organisationID = try organisation.requireID()
        let isNew = article == nil
        let context = FormContext(
            shell: PageShell(
                req, page: "admin-article", titleKey: isNew ? "admin.article.new.title" : "admin.article.edit.title", publicPage: false),
            csrf: req.csrfToken(), organisationName: organisation.name,
            action: isNew
                ? Endpoint.adminArticles.path(organisationID) : Endpoint.adminArticle.path(organisationID, article?.id?.uuidString ?? ""),
            deleteAction: article.flatMap { $0.id }.map { Endpoint.adminArticleDelete.path(organisationID, $0) },
            backHref: Endpoint.adminOrganisationEdit.path(organisationID),
            isNew: isNew, language: form.language ?? "nl", title: form.title ?? "", summary: form.summary ?? "", body: form.body ?? "",
            errors: FormErrors(errors))
        return try await req.render("admin/article-form", context, status: status)
    }
}
