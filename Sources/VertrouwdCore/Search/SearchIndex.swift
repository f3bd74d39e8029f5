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
    static let weights = (part: 0.5, queryPart: 0.8, synonym: 0.8, nearMiss: 0.7)
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

    /// The query's words, each with the ways it matches: its own terms when the index has them (and a
    /// compound's parts a little lower), else a compound's known parts, else near misses for a word of
    /// five letters or more (one edit for terms up to 7 letters, two for longer ones); and the words its synonyms stand for.
    func expand(_ query: String) -> [Alternatives] {
        var groups: [Alternatives] = []
        func add(_ terms: [String], weight: Double) {
            let found = terms.filter { postings[$0] != nil }
            if !found.isEmpty { groups.append(found.map { ($0, weight) }) }
        }
        func termsOf(_ words: [String]) -> [[String]] { words.map { analyzer.terms($0, folded: Tokenizer.fold($0)) } }
        let words = analyzer.words(query)
        for word in words.filter({ !$0.terms.isEmpty }).prefix(12) {
            let before = groups.count
            var parts: [String] = []
            if word.terms.contains(where: { postings[$0] != nil }) {
                add(word.terms, weight: 1)
                parts = splitter?.bothParts(of: word.folded) ?? []
                for part in termsOf(parts) { add(part, weight: Self.weights.part) }
            } else if let found = splitter?.queryParts(of: word.folded) {
                parts = found
                for part in termsOf(parts) { add(part, weight: Self.weights.queryPart) }
            }
            let synonymous = synonyms.words(for: word.terms + termsOf(parts).flatMap { $0 })
            for target in termsOf(synonymous) { add(target, weight: Self.weights.synonym) }
            if groups.count == before {
                let near = word.folded.count < 5 ? [] : Set(word.terms.flatMap(nearMisses))
                if !near.isEmpty { groups.append(near.sorted().map { ($0, Self.weights.nearMiss) }) }
                // A misspelt everyday word ("racistiese") still reaches what its synonym stands for.
                let misspelt = word.terms.flatMap { synonyms.nearSources(of: $0) }
                for target in termsOf(synonyms.words(for: misspelt)) { add(target, weight: Self.weights.nearMiss) }
            }
        }
        // A separable verb's two halves, joined, when the index or the synonyms know the whole.
        if analyzer.language == .dutch {
            let particles = words.filter { Analyzer.separableParticles.contains($0.folded) }
            for particle in particles {
                for verb in words where verb.folded.count >= 3 && !Analyzer.separableParticles.contains(verb.folded) {
                    let joined = particle.folded + verb.folded
                    let terms = analyzer.terms(joined, folded: joined)
                    if terms.contains(where: { postings[$0] != nil }) { add(terms, weight: Self.weights.synonym) }
                    for target in termsOf(synonyms.words(for: terms)) { add(target, weight: Self.weights.synonym) }
                }
            }
        }
        return groups
    }

    /// The title or summary bonus of one query word's best alternative found there.
    func bonus(_ document: Int, _ alternatives: Alternatives) -> Double {
        let inTitle = alternatives.filter { titleTerms[document].contains($0.term) }.map(\.weight).max() ?? 0
        let inSummary = alternatives.filter { summaryTerms[document].contains($0.term) }.map(\.weight).max() ?? 0
        return max(inTitle * Self.bonus.title, inSummary * Self.bonus.summary)
    }

    /// What a query is searched by, one line per query word's alternatives: for tuning the synonyms.
    public func explain(_ query: String) -> String {
        expand(query).map { $0.map { "\($0.term) \(String(format: "%.2f", $0.weight))" }.joined(separator: " | ") }
            .joined(separator: "\n")
    }

    func nearMisses(of term: String) -> [String] {
        guard term.count >= 3 else { return [] }
        let allowed = term.count >= 8 ? 2 : 1
        return ((term.count - allowed)...(term.count + allowed)).flatMap { length in
            (vocabularyByLength[length] ?? []).filter { EditDistance.within(term, $0, limit: allowed) }
        }
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

/// A short passage around the first match, with matching words flagged.
public enum Snippet {
    public struct Piece: Sendable, Equatable, Encodable {
        public let text: String
        public let isMatch: Bool

        public init(text: String, isMatch: Bool) {
            self.text = text
            self.isMatch = isMatch
        }
    }

    /// A word as written, with the terms of the tokens in it.
    public struct Word: Sendable {
        let text: String
        let terms: [String]
    }

    public static func words(of text: String, analyzer: Analyzer) -> [Word] {
        text.split(separator: " ", omittingEmptySubsequences: true).map { word in
            Word(text: String(word), terms: analyzer.words(String(word)).flatMap(\.terms))
        }
    }

    public static func make(from allWords: [Word], terms: Set<String>, width: Int = 28) -> [Piece] {
        func matches(_ word: Word) -> Bool { word.terms.contains { terms.contains($0) } }
        let words = allWords
        let first = words.firstIndex(where: matches) ?? 0
        let start = max(0, first - width / 3)
        let end = min(words.count, start + width)
        var pieces: [Piece] = []
        var plain: [String] = start > 0 ? ["…"] : []
        func flush(trailingSpace: Bool) {
            guard !plain.isEmpty else { return }
            let leading = pieces.isEmpty ? "" : " "
            pieces.append(Piece(text: leading + plain.joined(separator: " ") + (trailingSpace ? " " : ""), isMatch: false))
            plain = []
        }
        for word in words[start..<end] {
            if matches(word) {
                if plain.isEmpty, !pieces.isEmpty { pieces.append(Piece(text: " ", isMatch: false)) }
                flush(trailingSpace: true)
                pieces.append(Piece(text: word.text, isMatch: true))
            } else {
                plain.append(word.text)
            }
        }
        if end < words.count { plain.append("…") }
        flush(trailingSpace: false)
        return pieces
    }
}

/// Damerau–Levenshtein distance, cut off early: only "is it at most `limit`?" is asked.
public enum EditDistance {
    public static func within(_ a: String, _ b: String, limit: Int) -> Bool {
        let a = Array(a.unicodeScalars), b = Array(b.unicodeScalars)
        if abs(a.count - b.count) > limit { return false }
        if a == b { return true }
        var previousPrevious = [Int](repeating: 0, count: b.count + 1)
        var previous = Array(0...b.count)
        var current = [Int](repeating: 0, count: b.count + 1)
        for i in 1...max(1, a.count) where !a.isEmpty {
            current[0] = i
            var rowMinimum = current[0]
            for j in 1...max(1, b.count) where !b.isEmpty {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
                if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
                    current[j] = min(current[j], previousPrevious[j - 2] + 1)
                }
                rowMinimum = min(rowMinimum, current[j])
            }
            if rowMinimum > limit { return false }
            previousPrevious = previous
            previous = current
        }
        return (a.isEmpty ? b.count : previous[b.count]) <= limit
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
