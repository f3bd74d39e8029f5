import Foundation
import Vapor
import VertrouwdCore

/// Dates as people in the Netherlands read them, in the page's language. A `DateFormatter` is
/// costly to make, so there is one per language and style, made once (they are thread-safe for
/// formatting on the platforms Swift supports).
enum DateTexts {
    private static func make(_ language: Language, time: DateFormatter.Style) -> DateFormatter {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: language == .dutch ? "nl_NL" : "en_GB")
        formatter.timeZone = TimeZone(identifier: "Europe/Amsterdam")
        formatter.dateStyle = .long
        formatter.timeStyle = time
        return formatter
    }

    private static let moments = Dictionary(
        uniqueKeysWithValues: Language.allCases.map { ($0, make($0, time: .short)) })
    private static let days = Dictionary(uniqueKeysWithValues: Language.allCases.map { ($0, make($0, time: .none)) })

    /// A date and time: "7 december 2026 om 14:05".
    static func moment(_ date: Date, in language: Language) -> String {
        (moments[language] ?? make(language, time: .short)).string(from: date)
    }

    /// A day: "7 december 2026".
    static func day(_ date: Date, in language: Language) -> String {
        (days[language] ?? make(language, time: .none)).string(from: date)
    }
}

extension Request {
    /// A date and time in the page's language; empty for no date.
    func formatted(_ date: Date?) -> String {
        date.map { DateTexts.moment($0, in: language) } ?? ""
    }

    /// A day in the page's language.
    func formattedDay(_ date: Date) -> String {
        DateTexts.day(date, in: language)
    }
}
