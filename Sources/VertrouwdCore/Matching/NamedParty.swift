import Foundation

/// Who a person says a case is about, in the words they know the other party by at work: a name,
/// a work e-mail address, a role within a team. Each is reduced to a canonical form so that the same
/// person written differently gives the same key, and only keys are ever compared (`PartyKeys`).
public struct NamedParty: Codable, Sendable, Equatable {
    public var name: String
    public var email: String
    public var role: String
    public var team: String

    public init(name: String = "", email: String = "", role: String = "", team: String = "") {
        self.name = name
        self.email = email
        self.role = role
        self.team = team
    }

    public var isEmpty: Bool { [name, email, role, team].allSatisfy { $0.trimmingCharacters(in: .whitespaces).isEmpty } }

    /// The canonical forms that can be matched, one per kind.
    public var identifiers: [PartyIdentifier] {
        var result: [PartyIdentifier] = []
        if let parsed = DutchName(name) {
            if !parsed.isInitialsOnly { result.append(PartyIdentifier(kind: .name, value: parsed.full)) }
            result.append(PartyIdentifier(kind: .initialAndSurname, value: parsed.initialAndSurname, isInitialsOnly: parsed.isInitialsOnly))
        }
        if let address = Self.canonicalEmail(email) { result.append(PartyIdentifier(kind: .email, value: address)) }
        let role = Self.fold(role)
        let team = Self.fold(team)
        if !role.isEmpty, !team.isEmpty { result.append(PartyIdentifier(kind: .roleInTeam, value: "\(role)|\(team)")) }
        return result
    }

    /// Lower case, without diacritics, with punctuation other than letters and digits as spaces and
    /// whitespace collapsed: "  Teamleider   Inkoop-Zuid " and "teamleider inkoop zuid" are the same.
    public static func fold(_ text: String) -> String {
        // Letters that are not a base letter with a mark, so diacritic folding leaves them alone.
        let special: [Character: String] = [
            "ı": "i", "ł": "l", "Ł": "l", "ø": "o", "Ø": "o", "æ": "ae", "Æ": "ae", "ß": "ss", "đ": "d", "Đ": "d",
        ]
        let plain = String(text.flatMap { special[$0].map(Array.init) ?? [$0] })
        let folded = plain.precomposedStringWithCompatibilityMapping
            .folding(options: [.diacriticInsensitive, .caseInsensitive, .widthInsensitive], locale: Locale(identifier: "nl_NL"))
        let spaced = folded.map { $0.isLetter || $0.isNumber ? $0 : " " }
        return String(spaced).split(separator: " ").joined(separator: " ")
    }

    /// An e-mail address in the form that tells whether two addresses reach the same mailbox: lower
    /// case, without diacritics in the domain, without a "+tag" in the local part and without a
    /// `mailto:` in front. Nil for anything that is not an address.
    public static func canonicalEmail(_ text: String) -> String? {
        var address = text.trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
        if address.hasPrefix("mailto:") { address.removeFirst("mailto:".count) }
        address = address.trimmingCharacters(in: CharacterSet(charactersIn: "<>"))
        let parts = address.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, parts[1].contains("."), !parts[1].hasPrefix("."), !parts[1].hasSuffix("."),
            address.allSatisfy({ !$0.isWhitespace })
        else { return nil }
        let local = parts[0].split(separator: "+", maxSplits: 1, omittingEmptySubsequences: false)[0]
        guard !local.isEmpty else { return nil }
        let domain = String(parts[1]).folding(options: [.diacriticInsensitive], locale: nil)
        return "\(local)@\(domain)"
    }
}

/// One canonical identifier of a named party.
public struct PartyIdentifier: Sendable, Hashable {
    public enum Kind: String, Sendable, CaseIterable {
        /// Given names and surname in full: "jan de vries".
        case name
        /// The first initial with the surname, "j|de vries": lets "J. de Vries" meet "Jan de Vries".
        case initialAndSurname = "initial"
        case email
        /// A role within a team, both given: a role alone ("teamleider") names no one.
        case roleInTeam = "role"
    }

    public let kind: Kind
    public let value: String
    /// Only for `initialAndSurname`: the person gave initials only. Two full names with the same
    /// initial and surname ("Jan" and "Joost de Vries") are different people and do not match this way.
    public let isInitialsOnly: Bool

    public init(kind: Kind, value: String, isInitialsOnly: Bool = false) {
        self.kind = kind
        self.value = value
        self.isInitialsOnly = isInitialsOnly
    }
}

