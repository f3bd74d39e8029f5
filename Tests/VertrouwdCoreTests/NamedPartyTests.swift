import Foundation
import Testing

@testable import VertrouwdCore

@Suite("Named parties: normalisation, keyed digests, matching")
struct NamedPartyTests {
    let acme = UUID()
    let secret = Array(repeating: UInt8(7), count: 32)

    func keys(_ organisation: UUID? = nil) -> PartyKeys { PartyKeys(instanceSecret: secret, organisationID: organisation ?? acme) }

    func matches(_ lhs: NamedParty, _ rhs: NamedParty, keys: PartyKeys? = nil, other: PartyKeys? = nil) -> Bool {
        StoredIdentifier.match((keys ?? self.keys()).digests(lhs), (other ?? keys ?? self.keys()).digests(rhs))
    }

    @Test(
        "Dutch names written differently are the same person",
        arguments: [
            ("Jan de Vries", "jan de vries"), ("Jan de Vries", "JAN  DE   VRIES"), ("Jan de Vries", "de Vries, Jan"),
            ("Jan de Vries", "Vries, Jan de"), ("Jan de Vries", "dhr. Jan de Vries"), ("Jan de Vries", "Jan De Vriës"),
            ("Jan de Vries", "J. de Vries"), ("Jan de Vries", "Vries, J. de"), ("Jan van der Berg", "J. van der Berg"),
            ("Jan-Pieter van 't Hek", "J.P. van ’t Hek"), ("Özlem Yılmaz-de Boer", "ozlem yilmaz-de boer"),
            ("Anne-Marie Jansen", "anne-marie jansen"), ("Søren Ærø", "Soren Aero"), ("mr. drs. Kees 's-Gravesande", "Kees 's-Gravesande"),
            ("Jan de Vries", "J.T. de Vries"), ("Anna Jansen", "A.D. Jansen"), ("Jan de Vries", "De heer J. de Vries"),
            ("Jan de Vries", "Jan de Vries MSc"), ("Paolo d'Ancona", "P. d’Ancona"),
        ])
    func sameName(_ pair: (String, String)) {
        #expect(matches(NamedParty(name: pair.0), NamedParty(name: pair.1)), "\(pair)")
    }

    @Test(
        "Different people stay apart",
        arguments: [
            ("Jan de Vries", "Joost de Vries"), ("Jan de Vries", "Jan de Vries-Jansen"), ("Jan de Vries", "Jan Vries"),
            ("Jan de Vries", "Jan van Vries"), ("Jan de Vries", "Jan"), ("de Vries", "Jan de Vries"), ("Jan de Vries", "J. de Graaf"),
        ])
    func differentName(_ pair: (String, String)) {
        #expect(!matches(NamedParty(name: pair.0), NamedParty(name: pair.1)), "\(pair)")
    }

    @Test func namesAreParsedIntoGivenNamesAndSurname() throws {
        let name = try #require(DutchName("Vries, J.P. de"))
        #expect(name.givenNames == ["j", "p"] && name.surname == "de vries" && name.isInitialsOnly)
        let initials = try #require(DutchName("J.T. de Vries"))
        #expect(initials.givenNames == ["j", "t"] && initials.surname == "de vries", "a T is an initial, not 't")
        let apostrophe = try #require(DutchName("Kees van 't Hek"))
        #expect(apostrophe.surname == "van 't hek")
        let strongest = StoredIdentifier.strongestMatch(
            keys().digests(NamedParty(name: "J. de Vries", email: "j@acme.nl")),
            keys().digests(NamedParty(name: "Jan de Vries", email: "j@acme.nl")))
        #expect(strongest == .email)
        let double = try #require(DutchName("Fatima el Amrani-van Dijk"))
        #expect(double.givenNames == ["fatima"] && double.surname == "el amrani-van dijk")
        #expect(DutchName("Jan") == nil && DutchName("  ") == nil && DutchName("van de") == nil)
    }

    @Test func workAddressesMatchWhateverTheirSpelling() {
        for (a, b) in [
            ("jan.devries@acme.nl", "Jan.DeVries@ACME.NL"), ("jan.devries@acme.nl", "jan.devries+hr@acme.nl"),
            ("jan.devries@acme.nl", " mailto:<jan.devries@acme.nl> "),
        ] {
            #expect(matches(NamedParty(email: a), NamedParty(email: b)), "\(a) \(b)")
        }
        #expect(!matches(NamedParty(email: "jan.devries@acme.nl"), NamedParty(email: "j.devries@acme.nl")))
        for invalid in ["jan", "jan@", "@acme.nl", "jan@acme", "jan de vries@acme.nl", "+x@acme.nl", "a@b@c.nl"] {
            #expect(NamedParty.canonicalEmail(invalid) == nil, "\(invalid)")
        }
    }

