import Fluent
import Vapor
import VertrouwdCore

/// An article an organisation adds to its own knowledge base (its complaint procedure, its internal
/// reporting point). Written in Markdown by an admin; rendered with the same escaping as the shipped
/// articles, so it can carry no markup or script.
final class OrganisationArticle: Model, @unchecked Sendable {
    static let schema = "organisation_articles"

    @ID(key: .id) var id: UUID?
    @Parent(key: "organisation_id") var organisation: Organisation
    @Field(key: "slug") var slug: String
    @Field(key: "language") var language: String
    @Field(key: "title") var title: String
    @Field(key: "summary") var summary: String
    @Field(key: "body") var body: String
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?
    @Timestamp(key: "updated_at", on: .update) var updatedAt: Date?

    init() {}

    init(organisationID: UUID, slug: String, language: Language, title: String, summary: String, body: String) {
        self.$organisation.id = organisationID
        self.slug = slug
        self.language = language.code
        self.title = title
        self.summary = summary
        self.body = body
    }

    /// The article as the knowledge base's own type, so pages and search treat both alike.
    var article: Article {
        let rendered = ArticleParser.render(body)
        return Article(
            slug: slug, language: Language(rawValue: language) ?? .dutch, title: title, theme: "organisatie", audience: "everyone",
            summary: summary, related: [], kind: nil, renderedBody: rendered.html, headings: rendered.headings,
            plainText: ArticleParser.plainText(fromHTML: rendered.html), links: rendered.links)
    }
}
