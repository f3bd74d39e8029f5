import Foundation

/// The languages Vertrouwd speaks. Dutch first: it is the default wherever nothing says otherwise.
public enum Language: String, Sendable, CaseIterable, Codable {
    case dutch = "nl"
    case english = "en"

    public static let `default`: Language = .dutch

    public var code: String { rawValue }

    /// The language the switch on every page offers.
    public var other: Language { self == .dutch ? .english : .dutch }

    public init?(code: String) {
        let primary = code.lowercased().split(separator: "-").first.map(String.init) ?? ""
        self.init(rawValue: primary)
    }

    /// Picks the best supported language from an `Accept-Language` header (RFC 9110 §12.5.4).
    public static func negotiate(acceptLanguage header: String?) -> Language? {
        guard let header, !header.isEmpty else { return nil }
        var best: (language: Language, quality: Double, order: Int)?
        for (order, item) in header.split(separator: ",").prefix(32).enumerated() {
            let parts = item.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
            guard let tag = parts.first, let language = Language(code: tag) else { continue }
            var quality = 1.0
            for parameter in parts.dropFirst() where parameter.hasPrefix("q=") {
                quality = Double(parameter.dropFirst(2)) ?? 0
            }
            guard quality > 0 else { continue }
            let better = best.map { quality > $0.quality || (quality == $0.quality && order < $0.order) } ?? true
            if better {
                best = (language, quality, order)
            }
        }
        return best?.language
    }
}
