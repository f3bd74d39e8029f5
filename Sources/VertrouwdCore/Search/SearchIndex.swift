import Foundation

/// Full-text search over the knowledge base: stemmed (`Analyzer`), compounds split against the
/// index's own words, everyday words widened through `Synonyms`, tolerant of a typo, ranked with BM25
/// over title, summary and body (the title counting most).
public struct SearchIndex: Sendable {
    public struct Document: Sendable {
        public let id: String
        public let title: String
        public let summary: String
        public let body: String

        public init(id: String, title: String, summary: String, body: String) {
            self.id = id
            self.title = title
            self.summary = summary
            self.body = body
        }
    }

    public struct Hit: Sendable {
        public let id: String
        public let score: Double
        /// The snippet as pieces, the matching words flagged, so the page escapes text and marks matches itself.
        public let snippet: [Snippet.Piece]
    }

    struct Posting: Sendable {
        let document: Int
        let weightedFrequency: Double
    }

    /// One query word's ways to match: its own terms, a compound's part, a synonym or a near miss, each
    /// with a weight. An article scores for the word by its best way, so several do not add up.
    typealias Alternatives = [(term: String, weight: Double)]

    static let fieldWeights = (title: 4.0, summary: 2.0, body: 1.0)
    static let weights = (part: 0.5, queryPart: 0.8, synonym: 1.0, nearMiss: 0.7)
    static let bonus = (title: 1.5, summary: 0.5)
    static let k1 = 1.2
    static let b = 0.75

    let analyzer: Analyzer
    let synonyms: Synonyms
    let documents: [Document]
    let lengths: [Double]
    let averageLength: Double
    let postings: [String: [Posting]]
    /// Dutch only: English writes its compounds apart, and splitting "backdate" finds "date".
    let splitter: CompoundSplitter?
    /// Each document's summary and body as words with their terms, made once so snippets cost little.
    let snippetWords: [[Snippet.Word]]
    /// Terms by length, for typo matching.
    let vocabularyByLength: [Int: [String]]
    /// Each document's title and summary terms: a query word found there adds a bonus that does not
    /// shrink with how common the word is, so "complaint" finds "Making a complaint" first although
    /// every article mentions complaints.
    let titleTerms: [Set<String>]
    let summaryTerms: [Set<String>]

    public init(documents: [Document], language: Language, synonyms: Synonyms = .none) {
        let analyzer = Analyzer(language: language)
        self.analyzer = analyzer
        self.synonyms = synonyms
        self.documents = documents
        let fields = documents.map { document in
            [
                (analyzer.words(document.title), Self.fieldWeights.title),
                (analyzer.words(document.summary), Self.fieldWeights.summary),
                (analyzer.words(document.body), Self.fieldWeights.body),
            ]
        }
        let words = fields.flatMap { $0.flatMap(\.0) }.filter { !$0.terms.isEmpty }
        let known = Set(words.map(\.folded))
        // Query words are also split into words the synonyms know ("milieu" + "vervuiling").
        let terms = Set(words.flatMap(\.terms)).union(synonyms.expansions.keys)
        let splitter =
            language == .dutch
            ? CompoundSplitter { part in known.contains(part) || analyzer.terms(part, folded: part).contains(where: terms.contains) } : nil
        self.splitter = splitter
        self.titleTerms = fields.map { Set($0[0].0.flatMap(\.terms)) }
        self.summaryTerms = fields.map { Set($0[1].0.flatMap(\.terms)) }
        var parts: [String: [String]] = [:]
        var postings: [String: [Posting]] = [:]
        var lengths: [Double] = []
        for (index, document) in fields.enumerated() {
            var frequencies: [String: Double] = [:]
            var length = 0.0
            for (words, weight) in document {
                for word in words where !word.terms.isEmpty {
                    for term in word.terms { frequencies[term, default: 0] += weight }
                    length += weight
                    let split =
                        parts[word.folded] ?? (splitter?.bothParts(of: word.folded) ?? []).flatMap { analyzer.terms($0, folded: $0) }
                    parts[word.folded] = split
                    for term in split where !word.terms.contains(term) { frequencies[term, default: 0] += weight * Self.weights.part }
                }
            }
            lengths.append(length)
            for (term, frequency) in frequencies {
                postings[term, default: []].append(Posting(document: index, weightedFrequency: frequency))
            }
        }
        self.lengths = lengths
        self.averageLength = lengths.isEmpty ? 1 : max(1, lengths.reduce(0, +) / Double(lengths.count))
        self.postings = postings
        self.snippetWords = documents.map { Snippet.words(of: $0.summary + " " + $0.body, analyzer: analyzer) }
        self.vocabularyByLength = Dictionary(grouping: postings.keys, by: \.count)
    }

    /// The title or summary bonus of one query word's best alternative found there.
    func bonus(_ document: Int, _ alternatives: Alternatives) -> Double {
        let inTitle = alternatives.filter { titleTerms[document].contains($0.term) }.map(\.weight).max() ?? 0
        let inSummary = alternatives.filter { summaryTerms[document].contains($0.term) }.map(\.weight).max() ?? 0
        return max(inTitle * Self.bonus.title, inSummary * Self.bonus.summary)
    }

    public func search(_ query: String, limit: Int = 20) -> [Hit] {
        let groups = expand(query)
        guard !groups.isEmpty else { return [] }
        var scores: [Int: Double] = [:]
        let count = Double(documents.count)
        for alternatives in groups {
            var best: [Int: Double] = [:]
            for (term, weight) in alternatives {
                guard let list = postings[term] else { continue }
                let idf = log(1 + (count - Double(list.count) + 0.5) / (Double(list.count) + 0.5))
                for posting in list {
                    let tf = posting.weightedFrequency
                    let norm = Self.k1 * (1 - Self.b + Self.b * lengths[posting.document] / averageLength)
                    best[posting.document] = max(best[posting.document] ?? 0, weight * idf * tf * (Self.k1 + 1) / (tf + norm))
                }
            }
            for (document, score) in best { scores[document, default: 0] += score + bonus(document, alternatives) }
        }
        let terms = Set(groups.flatMap { $0.map(\.term) })
        return scores.sorted { $0.value == $1.value ? $0.key < $1.key : $0.value > $1.value }.prefix(limit).map { entry in
            let document = documents[entry.key]
            return Hit(
                id: document.id, score: entry.value,
                snippet: Snippet.make(from: snippetWords[entry.key], terms: terms))
        }
    }
}

extension SearchIndex {
    /// One index per language over the knowledge base's articles.
    public static func indexes(for base: KnowledgeBase, synonyms: [Language: Synonyms] = [:]) -> [Language: SearchIndex] {
        Dictionary(
            uniqueKeysWithValues: Language.allCases.map { language in
                (
                    language,
                    SearchIndex(
                        documents: base.all(in: language).map {
                            Document(id: $0.slug, title: $0.title, summary: $0.summary, body: $0.plainText)
                        },
                        language: language, synonyms: synonyms[language] ?? .none)
                )
            })
    }
}
