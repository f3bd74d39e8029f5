import Foundation

/// Light stemmers: enough to make "gepest", "pesterijen" and "pesten" meet at "pest", and "bullied",
/// "bullying" and "bullies" at "bulli". Deliberately simple and predictable; `Analyzer` uses them
/// beside Snowball's, which conflate more but part some Dutch forms these keep together.
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

/// Folds case, accents and width: "Geïntimideerd" and "geintimideerd" are the same to a search.
public enum Tokenizer {
    public static func fold(_ text: String) -> String {
        text.folding(options: [.diacriticInsensitive, .caseInsensitive, .widthInsensitive], locale: nil).lowercased()
    }
}
