import Foundation

/// The register of Dutch bodies outside the organisation that a person can turn to (police, 113,
/// Centrum Seksueel Geweld, College voor de Rechten van de Mens, Huis voor Klokkenluiders, the Wbk
/// authorities …), loaded from `Resources/Guide/external-bodies.json`. The guide uses an entry as the
/// route `body:<id>`. Every entry carries the day it was last checked.
public struct ExternalBody: Sendable, Decodable {
    public let id: String
    public let name: LocalizedText
    /// What it is for and when it fits.
    public let text: LocalizedText
    /// How to reach it, whether it is free, whether anonymous contact is possible, in words.
    public let reach: LocalizedText
    /// The route's link: `tel:<number>`, `https://…` or `article:<slug>`.
    public let link: String
    public let phone: String?
    public let site: String?
    public let free: Bool
    public let anonymous: Bool
    /// `yyyy-MM-dd`.
    public let checked: String

    public var checkedDate: Date? {
        let parts = checked.split(separator: "-").compactMap { Int($0) }
        guard parts.count == 3 else { return nil }
        return FormalReportDeadlines.calendar.date(from: DateComponents(year: parts[0], month: parts[1], day: parts[2]))
    }

    /// The guide route this entry becomes.
    public var route: GuideDefinition.Route {
        GuideDefinition.Route(
            title: name, text: LocalizedText(nl: text.nl + " " + reach.nl, en: text.en + " " + reach.en), link: link)
    }

    public static func load(from file: URL) throws -> [ExternalBody] {
        struct Register: Decodable { let bodies: [ExternalBody] }
        return try JSONDecoder().decode(Register.self, from: Data(contentsOf: file)).bodies
    }
}

extension GuideDefinition {
    /// The definition with every external body as the route `body:<id>`.
    public func adding(_ bodies: [ExternalBody]) -> GuideDefinition {
        var copy = self
        for body in bodies { copy.routes["body:\(body.id)"] = body.route }
        return copy
    }
}
