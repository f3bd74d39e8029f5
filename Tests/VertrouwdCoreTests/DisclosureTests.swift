import Foundation
import Testing

@testable import VertrouwdCore

@Suite("Yearly report: disclosure control")
struct DisclosureTests {
    static func facts(
        _ count: Int, party: Registration.OtherParty = .colleague, pattern: Registration.Pattern = .repeated,
        kinds: [Kind] = [.bullying], outcomes: [Registration.Outcome] = [.advice], quarter: Int = 1
    ) -> [RegistrationFacts] {
        (0..<count).map { _ in
            RegistrationFacts(
                quarter: quarter, isReport: false,
                registration: Registration(
                    kinds: kinds, otherParty: party, pattern: pattern, outcomes: outcomes, contacts: 2, quarterHours: 4))
        }
    }

    static func publish(_ registrations: [RegistrationFacts], earlier: [PublishedYearlyReport] = []) throws -> PublishedYearlyReport {
        try Disclosure.publish(YearFigures.tally(registrations), earlier: earlier)
    }

    @Test func fewerThanFivePeopleShowOnlyThat() throws {
        let report = try Self.publish(Self.facts(3))
        #expect(report.cases == .small)
        #expect(report.tables.isEmpty && report.contacts == nil && report.hours == nil && report.quarters == nil)
        #expect(try Self.publish([]).cases == .count(0))
    }

    @Test func aSingleSmallCellIsJoinedByTheSmallestOtherSoTheTotalCannotGiveItAway() throws {
        let registrations = Self.facts(12, party: .colleague) + Self.facts(7, party: .manager) + Self.facts(2, party: .unknown)
        let cells = try #require(try Self.publish(registrations).table(.otherParty)?.cells)
        #expect(cells == [.hidden, .count(12), .count(0), .count(0), .small])
    }

    @Test func aBreakdownThatCannotBeProtectedIsWithheld() throws {
        // Six people, five with a colleague and one with a manager: whatever is hidden, 6 = 5 + 1.
        let registrations = Self.facts(5, party: .colleague) + Self.facts(1, party: .manager)
        let report = try Self.publish(registrations)
        #expect(report.cases == .count(6))
        #expect(report.table(.otherParty)?.cells == nil)
        #expect(report.partyByPattern == nil)
    }

    @Test func kindsThatMustCoverEveryoneCannotPinTwoSmallCells() throws {
        // Eight people, four about bullying and four about intimidation: each at least one kind, so
        // two "< 5" cells would have to be 4 and 4. The breakdown is withheld.
        let registrations = Self.facts(4, kinds: [.bullying]) + Self.facts(4, kinds: [.intimidation])
        #expect(try Self.publish(registrations).table(.kind)?.cells == nil)
    }

    @Test func noneStandsAloneSoItsSmallCountIsProtectedFromTheLargestOutcome() throws {
        // Ten people, nine advised and one with no outcome: "advice ≤ 10 − none" would pin none at 1.
        let registrations = Self.facts(9, outcomes: [.advice]) + Self.facts(1, outcomes: [.none])
        let cells = try #require(try Self.publish(registrations).table(.outcome)?.cells)
        let outcomes = Breakdown.outcome.categories
        #expect(cells[outcomes.firstIndex(of: "geen")!] == .small)
        #expect(cells[outcomes.firstIndex(of: "advies")!] == .hidden)
        var attacker = DifferencingAttacker()
        let version = attacker.observe(try Self.publish(registrations))
        let recovered = attacker.recovered(attacker.hiddenCells(of: version))
        #expect(recovered.isEmpty)
    }

    @Test func quartersOnlyWhenEveryQuarterClears() throws {
        let even = (1...4).flatMap { Self.facts(6, quarter: $0) }
        #expect(try Self.publish(even).quarters == [6, 6, 6, 6])
        let unevenly = (1...3).flatMap { Self.facts(6, quarter: $0) } + Self.facts(2, quarter: 4)
        #expect(try Self.publish(unevenly).quarters == nil)
    }

