import Foundation

/// The knowledge base's search as a reader meets it: their own language first, the other language's
/// hits a little lower (someone may type in either), every article once, shown in the reader's language.
public struct KnowledgeSearch: Sendable {
    public struct Hit: Sendable {
        public let id: String
        public let score: Double
        /// Matching words flagged; for a hit found in the other language, the article's summary in the reader's.
        public let snippet: [Snippet.Piece]
    }

    /// A hit in the other language counts this much of its score.
    static let otherLanguageWeight = 0.8

    public let knowledgeBase: KnowledgeBase
    public let indexes: [Language: SearchIndex]
    /// Also used for the small indexes of an organisation's own articles.
    public let synonyms: [Language: Synonyms]

    public init(knowledgeBase: KnowledgeBase, synonyms: [Language: Synonyms] = [:]) {
        self.knowledgeBase = knowledgeBase
        self.synonyms = synonyms
        self.indexes = SearchIndex.indexes(for: knowledgeBase, synonyms: synonyms)
    }

    /// The synonym files `synonyms.<language>.txt`, each from the first of `directories` that has it;
    /// a language without one has none.
    public static func synonyms(in directories: [URL]) throws -> [Language: Synonyms] {
        var loaded: [Language: Synonyms] = [:]
        for language in Language.allCases {
            let files = directories.map { $0.appendingPathComponent("synonyms.\(language.code).txt") }
            guard let file = files.first(where: { FileManager.default.fileExists(atPath: $0.path) }) else { continue }
            loaded[language] = try Synonyms.load(from: file, analyzer: Analyzer(language: language))
        }
        return loaded
    }

    /// The hits, with the article on emergencies first when the query signals danger (`DangerSignal`).
    public func search(_ query: String, in language: Language, limit: Int = 20) -> [Hit] {
        let ranked = rank(query, in: language, limit: limit)
        guard DangerSignal.detect(query) != nil,
            let article = knowledgeBase.article(DangerSignal.article, in: language)
        else { return ranked }
        let first = Hit(
            id: article.slug, score: .infinity, snippet: [Snippet.Piece(text: article.summary, isMatch: false)])
        return [first] + ranked.filter { $0.id != article.slug }.prefix(limit - 1)
    }

    func rank(_ query: String, in language: Language, limit: Int) -> [Hit] {
        var best: [String: (score: Double, snippet: [Snippet.Piece])] = [:]
        // The other language is searched without the reader's own common words: Dutch "dat" and "die"
        // are English words, or stems of them, that mean something else.
        let ownWords = Analyzer(language: language).words(query).filter { !$0.terms.isEmpty }.map(\.text)
        for searched in [language, language.other] {
            let asked = searched == language ? query : ownWords.joined(separator: " ")
            for hit in indexes[searched]?.search(asked) ?? [] {
                let score = searched == language ? hit.score : hit.score * Self.otherLanguageWeight
                guard score > (best[hit.id]?.score ?? 0), let article = knowledgeBase.article(hit.id, in: language) else { continue }
                let snippet = searched == language ? hit.snippet : [Snippet.Piece(text: article.summary, isMatch: false)]
                best[hit.id] = (score, snippet)
            }
        }
        return best.sorted { $0.value.score == $1.value.score ? $0.key < $1.key : $0.value.score > $1.value.score }.prefix(limit)
            .map { Hit(id: $0.key, score: $0.value.score, snippet: $0.value.snippet) }
    }
}
