import Foundation

/// Every text a person reads, in every language, loaded from `Resources/Localization/<code>.json`.
///
/// Keys are dotted (`login.title`); values may hold numbered placeholders `{0}`, `{1}` that are
/// filled in at render time. Swift code refers to keys only, never to the texts themselves.
public struct Catalog: Sendable {
    public enum Failure: Error, CustomStringConvertible {
        case unreadable(Language, String)

        public var description: String {
            switch self {
            case .unreadable(let language, let reason): "translations for \(language.code) unreadable: \(reason)"
            }
        }
    }

    private let texts: [Language: [String: String]]

    public init(texts: [Language: [String: String]]) {
        self.texts = texts
    }

    /// Loads one JSON object of key → text per language from `directory`.
    public static func load(from directory: URL) throws -> Catalog {
        var texts: [Language: [String: String]] = [:]
        for language in Language.allCases {
            let file = directory.appendingPathComponent("\(language.code).json")
            do {
                let data = try Data(contentsOf: file)
                texts[language] = try JSONDecoder().decode([String: String].self, from: data)
            } catch {
                throw Failure.unreadable(language, String(describing: error))
            }
        }
        return Catalog(texts: texts)
    }

    public func keys(for language: Language) -> Set<String> {
        Set(texts[language]?.keys ?? [:].keys)
    }

    /// Keys present in some language but missing in another, per language.
    public func missingKeys() -> [Language: Set<String>] {
        let all = Language.allCases.reduce(into: Set<String>()) { $0.formUnion(keys(for: $1)) }
        var missing: [Language: Set<String>] = [:]
        for language in Language.allCases {
            let gap = all.subtracting(keys(for: language))
            if !gap.isEmpty { missing[language] = gap }
        }
        return missing
    }

    public func contains(_ key: String, in language: Language) -> Bool {
        texts[language]?[key] != nil
    }

    /// The text for `key`, with `{0}`, `{1}` … replaced by `arguments`. A missing key shows as the key
    /// itself, so a gap is visible on the page; the catalog test stops one from being shipped.
    public func text(_ key: String, in language: Language, _ arguments: [String] = []) -> String {
        guard var text = texts[language]?[key] ?? texts[.default]?[key] else { return key }
        for (index, argument) in arguments.enumerated() {
            text = text.replacingOccurrences(of: "{\(index)}", with: argument)
        }
        return text
    }
}
