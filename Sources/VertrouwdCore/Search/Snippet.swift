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