    @Test func aRoleMatchesOnlyWithinItsTeam() {
        let lead = NamedParty(role: "Teamleider", team: "Inkoop-Zuid")
        #expect(matches(lead, NamedParty(role: " teamleider ", team: "inkoop zuid")))
        #expect(!matches(lead, NamedParty(role: "Teamleider", team: "Inkoop-Noord")))
        #expect(!matches(NamedParty(role: "Teamleider"), NamedParty(role: "Teamleider")), "a role alone names no one")
    }

    @Test func anyOneIdentifierInCommonIsAMatch() {
        let first = NamedParty(name: "Jan de Vries", email: "jan@acme.nl")
        #expect(matches(first, NamedParty(name: "Piet Bakker", email: "jan@acme.nl")))
        #expect(!matches(first, NamedParty(name: "Piet Bakker", email: "piet@acme.nl")))
        #expect(!matches(NamedParty(), NamedParty()) && NamedParty(name: " ").isEmpty)
    }

    @Test func digestsDependOnTheOrganisationAndTheSecretAndHideTheName() {
        let party = NamedParty(name: "Jan de Vries", email: "jan.devries@acme.nl")
        let other = keys(UUID())
        #expect(!matches(party, party, keys: keys(), other: other), "the same name in two organisations never matches")
        let otherSecret = PartyKeys(instanceSecret: Array(repeating: 8, count: 32), organisationID: acme)
        #expect(!matches(party, party, keys: keys(), other: otherSecret))
        let digests = keys().digests(party)
        #expect(digests.map(\.kind) == [.name, .initialAndSurname, .email])
        #expect(Set(digests.map(\.digest)).count == 3 && digests.allSatisfy { $0.digest.count == 64 })
        // The same value under another kind is another digest: a name never meets an address.
        #expect(keys().digest(PartyIdentifier(kind: .name, value: "x")) != keys().digest(PartyIdentifier(kind: .email, value: "x")))
    }

    @Test func theConsentStateMachineLinksOnlyWhatBothChose() throws {
        let choices = MatchConsent.Choice.allCases
        // Every state either side can be in, and every step either side can take from it.
        for first in choices {
            for second in choices {
                let state = MatchConsent(first: first, second: second)
                let link = state.link
                #expect(link.counsellorsMayTalk == (first >= .talk && second >= .talk), "\(first) \(second)")
                #expect((link == .together) == (first == .together && second == .together))
                #expect((link == .waiting) == ((first == .undecided || second == .undecided) && first != .separate && second != .separate))
                #expect((link == .separate) == (first == .separate || second == .separate))
                for side in MatchConsent.Side.allCases {
                    for choice in choices {
                        var next = state
                        if choice == .undecided {
                            #expect(throws: MatchConsent.Refusal.notAChoice) { try next.choose(choice, for: side) }
                            #expect(next == state, "a refused step changes nothing")
                            continue
                        }
                        try next.choose(choice, for: side)
                        #expect(next.choice(of: side) == choice)
                        let otherSide: MatchConsent.Side = side == .first ? .second : .first
                        #expect(next.choice(of: otherSide) == state.choice(of: otherSide), "one side never decides for the other")
                        if choice == .separate { #expect(next.link == .separate, "withdrawing stops the sharing at once") }
                        if state.choice(of: otherSide) == .undecided { #expect(!next.link.counsellorsMayTalk) }
                    }
                }
            }
        }
    }

    @Test func threeCasesAboutOneUnitWithinSixMonthsRaiseASignal() {
        let now = Date(timeIntervalSince1970: 1_790_000_000)
        let day: TimeInterval = 86_400
        let cases: [(unit: String, receivedAt: Date)] = [
            ("Magazijn", now.addingTimeInterval(-10 * day)), ("Magazijn", now.addingTimeInterval(-90 * day)),
            ("Magazijn", now.addingTimeInterval(-170 * day)), ("Kantoor", now.addingTimeInterval(-5 * day)),
            ("Kantoor", now.addingTimeInterval(-6 * day)), ("Kantoor", now.addingTimeInterval(-200 * day)), ("", now),
        ]
        #expect(UnitSignals.signals(cases, now: now) == [UnitSignals.Signal(unit: "Magazijn", cases: 3)])
        #expect(UnitSignals.signals(cases, now: now.addingTimeInterval(20 * day)).isEmpty, "the oldest falls out of the window")
    }
}
