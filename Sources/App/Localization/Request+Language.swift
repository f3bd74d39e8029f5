import Vapor
import VertrouwdCore

extension Request {
    private struct LanguageKey: StorageKey {
        typealias Value = ResolvedLanguage
    }

    struct ResolvedLanguage: Sendable {
        var language: Language
        /// True when the person chose it (cookie) or their browser asked for it (Accept-Language).
        var isPreference: Bool
    }

    static let languageCookie = "vertrouwd_lang"

    /// The language this response is written in.
    var language: Language {
        get { storage[LanguageKey.self]?.language ?? .default }
        set { storage[LanguageKey.self] = ResolvedLanguage(language: newValue, isPreference: true) }
    }

    var hasLanguagePreference: Bool { storage[LanguageKey.self]?.isPreference ?? false }

    /// Cookie first, then the browser's Accept-Language, then Dutch.
    func resolveLanguage() {
        if let cookie = cookies[Self.languageCookie]?.string, let chosen = Language(rawValue: cookie) {
            storage[LanguageKey.self] = ResolvedLanguage(language: chosen, isPreference: true)
        } else if let negotiated = Language.negotiate(acceptLanguage: headers.first(name: .acceptLanguage)) {
            storage[LanguageKey.self] = ResolvedLanguage(language: negotiated, isPreference: true)
        } else {
            storage[LanguageKey.self] = ResolvedLanguage(language: .default, isPreference: false)
        }
    }

    /// An organisation's default language applies when the person expressed no preference.
    func applyOrganisationLanguage(_ code: String) {
        guard !hasLanguagePreference, let language = Language(rawValue: code) else { return }
        storage[LanguageKey.self] = ResolvedLanguage(language: language, isPreference: false)
    }

    /// A text from the catalog in this request's language.
    func t(_ key: String, _ arguments: String...) -> String {
        vertrouwd.catalog.text(key, in: language, arguments)
    }
}