/// A Dutch name as people write it: "Jan de Vries", "J. de Vries", "de Vries, Jan", "Vries, J. de",
/// "dhr. J.P. van 't Hek", "Özlem Yılmaz-de Boer". Titles go; a comma means surname first; the
/// surname runs from the first tussenvoegsel after the given names (or is the last word).
public struct DutchName: Sendable, Equatable {
    public let givenNames: [String]
    public let surname: String

    static let titles: Set<String> = ["dhr", "mevr", "mw", "mevrouw", "meneer", "dr", "drs", "ir", "ing", "mr", "prof", "ds", "bc"]
    /// Titles written after the name.
    static let trailingTitles: Set<String> = ["msc", "ma", "ba", "bsc", "phd", "mba", "llm", "ra"]
    /// Tussenvoegsels. The one-letter ones exist only with their apostrophe ('t, 's, d', l'), which
    /// `words` keeps, so that initials ("J.T. de Vries") are never taken for them.
    static let particles: Set<String> = [
        "van", "de", "der", "den", "het", "'t", "ter", "ten", "te", "in", "op", "aan", "bij", "uit", "onder", "over", "voor", "tot",
        "la", "le", "du", "da", "di", "del", "della", "von", "zu", "'s", "d'", "l'", "el", "al", "vande", "vander",
    ]

    public init?(_ text: String) {
        let commaParts = text.split(separator: ",", maxSplits: 1).map(String.init)
        var tokens: [String]
        if commaParts.count == 2 {
            // "Vries, Jan de" / "de Vries, J.": the part after the comma holds the given names and
            // any tussenvoegsels, which belong before the surname.
            let surnamePart = Self.words(commaParts[0])
            let rest = Self.words(commaParts[1])
            let given = rest.prefix { !Self.particles.contains($0) }
            let trailing = rest.dropFirst(given.count)
            tokens = Array(given) + Array(trailing) + surnamePart
        } else {
            tokens = Self.words(text)
        }
        // "De heer" and "mevrouw" in front, titles before and after the name.
        if tokens.count > 2, tokens[0] == "de", tokens[1] == "heer" { tokens.removeFirst(2) }
        tokens = tokens.drop { Self.titles.contains($0) }.map { $0 }
        while let last = tokens.last, Self.trailingTitles.contains(last), tokens.count > 2 { tokens.removeLast() }
        guard tokens.count >= 2 else { return nil }
        // The surname starts at the first tussenvoegsel after a given name, or at a double name
        // ("Jansen-de Vries"), or is the last word. Initials written together ("J.P.") are separate given names.
        let start = tokens.indices.dropFirst().first {
            (Self.particles.contains(tokens[$0]) && $0 < tokens.count - 1) || tokens[$0].contains("-")
        }
        let split = start ?? tokens.count - 1
        let given = Array(tokens[..<split])
        let surname = tokens[split...].joined(separator: " ")
        guard !given.isEmpty, !surname.isEmpty, !given.allSatisfy({ Self.particles.contains($0) }) else { return nil }
        givenNames = given
        self.surname = surname
    }

    /// Folded words; a hyphenated part stays one word ("jansen-de", "anne-marie"); the tussenvoegsels
    /// with an apostrophe keep it ("'t", "'s", "d'" of "d'Ancona").
    static func words(_ text: String) -> [String] {
        let straight = text.replacingOccurrences(of: "’", with: "'").replacingOccurrences(of: "`", with: "'")
        return straight.split(whereSeparator: { $0.isWhitespace || $0 == "," }).flatMap { word -> [String] in
            let lower = word.lowercased()
            if lower == "'t" || lower == "'s" { return [lower] }
            for prefix in ["d'", "l'"] where lower.hasPrefix(prefix) && lower.count > 2 {
                return [prefix] + words(String(word.dropFirst(2)))
            }
            if lower.hasPrefix("'s-") { return ["'s"] + words(String(word.dropFirst(3))) }
            let parts = word.split(separator: "-").map { NamedParty.fold(String($0)).replacingOccurrences(of: " ", with: "") }
                .filter { !$0.isEmpty }
            guard parts.count > 1 else {
                return NamedParty.fold(String(word)).split(separator: " ").map(String.init)
            }
            return [parts.joined(separator: "-")]
        }
    }

    public var isInitialsOnly: Bool { givenNames.allSatisfy { $0.count == 1 } }
    public var full: String { (givenNames + [surname]).joined(separator: " ") }
    public var initialAndSurname: String { "\(givenNames[0].prefix(1))|\(surname)" }
}
