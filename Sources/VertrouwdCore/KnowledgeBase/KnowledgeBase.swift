import Foundation

/// All articles in all languages, loaded once at start from `Resources/KnowledgeBase/<lang>/*.md`.
public struct KnowledgeBase: Sendable {
    private let articles: [Language: [String: Article]]

    public init(articles: [Article]) {
        var byLanguage: [Language: [String: Article]] = [:]
        for article in articles { byLanguage[article.language, default: [:]][article.slug] = article }
        self.articles = byLanguage
    }

    public static func load(from directory: URL) throws -> KnowledgeBase {
        var loaded: [Article] = []
        for language in Language.allCases {
            let folder = directory.appendingPathComponent(language.code)
            let files = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
            for file in files.sorted() where file.hasSuffix(".md") {
                let text = try String(contentsOf: folder.appendingPathComponent(file), encoding: .utf8)
                let article = try ArticleParser.parse(text, file: "\(language.code)/\(file)")
                guard article.language == language, "\(article.slug).md" == file else {
                    throw ArticleParser.Failure.invalidField("\(language.code)/\(file)", field: "slug/language", value: article.id)
                }
                loaded.append(article)
            }
        }
        return KnowledgeBase(articles: loaded)
    }

    public func article(_ slug: String, in language: Language) -> Article? {
        articles[language]?[slug]
    }

    public func all(in language: Language) -> [Article] {
        (articles[language] ?? [:]).values.sorted { $0.title.localizedCompare($1.title) == .orderedAscending }
    }

    /// Themes in their fixed order, each with its articles; kinds follow their family overview.
    public func themes(in language: Language) -> [(theme: ArticleTheme, articles: [Article])] {
        let all = all(in: language)
        return ArticleTheme.allCases.compactMap { theme in
            let members = all.filter { $0.theme == theme.rawValue }.sorted { lhs, rhs in
                Self.order(lhs) == Self.order(rhs)
                    ? lhs.title.localizedCompare(rhs.title) == .orderedAscending : Self.order(lhs) < Self.order(rhs)
            }
            return members.isEmpty ? nil : (theme, members)
        }
    }

    private static func order(_ article: Article) -> Int {
        if let family = Family(rawValue: article.slug) { return family == .unwantedBehaviour ? 0 : 10 }
        if let kind = article.kind { return kind.family == .unwantedBehaviour ? 1 : 11 }
        return 20
    }

    // MARK: - Consistency checks (run by the tests)

    /// Slugs that exist in one language but not in another.
    public func missingTranslations() -> [String] {
        let slugs = Language.allCases.map { Set(articles[$0]?.keys ?? [:].keys) }
        let all = slugs.reduce(Set<String>()) { $0.union($1) }
        return all.filter { slug in Language.allCases.contains { articles[$0]?[slug] == nil } }.sorted()
    }

    /// "language/slug → target" for every body link or related entry that names no article.
    public func unresolvedLinks() -> [String] {
        Language.allCases.flatMap { language in
            (articles[language] ?? [:]).values.flatMap { article in
                (article.links + article.related).filter { articles[language]?[$0] == nil }.map { "\(article.id) → \($0)" }
            }
        }.sorted()
    }

    /// Kinds from the taxonomy without an article of their own (in any language).
    public func kindsWithoutArticle() -> [Kind] {
        Kind.allCases.filter { kind in Language.allCases.contains { articles[$0]?[kind.article]?.kind != kind } }
    }

    public var count: Int { articles.values.reduce(0) { $0 + $1.count } }
}
