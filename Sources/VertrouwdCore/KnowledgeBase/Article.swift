import Foundation

/// One knowledge-base article in one language, as loaded from `Resources/KnowledgeBase/<lang>/<slug>.md`.
public struct Article: Sendable, Identifiable {
    public struct Heading: Sendable, Equatable, Encodable {
        public let id: String
        public let text: String
    }

    public var id: String { "\(language.code)/\(slug)" }
    public let slug: String
    public let language: Language
    public let title: String
    public let theme: String
    public let audience: String
    public let summary: String
    public let related: [String]
    public let kind: Kind?
    /// The body rendered to HTML; links to other articles read `href="kb:<slug>"` until `html(linkPrefix:)`.
    public let renderedBody: String
    public let headings: [Heading]
    /// The body as plain text, for search and snippets.
    public let plainText: String
    /// Slugs this article links to in its body.
    public let links: [String]

    public init(
        slug: String, language: Language, title: String, theme: String, audience: String, summary: String, related: [String], kind: Kind?,
        renderedBody: String, headings: [Heading], plainText: String, links: [String]
    ) {
        self.slug = slug
        self.language = language
        self.title = title
        self.theme = theme
        self.audience = audience
        self.summary = summary
        self.related = related
        self.kind = kind
        self.renderedBody = renderedBody
        self.headings = headings
        self.plainText = plainText
        self.links = links
    }

    /// The body with article links pointing under `linkPrefix` (e.g. `/o/acme/kennisbank/`).
    public func html(linkPrefix: String) -> String {
        renderedBody.replacingOccurrences(of: "href=\"kb:", with: "href=\"\(linkPrefix)")
    }
}

/// The themes articles are grouped by, in the order the themes page shows them.
public enum ArticleTheme: String, Sendable, CaseIterable {
    case recognising = "herkennen"
    case steps = "stappen"
    case reporting = "melden"
    case counsellor = "vertrouwenspersoon"
    case care = "zorg"
    case roles = "rollen"
}

public enum ArticleAudience: String, Sendable, CaseIterable {
    case everyone, employee, manager, bystander
}
