import Fluent
import Vapor
import VertrouwdCore

/// `/o/:slug/kennisbank`: the themes, and each article with its sections, related articles and
/// breadcrumbs. Nothing a reader does here is stored.
struct KnowledgeBaseController: RouteCollection {
    struct ThemeGroup: Encodable {
        let id: String
        let titleKey: String
        let introKey: String
        let articles: [LinkCard]
    }

    struct ThemesContext: Encodable {
        let shell: PageShell
        let portal: PortalHeader
        let breadcrumbs: [Breadcrumb]
        let themes: [ThemeGroup]
        let query: String
    }

    struct ArticleContext: Encodable {
        let shell: PageShell
        let portal: PortalHeader
        let breadcrumbs: [Breadcrumb]
        let title: String
        let summary: String
        let body: String
        let contents: [Article.Heading]
        let hasContents: Bool
        let related: [LinkCard]
        let hasRelated: Bool
        let otherLanguageHref: String
        let query: String
    }

    func boot(routes: any RoutesBuilder) throws {
        routes.get(.knowledgeBase, use: themes)
        routes.get(.article, use: article)
        routes.get(.organisationArticle, use: organisationArticle)
    }

    /// The organisation's own articles in the reader's language.
    static func ownArticles(_ req: Request, _ organisation: Organisation) async throws -> [OrganisationArticle] {
        let id = try organisation.requireID()
        let language = req.language.code
        return try await OrganisationArticle.query(on: req.db).filter(\.$organisation.$id == id)
            .filter(\.$language == language)
            .sort(\.$title).all()
    }

    func themes(req: Request) async throws -> Response {
        try await req.cachedPage { try await renderThemes(req) }
    }

    private func renderThemes(_ req: Request) async throws -> Response {
        let organisation = try await req.organisationFromPath()
        let portal = PortalHeader(organisation)
        let base = req.vertrouwd.knowledgeBase
        var groups = base.themes(in: req.language).map { group in
            ThemeGroup(
                id: group.theme.rawValue, titleKey: "kb.theme.\(group.theme.rawValue)", introKey: "kb.theme.\(group.theme.rawValue).intro",
                articles: group.articles.map {
                    LinkCard(title: $0.title, text: $0.summary, href: Endpoint.article.path(portal.slug, $0.slug))
                })
        }
        let own = try await Self.ownArticles(req, organisation)
        if !own.isEmpty {
            // The organisation's own arrangements come first: they are what a reader there most needs.
            let links = own.map {
                LinkCard(title: $0.title, text: $0.summary, href: Endpoint.organisationArticle.path(portal.slug, $0.slug))
            }
            groups.insert(
                ThemeGroup(id: "organisatie", titleKey: "kb.theme.organisatie", introKey: "kb.theme.organisatie.intro", articles: links),
                at: 0)
        }
        // Last, where to turn outside the organisation: the register the guide's routes come from.
        let language = req.language
        groups.append(
            ThemeGroup(
                id: "hulp-buiten", titleKey: "kb.theme.hulp-buiten", introKey: "kb.theme.hulp-buiten.intro",
                articles: req.vertrouwd.externalBodies.map(\.route).map { route in
                    LinkCard(
                        title: route.title(language), text: route.text(language), href: GuideController.href(route.link, portal: portal))
                }))
        let context = ThemesContext(
            shell: PageShell(req, page: "kb-themes", titleKey: "kb.title", publicPage: true), portal: portal,
            breadcrumbs: [Breadcrumb(label: organisation.name, href: portal.base), Breadcrumb(label: req.t("kb.title"), href: nil)],
            themes: groups, query: "")
        return try await req.render("kb/themes", context)
    }

    func article(req: Request) async throws -> Response {
        try await req.cachedPage {
            let organisation = try await req.organisationFromPath()
            guard let slug = req.parameters.get("article"), let article = req.vertrouwd.knowledgeBase.article(slug, in: req.language)
            else { throw PageError.notFound }
            return try await render(req, organisation, article, path: "kennisbank/\(slug)")
        }
    }

    func organisationArticle(req: Request) async throws -> Response {
        try await req.cachedPage {
            let organisation = try await req.organisationFromPath()
            guard let slug = req.parameters.get("article"),
                let own = try await Self.ownArticles(req, organisation).first(where: { $0.slug == slug })
            else { throw PageError.notFound }
            return try await render(req, organisation, own.article, path: "kennisbank/eigen/\(slug)")
        }
    }

    private func render(_ req: Request, _ organisation: Organisation, _ article: Article, path: String) async throws -> Response {
        let portal = PortalHeader(organisation)
        let base = req.vertrouwd.knowledgeBase
        let related = article.related.compactMap { base.article($0, in: req.language) }
            .map { LinkCard(title: $0.title, text: $0.summary, href: Endpoint.article.path(portal.slug, $0.slug)) }
        let context = ArticleContext(
            shell: PageShell(req, page: "kb-article", titleKey: "kb.title", publicPage: true), portal: portal,
            breadcrumbs: [
                Breadcrumb(label: organisation.name, href: portal.base),
                Breadcrumb(label: req.t("kb.title"), href: Endpoint.knowledgeBase.path(portal.slug)),
                Breadcrumb(
                    label: req.t("kb.theme.\(article.theme)"), href: Endpoint.knowledgeBase.path(portal.slug, anchor: article.theme)),
                Breadcrumb(label: article.title, href: nil),
            ],
            title: article.title, summary: article.summary, body: article.html(linkPrefix: Endpoint.knowledgeBase.path(portal.slug) + "/"),
            contents: article.headings, hasContents: article.headings.count > 1, related: related, hasRelated: !related.isEmpty,
            otherLanguageHref: Endpoint.language.path(req.language.other.code) + "?return=\(portal.base)/\(path)", query: "")
        return try await req.render("kb/article", context)
    }
}
