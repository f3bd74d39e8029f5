import Foundation

/// How text becomes index terms, the same for articles and queries. Each word gives its Snowball stem
/// and its light stem (`Stemmer`), accents folded after stemming, and in Dutch the light stem of a
/// variant form (`dutchVariant`). Snowball conflates
/// more ("discriminatie" with "gediscrimineerd"), the light stemmer keeps what Snowball's Dutch rules
/// split apart ("melden" → mel, "melding" → meld; "gepest" → pes, "pesten" → pest); a query word
/// matches an article through whichever of its terms the article has.
public struct Analyzer: Sendable {
    public let language: Language

    public init(language: Language) { self.language = language }

    /// A word as written, lower-cased, with its terms; stop words have none.
    public struct Word: Sendable {
        public let text: String
        public let folded: String
        public let terms: [String]
    }

    public func words(_ text: String) -> [Word] {
        text.lowercased().split(whereSeparator: { !($0.isLetter || $0.isNumber) }).map { token in
            let word = String(token)
            let folded = Tokenizer.fold(word)
            let stop = StopWords.contains(folded, language: language)
            return Word(text: word, folded: folded, terms: stop ? [] : terms(word, folded: folded))
        }
    }

    /// The distinct terms of one lower-case word.
    public func terms(_ word: String, folded: String) -> [String] {
        let snowball: String
        switch language {
        case .dutch: snowball = Self.undoubleVowels(Tokenizer.fold(SnowballDutch.stem(word)))
        case .english: snowball = Tokenizer.fold(SnowballEnglish.stem(word))
        }
        let light = Stemmer.stem(folded, language: language)
        var terms = snowball == light ? [snowball] : [snowball, light]
        if language == .dutch, let variant = Self.dutchVariant(of: folded) {
            let stem = Stemmer.stem(variant, language: .dutch)
            if !terms.contains(stem) { terms.append(stem) }
        }
        return terms
    }

    /// A form of a Dutch word as its other forms have it, for what neither stemmer conflates: a verb's
    /// third person ("dreigt", "scheldt" beside "dreigen", "schelden"), and the spoken spelling of
    /// "-isch" ("racistiese" for "racistische").
    static func dutchVariant(of folded: String) -> String? {
        if folded.count >= 6, folded.hasSuffix("iese") { return String(folded.dropLast(4)) + "ische" }
        if folded.count >= 7, folded.hasSuffix("ies") { return String(folded.dropLast(3)) + "isch" }
        if folded.count >= 5, folded.hasSuffix("t"), !folded.hasSuffix("tt") { return String(folded.dropLast()) }
        return nil
    }

    public func terms(of text: String) -> [[String]] { words(text).map(\.terms).filter { !$0.isEmpty } }

    /// Snowball's Dutch stems keep a long vowel doubled in some forms and not in others
    /// ("discriminatie" → discrimineer, "discrimineren" → discriminer); one vowel for both.
    static func undoubleVowels(_ stem: String) -> String {
        var result = ""
        for character in stem where !(result.last == character && "aeou".contains(character)) { result.append(character) }
        return result
    }

    /// Dutch separable verbs come apart in a sentence: "ze lachen me uit" is "uitlachen", "hoe houd
    /// ik bij" is "bijhouden", "hij valt me lastig" is "lastigvallen". The particles that do this.
    static let separableParticles: Set<String> = [
        "uit", "aan", "op", "af", "bij", "buiten", "door", "mee", "weg", "terug", "na", "toe", "in", "om", "over", "voor", "lastig",
        "neer", "vast", "vol", "samen",
    ]
}

/// Words too common to mean anything in a search, folded, per language ("die" is Dutch for "that").
enum StopWords {
    static func contains(_ folded: String, language: Language) -> Bool {
        switch language {
        case .dutch: dutch.contains(folded)
        case .english: english.contains(folded)
        }
    }

    static let dutch: Set<String> = [
        "de", "het", "een", "en", "of", "in", "op", "te", "van", "voor", "met", "aan", "is", "je", "jij", "ik", "dat", "die", "dit",
        "er", "om", "bij", "als", "ook", "wat", "hoe", "zijn", "niet", "naar", "me", "mij", "mijn", "m", "n", "ze", "zij", "hij",
        "we", "wij", "u", "uw", "hun", "hem", "haar", "ons", "onze", "jullie", "jouw", "wel", "nog", "maar", "dan", "al", "toen",
        "was", "waren", "word", "wordt", "worden", "werd", "werden", "ben", "bent", "heb", "hebt", "heeft", "hebben", "had",
        "kan", "kun", "kunt", "kunnen", "moet", "moeten", "mag", "zal", "zou", "door", "over", "uit", "tot", "tegen", "geen",
        "men", "deze", "daar", "hier", "waar", "wie", "zo", "nu", "iets", "iemand", "ga", "gaat", "heel", "erg", "steeds",
        "iedereen", "altijd", "vaak", "alle", "allemaal", "weer", "soms", "meer", "wil", "wilt", "willen", "veel", "echt", "gewoon",
        "s", "t", "m", "n", "d",
    ]

    static let english: Set<String> = [
        "the", "a", "an", "and", "or", "of", "to", "in", "on", "for", "with", "is", "you", "your", "i", "that", "this", "it", "be",
        "as", "at", "what", "how", "my", "me", "mine", "he", "she", "they", "them", "we", "our", "us", "his", "her", "their", "am",
        "are", "was", "were", "been", "do", "does", "did", "can", "could", "will", "would", "should", "have", "has", "had", "not",
        "no", "but", "by", "from", "about", "so", "if", "when", "who", "which", "there", "then", "than", "into", "up", "out", "s",
        "t",
    ]
}
