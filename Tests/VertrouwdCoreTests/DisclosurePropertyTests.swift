import Testing

@testable import VertrouwdCore

/// Random synthetic registrations, published and then attacked. Each seed is one organisation:
/// last year's released report, this year's, and a correction of this year.
@Suite("Yearly report: disclosure control against a differencing attacker")
struct DisclosurePropertyTests {
    static let seeds: [UInt64] = Array(1...120)

    @Test(arguments: seeds)
    func nothingSmallIsShownOrRecoverable(seed: UInt64) throws {
        var synthetic = SampleRegistrations(seed: seed)
        // Every other organisation switched on the optional breakdowns.
        let optional: [OptionalBreakdown: [String]] =
            seed.isMultiple(of: 2)
            ? [.gender: OptionalBreakdown.genders, .jobGroup: ["zorg", "staf", "ict"], .location: ["noord", "zuid"]] : [:]
        synthetic.optionalCategories = optional
        let lastYear = synthetic.population(upTo: 150)
        let thisYear = synthetic.population(upTo: 150)
        let lastFigures = YearFigures.tally(lastYear, optional: optional)
        let figures = YearFigures.tally(thisYear, optional: optional)
        let lastReport = try Disclosure.publish(lastFigures)
        let report = try Disclosure.publish(figures)
        for published in [lastReport, report] {
            #expect(!published.peopleCounts.contains(where: Disclosure.isSmall), "seed \(seed) shows a count from 1 to 4")
        }

        var attacker = DifferencingAttacker()
        let last = attacker.observe(lastReport)
        let current = attacker.observe(report)
        for (version, truth) in [(last, lastFigures), (current, figures)] {
            let recovered = attacker.recovered(attacker.sensitive(version, truth: truth))
            #expect(recovered.isEmpty, "seed \(seed): recovered \(recovered)")
            // The attacker's model is sound: the truth satisfies everything it wrote down.
            let people = try #require(attacker.range([attacker.versions[version].people: 1]), "seed \(seed): infeasible")
            #expect(people.contains(Double(truth.cases)))
        }

        // A correction: some registrations removed, added and re-registered.
        var corrected = thisYear
        for _ in 0..<Int.random(in: 0...3, using: &synthetic.generator) where !corrected.isEmpty {
            corrected.remove(at: Int.random(in: 0..<corrected.count, using: &synthetic.generator))
        }
        for _ in 0..<Int.random(in: 0...8, using: &synthetic.generator) { corrected.append(synthetic.registration()) }
        for _ in 0..<Int.random(in: 0...3, using: &synthetic.generator) where !corrected.isEmpty {
            corrected[Int.random(in: 0..<corrected.count, using: &synthetic.generator)] = synthetic.registration()
        }
        let correctedFigures = YearFigures.tally(corrected, optional: optional)
        let correction: PublishedYearlyReport
        do {
            correction = try Disclosure.publish(correctedFigures, earlier: [report])
        } catch DisclosureError.smallChange(let earlier, let now) {
            #expect(Disclosure.isSmall(abs(now - earlier)) && report.cases == .count(earlier), "seed \(seed)")
            return
        }
        #expect(!correction.peopleCounts.contains(where: Disclosure.isSmall), "seed \(seed): the correction shows 1 to 4")
        let second = attacker.observe(correction)
        let recovered = attacker.recovered(attacker.sensitive(second, truth: correctedFigures))
        #expect(recovered.isEmpty, "seed \(seed): recovered \(recovered) from the correction")
        let changes = attacker.recovered(attacker.smallChanges(from: current, to: second, truth: (figures, correctedFigures)))
        #expect(changes.isEmpty, "seed \(seed): recovered the changes of \(changes)")
    }

    @Test func theAttackerFindsWhatNaiveSuppressionLeaves() throws {
        // Without complementary suppression, one "< 5" cell in a breakdown is the total minus the rest.
        var naive = PublishedYearlyReport(cases: .count(21))
        naive.tables = [PublishedTable(breakdown: .otherParty, cells: [.count(7), .count(12), .count(0), .count(0), .small])]
        var attacker = DifferencingAttacker()
        let version = attacker.observe(naive)
        let hidden = attacker.hiddenCells(of: version)
        #expect(hidden.count == 1)
        #expect(attacker.recovers(hidden[0].1))
        #expect(attacker.range(hidden[0].1) == 2...2)
    }

    @Test func theAttackerSubtractsVersions() throws {
        // Two versions showing 12 and 13 give away the one person added.
        var attacker = DifferencingAttacker()
        let one = attacker.observe(PublishedYearlyReport(cases: .count(12)))
        let two = attacker.observe(PublishedYearlyReport(cases: .count(13)))
        let added = attacker.versions[two].cellOfPeople.merging(attacker.versions[one].cellOfPeople.mapValues { -$0 }, uniquingKeysWith: +)
        #expect(attacker.range(added) == 1...1)
    }
}

extension DifferencingAttacker.Version {
    var cellOfPeople: [Int: Double] { [people: 1] }
}
