import Fluent
import Vapor
import VertrouwdCore

/// `/o/:slug/zoeken?q=…`: searches the knowledge base in the reader's language, and in the other
/// language too, showing every hit in the reader's language. The query is not logged or stored.
struct SearchController: RouteCollection {
    struct Result: Encodable {
        let title: String
        let href: String
        let snippet: [Snippet.Piece]
    }

    struct SearchContext: Encodable {
        let shell: PageShell
        let portal: PortalHeader
        let breadcrumbs: [Breadcrumb]
        let query: String
        let results: [Result]
        let hasResults: Bool
        let searched: Bool
        let count: Int
        /// `suicide` or `violence` when the query signals danger: 113 or 112 shows before any result.
        let danger: String?
    }

    static let maximumQueryLength = 200

    func boot(routes: any RoutesBuilder) throws {
        routes.get(.search, use: search)
    }

    func search(req: Request) async throws -> Response {
        let organisation = try await req.organisationFromPath()
        let portal = PortalHeader(organisation)
        let query = String((req.query[String.self, at: "q"] ?? "").cleanedInput.prefix(Self.maximumQueryLength))
        let results = try await Self.search(query, organisation: organisation, req: req)
        let context = SearchContext(
            shell: PageShell(req, page: "search", titleKey: "search.title", publicPage: true), portal: portal,
            breadcrumbs: [
                Breadcrumb(label: organisation.name, href: portal.base),
                Breadcrumb(label: req.t("kb.title"), href: Endpoint.knowledgeBase.path(portal.slug)),
                Breadcrumb(label: req.t("search.title"), href: nil),
            ],
            query: query, results: results, hasResults: !results.isEmpty, searched: !query.isEmpty, count: results.count,
            danger: DangerSignal.detect(query)?.rawValue)
        return try await req.render("kb/search", context)
    }

    /// The organisation's own articles first, then the shared knowledge base; nothing for an empty query.
    static func search(_ query: String, organisation: Organisation, req: Request) async throws -> [Result] {
        guard !query.isEmpty else { return [] }
        let portal = PortalHeader(organisation)
        // The organisation's own articles are few: a small index per search costs next to nothing.
        let own = try await KnowledgeBaseController.ownArticles(req, organisation)
        let index = SearchIndex(
            documents: own.map {
                SearchIndex.Document(id: $0.slug, title: $0.title, summary: $0.summary, body: $0.article.plainText)
            },
            language: req.language, synonyms: req.vertrouwd.search.synonyms[req.language] ?? .none)
        let titles = Dictionary(own.map { ($0.slug, $0.title) }, uniquingKeysWith: { first, _ in first })
        return index.search(query).map { hit in
            Result(title: titles[hit.id] ?? hit.id, href: Endpoint.organisationArticle.path(portal.slug, hit.id), snippet: hit.snippet)
        } + results(for: query, req: req, portal: portal)
    }

    static func results(for query: String, req: Request, portal: PortalHeader) -> [Result] {
        let language = req.language
        let base = req.vertrouwd.search.knowledgeBase
        return req.vertrouwd.search.search(query, in: language).compactMap { hit in
            base.article(hit.id, in: language).map {
                Result(title: $0.title, href: Endpoint.article.path(portal.slug, hit.id), snippet: hit.snippet)
            }
        }
    }
}
