import Fluent
import FluentKit
import Vapor
import VertrouwdCore

/// The four fields in which a person may name who their case is about, on the contact and report
/// forms and later in the inbox.
struct NamedPartyFields: Codable {
    var party_name: String?
    var party_email: String?
    var party_role: String?
    var party_team: String?

    static let maximumLength = 200

    var party: NamedParty {
        NamedParty(
            name: (party_name ?? "").cleanedInput, email: (party_email ?? "").cleanedInput, role: (party_role ?? "").cleanedInput,
            team: (party_team ?? "").cleanedInput)
    }

    var errors: [FieldError] {
        var errors: [FieldError] = []
        let party = self.party
        for (field, value) in [
            ("party_name", party.name), ("party_email", party.email), ("party_role", party.role), ("party_team", party.team),
        ]
        where value.count > Self.maximumLength {
            errors.append(FieldError(field: field, key: "contact.error.too_long"))
        }
        if !party.email.isEmpty, NamedParty.canonicalEmail(party.email) == nil {
            errors.append(FieldError(field: "party_email", key: "party.error.email"))
        }
        return errors
    }
}

/// What a case's counsellor sees of one match.
struct CaseMatchView: Encodable {
    let id: String
    let reference: String
    /// What the two cases share: "match.kind.email" and so on.
    let kindKey: String
    let linkKey: String
    /// This counsellor confirmed that their person may be told; both did.
    let confirmedByYou: Bool
    let confirmedByBoth: Bool
    let mayTalk: Bool
    let otherCounsellors: String
}

/// What the person sees of their case's matches (only those both counsellors confirmed), and the
/// choice they can make.
struct PersonMatchesView: Encodable {
    struct Option: Encodable {
        let value: String
        let labelKey: String
        let hintKey: String
        let checked: Bool
    }

    let hasMatches: Bool
    /// A match the person has not answered yet (a new one, or the first).
    let needsChoice: Bool
    let options: [Option]
    /// Both sides of at least one match allow their counsellors to talk.
    let talking: Bool
    let together: Bool
    /// The person allowed more than "separate" and waits for the other side.
    let waiting: Bool

    static let none = PersonMatchesView(hasMatches: false, needsChoice: false, options: [], talking: false, together: false, waiting: false)
}

extension PartyMatcher {
    /// Reads only: the page that shows a case runs `findMatches` first (a write, kept out of here).
    func caseViews(for caseID: UUID) async throws -> [CaseMatchView] {
        var views: [CaseMatchView] = []
        for match in try await matches(of: caseID) {
            let link = match.consent.link
            let others = link.counsellorsMayTalk ? try await counsellorNames(of: match.other(than: caseID)).joined(separator: ", ") : ""
            views.append(
                CaseMatchView(
                    id: match.id?.uuidString ?? "", reference: match.reference, kindKey: "match.kind.\(match.matchedKind)",
                    linkKey: match.isConfirmedByBoth ? "match.link.\(link.rawValue)" : "match.link.unconfirmed",
                    confirmedByYou: match.isConfirmed(by: caseID), confirmedByBoth: match.isConfirmedByBoth,
                    mayTalk: link.counsellorsMayTalk, otherCounsellors: others))
        }
        return views
    }

    /// Reads only, like `caseViews`.
    func personView(for caseID: UUID) async throws -> PersonMatchesView {
        let matches = try await matches(of: caseID).filter(\.isConfirmedByBoth)
        guard !matches.isEmpty else { return .none }
        let own = matches.map { $0.consent.choice(of: $0.side(of: caseID)) }
        let links = matches.map { $0.consent.link }
        // The choice shown as made: the one of the latest decision, if every match has one.
        let current = own.contains(.undecided) ? nil : own.last
        let options = [MatchConsent.Choice.separate, .talk, .together].map {
            PersonMatchesView.Option(
                value: $0.rawValue, labelKey: "match.choice.\($0.rawValue)", hintKey: "match.choice.\($0.rawValue).hint",
                checked: $0 == current)
        }
        return PersonMatchesView(
            hasMatches: true, needsChoice: own.contains(.undecided), options: options,
            talking: links.contains { $0.counsellorsMayTalk }, together: links.contains(.together),
            waiting: zip(own, links).contains { $0.0 >= .talk && $0.1 == .waiting })
    }
}

extension Request {
    /// A nudge to the people behind cases that a new case was just found to name the same person as.
    func notifyPeople(matchedWith caseIDs: [UUID]) async {
        for caseID in caseIDs {
            do {
                guard let record = try await CaseRecord.find(caseID, on: db) else { continue }
                await notifyPerson(of: record)
            } catch {
                // A nudge is a courtesy: the match stands without it, so the request goes on.
                logger.warning("match nudge not queued", metadata: ["error": .string(String(reflecting: type(of: error)))])
            }
        }
    }
}
