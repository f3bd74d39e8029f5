/// Splits a Dutch compound into words the index knows: "milieuvervuiling" into "milieu" and
/// "vervuiling", "beroepsgeheim" into "beroep(s)" and "geheim", "pestgedrag" into "pest" and
/// "gedrag". The head (the right part) carries the meaning, so a query word whose head alone is known
/// still meets it; an article's words are split only when both parts are known.
struct CompoundSplitter: Sendable {
    static let linkingLetters = ["s", "en", "e"]
    static let shortestPart = 4
    static let shortestHead = 4

    /// Whether a folded word (or a word with those terms) occurs in the index on its own.
    let isKnown: @Sendable (String) -> Bool

    /// The parts of `folded` when both are known, else nil.
    func bothParts(of folded: String) -> [String]? {
        candidates(folded).compactMap { candidate in candidate.left.map { (parts: [$0, candidate.head], balance: candidate.balance) } }
            .max { $0.balance < $1.balance }?.parts
    }

    /// The parts a query word is searched by: both when both are known, else the longest known head
    /// (at least five letters) alone; nil when nothing is known.
    func queryParts(of folded: String) -> [String]? {
        if let both = bothParts(of: folded) { return both }
        return candidates(folded).filter { $0.head.count >= 5 }.max { $0.head.count < $1.head.count }.map { [$0.head] }
    }

    private func candidates(_ folded: String) -> [(left: String?, head: String, balance: Int)] {
        let letters = Array(folded)
        guard letters.count >= Self.shortestPart + Self.shortestHead else { return [] }
        var found: [(left: String?, head: String, balance: Int)] = []
        for cut in Self.shortestPart...(letters.count - Self.shortestHead) {
            let head = String(letters[cut...])
            guard isKnown(head) else { continue }
            let left = String(letters[..<cut])
            let known = ([left] + Self.linkingLetters.compactMap { left.hasSuffix($0) ? String(left.dropLast($0.count)) : nil })
                .first { $0.count >= Self.shortestPart && isKnown($0) }
            found.append((known, head, min(left.count, head.count)))
        }
        return found
    }
}
