import Fluent
import Foundation
import VertrouwdCore

/// One identifier of the person a case names, as its keyed digest only (`PartyKeys`); the words the
/// person typed are case content, encrypted like the rest.
final class NamedPartyDigest: Model, @unchecked Sendable {
    static let schema = "named_parties"

    @ID(key: .id) var id: UUID?
    @Field(key: "organisation_id") var organisationID: UUID
    @Field(key: "case_id") var caseID: UUID
    @Field(key: "kind") var kind: String
    @Field(key: "digest") var digest: String
    @Field(key: "initials_only") var initialsOnly: Bool
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?

    init() {}

    init(organisationID: UUID, caseID: UUID, kind: String, digest: String, initialsOnly: Bool) {
        self.organisationID = organisationID
        self.caseID = caseID
        self.kind = kind
        self.digest = digest
        self.initialsOnly = initialsOnly
    }
}

/// Two cases of one organisation that name the same person, and what each person chose about it
/// (`MatchConsent`). The first case is the one whose id sorts first, so a pair has one row.
final class PartyMatch: Model, @unchecked Sendable {
    static let schema = "party_matches"

    @ID(key: .id) var id: UUID?
    @Field(key: "organisation_id") var organisationID: UUID
    @Field(key: "first_case_id") var firstCaseID: UUID
    @Field(key: "second_case_id") var secondCaseID: UUID
    @Field(key: "first_choice") var firstChoice: String
    @Field(key: "second_choice") var secondChoice: String
    @Field(key: "found_at") var foundAt: Date
    @OptionalField(key: "first_decided_at") var firstDecidedAt: Date?
    @OptionalField(key: "second_decided_at") var secondDecidedAt: Date?
    /// The strongest kind of identifier the two cases share (`PartyIdentifier.Kind`).
    @Field(key: "matched_kind") var matchedKind: String
    /// Each case's counsellor confirmed that their person may be told. A person hears of a match
    /// only when both did: one made up to find out whether someone was named tells its maker nothing.
    @OptionalField(key: "first_confirmed_at") var firstConfirmedAt: Date?
    @OptionalField(key: "second_confirmed_at") var secondConfirmedAt: Date?

    init() {}

    init(organisationID: UUID, cases: (UUID, UUID), matchedKind: PartyIdentifier.Kind, foundAt: Date) {
        let ordered = cases.0.uuidString < cases.1.uuidString ? cases : (cases.1, cases.0)
        self.organisationID = organisationID
        self.firstCaseID = ordered.0
        self.secondCaseID = ordered.1
        self.firstChoice = MatchConsent.Choice.undecided.rawValue
        self.secondChoice = MatchConsent.Choice.undecided.rawValue
        self.foundAt = foundAt
        self.matchedKind = matchedKind.rawValue
    }

    var isConfirmedByBoth: Bool { firstConfirmedAt != nil && secondConfirmedAt != nil }

    func isConfirmed(by caseID: UUID) -> Bool { (caseID == firstCaseID ? firstConfirmedAt : secondConfirmedAt) != nil }

    var consent: MatchConsent {
        MatchConsent(
            first: MatchConsent.Choice(rawValue: firstChoice) ?? .undecided,
            second: MatchConsent.Choice(rawValue: secondChoice) ?? .undecided)
    }

    func side(of caseID: UUID) -> MatchConsent.Side { caseID == firstCaseID ? .first : .second }
    func other(than caseID: UUID) -> UUID { caseID == firstCaseID ? secondCaseID : firstCaseID }

    /// The same short reference on both counsellors' pages, to talk about the match by.
    var reference: String { String((id?.uuidString ?? "").prefix(8)) }
}

/// A mark of the person behind a case, keyed per organisation like named parties: the journal they
/// shared into it. Two cases with a mark in common are one person's, and never a match.
final class CasePersonMark: Model, @unchecked Sendable {
    static let schema = "case_person_marks"

    @ID(key: .id) var id: UUID?
    @Field(key: "organisation_id") var organisationID: UUID
    @Field(key: "case_id") var caseID: UUID
    @Field(key: "digest") var digest: String

    init() {}

    init(organisationID: UUID, caseID: UUID, digest: String) {
        self.organisationID = organisationID
        self.caseID = caseID
        self.digest = digest
    }
}
