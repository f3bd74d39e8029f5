import Foundation

/// Light stemmers: enough to make "gepest", "pesterijen" and "pesten" meet at "pest", and "bullied",
/// "bullying" and "bullies" at "bulli". Deliberately simple and predictable; both the index and the
/// query go through the same function, so an odd stem still matches itself.
public enum Stemmer {
    public static func stem(_ word: String, language: Language) -> String {
        switch language {
        case .dutch: dutch(word)
        case .english: english(word)
        }
    }

    static let dutchSuffixes = ["erijen", "erij", "heden", "ingen", "ing", "elijk", "lijk", "ische", "isch", "en", "es", "e", "s"]

    static func dutch(_ input: String) -> String {
        var word = input
        // Past participles: ge-…-t / ge-…-d / ge-…-en ("gepest", "gemeld", "gesproken").
        if word.count > 5, word.hasPrefix("ge"), word.hasSuffix("t") || word.hasSuffix("d") || word.hasSuffix("en") {
            word = String(word.dropFirst(2))
        }
        for suffix in dutchSuffixes where word.hasSuffix(suffix) && word.count - suffix.count >= 3 {
            word = String(word.dropLast(suffix.count))
            break
        }
        // "pest" from "pesten" but also "stap" from "stappen": undouble a final consonant.
        if word.count > 3, let last = word.last, let before = word.dropLast().last, last == before, !"aeiou".contains(last) {
            word = String(word.dropLast())
        }
        return word
    }

    static func english(_ input: String) -> String {
        var word = input
        for (suffix, replacement) in [
            ("ies", "i"), ("ied", "i"), ("ying", "i"), ("ing", ""), ("ment", ""), ("ness", ""), ("ed", ""), ("es", ""), ("ly", ""),
            ("y", "i"), ("s", ""),
        ]
        where word.hasSuffix(suffix) && word.count - suffix.count >= 3 && !(suffix == "s" && word.hasSuffix("ss"))
            && !(suffix == "ly" && word.count < 6)
        {
            word = String(word.dropLast(suffix.count)) + replacement
            break
        }
        if word.count > 3, let last = word.last, let before = word.dropLast().last, last == before, !"aeiou".contains(last) {
            word = String(word.dropLast())
        }
        return word
    }
}

/// Splits text into lower-case, accent-free words.
public enum Tokenizer {
    public static func words(_ text: String) -> [String] {
        fold(text).split(whereSeparator: { !($0.isLetter || $0.isNumber) }).map(String.init)
    }

    public static func fold(_ text: String) -> String {
        text.folding(options: [.diacriticInsensitive, .caseInsensitive, .widthInsensitive], locale: nil).lowercased()
    }

    /// Words too common to mean anything in a search.
    static let stopWords: Set<String> = [
        "de", "het", "een", "en", "of", "in", "op", "te", "van", "voor", "met", "aan", "is", "je", "jij", "ik", "dat", "die", "dit",
        "er", "om", "bij", "als", "ook", "wat", "hoe", "zijn", "niet", "naar",
        "the", "a", "an", "and", "or", "of", "to", "in", "on", "for", "with", "is", "you", "your", "i", "that", "this", "it", "be", "as",
        "at", "what", "how",
    ]
}