    @Test func theCrossTableMergesHiddenCategoriesAndOtherwiseWaits() throws {
        let registrations =
            Self.facts(10, party: .colleague, pattern: .repeated) + Self.facts(6, party: .colleague, pattern: .incident)
            + Self.facts(8, party: .manager, pattern: .repeated) + Self.facts(5, party: .manager, pattern: .incident)
            + Self.facts(2, party: .unknown, pattern: .incident)
        let report = try Self.publish(registrations)
        let cross = try #require(report.partyByPattern)
        // "Unknown" (2) is small and "manager" (13) hides with it; they form one row.
        #expect(cross.rows == [["collega"], ["ondergeschikte"], ["klant-derde"], ["leidinggevende", "onbekend"]])
        #expect(cross.cells == [[6, 10, 0], [0, 0, 0], [0, 0, 0], [7, 8, 0]])
        #expect(cross.cells.joined().allSatisfy(Disclosure.clears))
        // Every breakdown published in full, but three managers with a repeated pattern: no table.
        let uneven =
            Self.facts(7, party: .manager, pattern: .incident) + Self.facts(3, party: .manager, pattern: .repeated)
            + Self.facts(6, party: .colleague, pattern: .incident) + Self.facts(6, party: .colleague, pattern: .repeated)
        let plain = try Self.publish(uneven)
        #expect(plain.table(.otherParty)?.cells?.allSatisfy { !$0.isSuppressed } == true)
        #expect(plain.partyByPattern == nil)
    }

    @Test func aCorrectionThatAddsFewerThanFivePeopleIsRefused() throws {
        let first = try Self.publish(Self.facts(20))
        #expect(throws: DisclosureError.smallChange(earlier: 20, now: 22)) {
            try Self.publish(Self.facts(22), earlier: [first])
        }
        #expect(try Self.publish(Self.facts(25), earlier: [first]).cases == .count(25))
    }

    @Test func aCorrectionHidesCellsThatMovedALittle() throws {
        let before = Self.facts(12, party: .colleague) + Self.facts(9, party: .manager)
        let first = try Self.publish(before)
        // One case re-registered from colleague to manager: same total, two cells moved by one.
        let after = Self.facts(11, party: .colleague) + Self.facts(10, party: .manager)
        let second = try Self.publish(after, earlier: [first])
        #expect(second.table(.otherParty)?.cells?[0] == .hidden)
        #expect(second.table(.otherParty)?.cells?[1] == .hidden)
        var attacker = DifferencingAttacker()
        let one = attacker.observe(first)
        let two = attacker.observe(second)
        let changes = attacker.smallChanges(from: one, to: two, truth: (YearFigures.tally(before), YearFigures.tally(after)))
        #expect(changes.contains { $0.0 == "change of other-party{collega}" })
        let recovered = attacker.recovered(changes)
        #expect(recovered.isEmpty)
    }

    @Test func optionalBreakdownsAreOffUnlessSwitchedOnAndThenProtectedLikeTheRest() throws {
        var registrations = Self.facts(12) + Self.facts(3, party: .manager)
        #expect(try Self.publish(registrations).optionalTables == nil)
        for index in registrations.indices { registrations[index].optional[.location] = index < 13 ? "Utrecht" : "Zwolle" }
        let report = try Disclosure.publish(YearFigures.tally(registrations, optional: [.location: ["Utrecht", "Zwolle"]]))
        let table = try #require(report.optionalTables?.first)
        #expect(table.breakdown == .location && table.categories == ["Utrecht", "Zwolle", ""])
        // Zwolle's 2 is small, Utrecht's 13 hides with it; nothing was left unrecorded.
        #expect(table.cells == [.hidden, .small, .count(0)])
        var attacker = DifferencingAttacker()
        let version = attacker.observe(report)
        let recovered = attacker.recovered(attacker.hiddenCells(of: version))
        #expect(recovered.isEmpty)
        #expect(OptionalBreakdown.categories(from: " Utrecht \n\nutrecht\nZwolle ") == ["Utrecht", "Zwolle"])
        #expect(OptionalBreakdown.categories(from: (0...30).map { "plaats \($0)" }.joined(separator: "\n")) == nil)
    }

    @Test func publishedJSONIsReadableWithoutThisCode() throws {
        let report = try Self.publish(Self.facts(12, party: .colleague) + Self.facts(7, party: .manager) + Self.facts(2, party: .unknown))
        let json = String(decoding: try JSONEncoder().encode(report.table(.otherParty)), as: UTF8.self)
        #expect(json.contains(#"["hidden",12,0,0,"<5"]"#))
        #expect(try JSONDecoder().decode(PublishedYearlyReport.self, from: JSONEncoder().encode(report)) == report)
    }
}
