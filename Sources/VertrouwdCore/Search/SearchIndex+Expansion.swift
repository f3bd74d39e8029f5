import Foundation

extension SearchIndex {
    /// The query's words, each with the ways it matches (`alternatives(of:)`), then the Dutch
    /// separable verbs the query holds.
    func expand(_ query: String) -> [Alternatives] {
        let words = analyzer.words(query)
        var groups = words.filter { !$0.terms.isEmpty }.prefix(12).flatMap(alternatives)
        if analyzer.language == .dutch { groups += separableVerbs(in: words) }
        return groups
    }

    /// One query word's groups: its own terms when the index has them (and a compound's parts a
    /// little lower), else a compound's known parts; the words its synonyms stand for; and when none
    /// of that matched, near misses for a word of five letters or more, and misspelt synonyms.
    func alternatives(of word: Analyzer.Word) -> [Alternatives] {
        var groups: [Alternatives] = []
        var parts: [[String]] = []
        if word.terms.contains(where: { postings[$0] != nil }) {
            groups += found([word.terms], weight: 1)
            parts = termsOf(splitter?.bothParts(of: word.folded) ?? [])
            groups += found(parts, weight: Self.weights.part)
        } else if let known = splitter?.queryParts(of: word.folded) {
            parts = termsOf(known)
            groups += found(parts, weight: Self.weights.queryPart)
        }
        groups += found(termsOf(synonyms.words(for: word.terms + parts.flatMap { $0 })), weight: Self.weights.synonym)
        guard groups.isEmpty else { return groups }
        let near = word.folded.count < 5 ? [] : Set(word.terms.flatMap(nearMisses))
        if !near.isEmpty { groups.append(near.sorted().map { ($0, Self.weights.nearMiss) }) }
        // A misspelt everyday word still reaches what its synonym stands for.
        let misspelt = word.terms.flatMap { synonyms.nearSources(of: $0) }
        return groups + found(termsOf(synonyms.words(for: misspelt)), weight: Self.weights.nearMiss)
    }

    /// A Dutch separable verb's two halves joined again ("lachen … uit": "uitlachen"), when the index
    /// or the synonyms know the whole.
    func separableVerbs(in words: [Analyzer.Word]) -> [Alternatives] {
        let particles = words.filter { Analyzer.separableParticles.contains($0.folded) }
        let verbs = words.filter { $0.folded.count >= 3 && !Analyzer.separableParticles.contains($0.folded) }
        return particles.flatMap { particle in
            verbs.flatMap { verb in
                let joined = particle.folded + verb.folded
                let terms = analyzer.terms(joined, folded: joined)
                return found([terms], weight: Self.weights.synonym)
                    + found(termsOf(synonyms.words(for: terms)), weight: Self.weights.synonym)
            }
        }
    }

    /// One group per word's terms that the index holds, each term at `weight`.
    func found(_ words: [[String]], weight: Double) -> [Alternatives] {
        words.compactMap { terms in
            let held = terms.filter { postings[$0] != nil }
            return held.isEmpty ? nil : held.map { ($0, weight) }
        }
    }

    func termsOf(_ words: [String]) -> [[String]] { words.map { analyzer.terms($0, folded: Tokenizer.fold($0)) } }

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
}
