import Foundation

/// What a counsellor registers about a case for the yearly report, in the categories practice
/// counts (no official template exists): never names, initials or exact dates. Kept apart from the
/// case content so that it outlives the purge.
public struct Registration: Sendable, Equatable, Codable {
    /// The taxonomy's words, named here too because the registration's fields read best with them.
    public typealias OtherParty = VertrouwdCore.OtherParty
    public typealias Pattern = VertrouwdCore.Pattern

    /// What came of it. Referrals are outcomes; there is no "investigated", "ruled" or "mediated by
    /// the counsellor": a counsellor supports, advises and refers.
    public enum Outcome: String, Sendable, CaseIterable, Codable {
        case listened = "opvang"
        case advice = "advies"
        case solvedThemselves = "zelf-opgelost"
        case referralHR = "verwezen-hr"
        case referralCompanyDoctor = "verwezen-bedrijfsarts"
        case referralMediation = "verwezen-mediation"
        case referralPolice = "verwezen-politie"
        case referralWhistleblowerAuthority = "verwezen-huis-klokkenluiders"
        case formalComplaintSupport = "klacht-begeleid"
        case wbkReportSupport = "melding-begeleid"
        case none = "geen"
    }

    public var kinds: [Kind]
    public var otherParty: OtherParty
    public var pattern: Pattern
    public var outcomes: [Outcome]
    /// Conversations, calls and messages with the person.
    public var contacts: Int
    /// Time spent, in quarter hours (so 1.25 hours is 5).
    public var quarterHours: Int

    public init(kinds: [Kind], otherParty: OtherParty, pattern: Pattern, outcomes: [Outcome], contacts: Int, quarterHours: Int) {
        self.kinds = kinds
        self.otherParty = otherParty
        self.pattern = pattern
        self.outcomes = outcomes
        self.contacts = contacts
        self.quarterHours = quarterHours
    }

    public static let maximumContacts = 500
    public static let maximumHours = 500

    /// The problems with raw form values, as catalog keys per field; nil problems and a
    /// registration when everything is valid.
    public static func parse(
        kinds: [String], otherParty: String?, pattern: String?, outcomes: [String], contacts: String?, hours: String?
    ) -> (Registration?, [String: String]) {
        var problems: [String: String] = [:]
        let parsedKinds = Kind.allCases.filter { kinds.contains($0.rawValue) }
        if parsedKinds.isEmpty { problems["kinds"] = "registration.error.kinds" }
        let party = otherParty.flatMap(OtherParty.init(rawValue:))
        if party == nil { problems["other_party"] = "registration.error.choice" }
        let parsedPattern = pattern.flatMap(Pattern.init(rawValue:))
        if parsedPattern == nil { problems["pattern"] = "registration.error.choice" }
        let parsedOutcomes = Outcome.allCases.filter { outcomes.contains($0.rawValue) }
        if parsedOutcomes.isEmpty { problems["outcomes"] = "registration.error.outcomes" }
        if parsedOutcomes.contains(.none) && parsedOutcomes.count > 1 { problems["outcomes"] = "registration.error.none_alone" }
        let count = Int((contacts ?? "").trimmingCharacters(in: .whitespaces))
        if !(count.map { (1...maximumContacts).contains($0) } ?? false) { problems["contacts"] = "registration.error.contacts" }
        let quarters = quarterHours(from: hours ?? "")
        if quarters == nil { problems["hours"] = "registration.error.hours" }
        guard problems.isEmpty, let party, let parsedPattern, let count, let quarters else { return (nil, problems) }
        // `parsedOutcomes` is already in the order of `Outcome.allCases`: it was filtered from it.
        return (
            Registration(
                kinds: parsedKinds, otherParty: party, pattern: parsedPattern, outcomes: parsedOutcomes, contacts: count,
                quarterHours: quarters), [:]
        )
    }

    /// "1,5", "1.5", "2" or "0,25" hours, rounded up to a quarter; 0 to `maximumHours`.
    public static func quarterHours(from text: String) -> Int? {
        let normalised = text.trimmingCharacters(in: .whitespaces).replacingOccurrences(of: ",", with: ".")
        guard !normalised.isEmpty, normalised.allSatisfy({ $0.isNumber || $0 == "." }),
            normalised.filter({ $0 == "." }).count <= 1, let hours = Double(normalised), hours >= 0, hours <= Double(maximumHours)
        else { return nil }
        return Int((hours * 4).rounded(.up))
    }

    /// Hours as a person writes them: "1,25" in Dutch, "1.25" in English.
    public func hours(decimalSeparator: String) -> String {
        let whole = quarterHours / 4
        let fraction = ["", "25", "5", "75"][quarterHours % 4]
        return fraction.isEmpty ? String(whole) : "\(whole)\(decimalSeparator)\(fraction)"
    }
}
