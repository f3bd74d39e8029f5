import Foundation

/// Everyday words for what the knowledge base names otherwise, applied to queries: a query word that
/// shares a term with a word on the left also searches for the words on the right, as if typed.
/// The file is plain text a practice can edit, one rule per line:
///
///     # comment
///     treiteren, getreiter, sarren => pesten
///     handtastelijk => seksuele intimidatie, ongewenste aanraking
///
/// Left of `=>`: single words, comma-separated. Right: words or phrases, comma-separated.
public struct Synonyms: Sendable {
    public struct Failure: Error, CustomStringConvertible, Equatable {
        public let file: String
        public let line: Int
        public let reason: String
        public var description: String { "\(file):\(line): \(reason)" }

        public init(file: String, line: Int, reason: String) {
            self.file = file
            self.line = line
            self.reason = reason
        }
    }

    /// The words a term also searches for, in order, without repeats.
    let expansions: [String: [String]]

    public static let none = Synonyms(expansions: [:])

    init(expansions: [String: [String]]) { self.expansions = expansions }

    public init(parsing text: String, file: String, analyzer: Analyzer) throws {
        var expansions: [String: [String]] = [:]
        // `isNewline`: a file saved with CRLF line ends too ("\r\n" is one Character in Swift).
        for (index, raw) in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).enumerated() {
            let line = raw.trimmingCharacters(in: .whitespaces)
            guard !line.isEmpty, !line.hasPrefix("#") else { continue }
            func fail(_ reason: String) -> Failure { Failure(file: file, line: index + 1, reason: reason) }
            let sides = line.components(separatedBy: "=>")
            guard sides.count == 2 else { throw fail("expected words => words, with one =>") }
            let sources = Self.items(sides[0]), targets = Self.items(sides[1])
            guard !sources.isEmpty, !targets.isEmpty else { throw fail("a side of => is empty") }
            if let phrase = sources.first(where: { $0.contains(" ") }) {
                throw fail("\"\(phrase)\": left of => only single words")
            }
            let targetWords = targets.flatMap { analyzer.words($0).filter { !$0.terms.isEmpty }.map(\.text) }
            guard !targetWords.isEmpty else { throw fail("right of => holds only words too common to search") }
            for source in sources {
                let terms = analyzer.words(source).flatMap(\.terms)
                guard !terms.isEmpty else { throw fail("\"\(source)\" is too common a word to search") }
                for term in terms {
                    for word in targetWords where !(expansions[term]?.contains(word) ?? false) {
                        expansions[term, default: []].append(word)
                    }
                }
            }
        }
        self.expansions = expansions
    }

    public static func load(from url: URL, analyzer: Analyzer) throws -> Synonyms {
        try Synonyms(parsing: String(contentsOf: url, encoding: .utf8), file: url.lastPathComponent, analyzer: analyzer)
    }

    static func items(_ side: String) -> [String] {
        side.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces).lowercased() }.filter { !$0.isEmpty }
            .map { $0.split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ") }
    }

    /// The left-hand terms one or two edits from `term` (as for the index's near misses).
    func nearSources(of term: String) -> [String] {
        guard term.count >= 5 else { return [] }
        let allowed = term.count >= 8 ? 2 : 1
        return expansions.keys.filter { abs($0.count - term.count) <= allowed && EditDistance.within(term, $0, limit: allowed) }.sorted()
    }

    /// The words a query word with these terms also searches for.
    public func words(for terms: [String]) -> [String] {
        var seen: Set<String> = []
        return terms.flatMap { expansions[$0] ?? [] }.filter { seen.insert($0).inserted }
    }
}
