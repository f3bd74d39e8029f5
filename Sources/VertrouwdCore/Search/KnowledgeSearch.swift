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

    public init(knowledgeBase: KnowledgeBase) {
        self.knowledgeBase = knowledgeBase
        self.indexes = SearchIndex.indexes(for: knowledgeBase)
    }

    public func search(_ query: String, in language: Language, limit: Int = 20) -> [Hit] {
        var best: [String: (score: Double, snippet: [Snippet.Piece])] = [:]
        for searched in [language, language.other] {
            for hit in indexes[searched]?.search(query) ?? [] {
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
