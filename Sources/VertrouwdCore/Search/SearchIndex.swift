import Foundation

/// Full-text search over the knowledge base: accent-folded, stemmed, tolerant of a typo, ranked with
/// BM25 over title, summary and body (the title counting most).
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

    static let fieldWeights = (title: 4.0, summary: 2.0, body: 1.0)
    static let k1 = 1.2
    static let b = 0.75

    let language: Language
    let documents: [Document]
    let lengths: [Double]
    let averageLength: Double
    let postings: [String: [Posting]]
    /// Each document's summary and body as words with their stems, made once so snippets cost little.
    let snippetWords: [[Snippet.Word]]
    /// Stems by length, for typo matching.
    let vocabularyByLength: [Int: [String]]

    public init(documents: [Document], language: Language) {
        self.language = language
        self.documents = documents
        var postings: [String: [Posting]] = [:]
        var lengths: [Double] = []
        for (index, document) in documents.enumerated() {
            var frequencies: [String: Double] = [:]
            var length = 0.0
            for (text, weight) in [
                (document.title, Self.fieldWeights.title), (document.summary, Self.fieldWeights.summary),
                (document.body, Self.fieldWeights.body),
            ] {
                for stem in Self.stems(text, language: language) {
                    frequencies[stem, default: 0] += weight
                    length += weight
                }
            }
            lengths.append(length)
            for (stem, frequency) in frequencies {
                postings[stem, default: []].append(Posting(document: index, weightedFrequency: frequency))
            }
        }
        self.lengths = lengths
        self.averageLength = lengths.isEmpty ? 1 : max(1, lengths.reduce(0, +) / Double(lengths.count))
        self.postings = postings
        self.snippetWords = documents.map { Snippet.words(of: $0.summary + " " + $0.body, language: language) }
        self.vocabularyByLength = Dictionary(grouping: postings.keys, by: \.count)
    }

    static func stems(_ text: String, language: Language) -> [String] {
        Tokenizer.words(text).filter { !Tokenizer.stopWords.contains($0) }.map { Stemmer.stem($0, language: language) }
    }

    /// The query's stems, each with the index stems it matches: itself, or near misses (one edit for
    /// words of 4–7 letters, two for longer ones) at a lower weight.
    func expand(_ query: String) -> [(stem: String, matches: [(term: String, weight: Double)])] {
        Self.stems(query, language: language).prefix(12).map { stem in
            if postings[stem] != nil || stem.count < 4 { return (stem, [(stem, 1.0)]) }
            let allowed = stem.count >= 8 ? 2 : 1
            var near: [(String, Double)] = []
            for length in (stem.count - allowed)...(stem.count + allowed) {
                for term in vocabularyByLength[length] ?? [] where EditDistance.within(stem, term, limit: allowed) {
                    near.append((term, 0.7))
                }
            }
            return (stem, near)
        }
    }

    public func search(_ query: String, limit: Int = 20) -> [Hit] {
        let expanded = expand(query)
        guard !expanded.isEmpty else { return [] }
        var scores: [Int: Double] = [:]
        let count = Double(documents.count)
        for (_, matches) in expanded {
            for (term, weight) in matches {
                guard let list = postings[term] else { continue }
                let idf = log(1 + (count - Double(list.count) + 0.5) / (Double(list.count) + 0.5))
                for posting in list {
                    let tf = posting.weightedFrequency
                    let norm = Self.k1 * (1 - Self.b + Self.b * lengths[posting.document] / averageLength)
                    scores[posting.document, default: 0] += weight * idf * tf * (Self.k1 + 1) / (tf + norm)
                }
            }
        }
        let terms = Set(expanded.flatMap { $0.matches.map(\.term) })
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

    /// A word as written, with the stems of the tokens in it.
    public struct Word: Sendable {
        let text: String
        let stems: [String]
    }

    public static func words(of text: String, language: Language) -> [Word] {
        text.split(separator: " ", omittingEmptySubsequences: true).map { word in
            Word(text: String(word), stems: Tokenizer.words(String(word)).map { Stemmer.stem($0, language: language) })
        }
    }

    public static func make(from allWords: [Word], terms: Set<String>, width: Int = 28) -> [Piece] {
        func matches(_ word: Word) -> Bool { word.stems.contains { terms.contains($0) } }
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
    public static func indexes(for base: KnowledgeBase) -> [Language: SearchIndex] {
        Dictionary(
            uniqueKeysWithValues: Language.allCases.map { language in
                (
                    language,
                    SearchIndex(
                        documents: base.all(in: language).map {
                            Document(id: $0.slug, title: $0.title, summary: $0.summary, body: $0.plainText)
                        },
                        language: language)
                )
            })
    }
}
