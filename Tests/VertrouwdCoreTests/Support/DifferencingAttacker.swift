import Foundation

@testable import VertrouwdCore

/// An attacker who holds every published report — several years, every version of a year — and
/// knows how registrations work (a case counts once per partition, at least once among the kinds,
/// "none" stands alone among the outcomes, deadlines concern formal reports), but not the rules of
/// `Disclosure`. It models each report's true counts as unknowns, writes everything published as
/// linear constraints, and asks a linear program for the lowest and highest value of each hidden
/// cell, and of each change between versions. A cell is recovered when the two meet.
///
/// The constraint systems are totally unimodular (sums of cells with 0/1 coefficients, one joint
/// table), so the relaxation's bounds are the integer bounds: nothing is missed by relaxing.
struct DifferencingAttacker {
    typealias Expression = [Int: Double]

    struct Version {
        let report: PublishedReport
        let people: Int
        var cells: [Breakdown: [Expression]] = [:]
        var quarters: [Expression] = []
        var retaliation: Expression = [:]
        /// Per optional breakdown: its categories and one unknown per category.
        var optional: [OptionalBreakdown: (categories: [String], cells: [Expression])] = [:]
    }

    private(set) var program = LinearProgram()
    private(set) var versions: [Version] = []

    /// Adds one published report as a fresh set of unknowns; returns its version number.
    @discardableResult
    mutating func observe(_ report: PublishedReport) -> Int {
        let people = program.variable()
        var version = Version(report: report, people: people)
        let parties = Breakdown.otherParty.categories.count
        let patterns = Breakdown.pattern.categories.count
        let joint = (0..<parties).map { _ in (0..<patterns).map { _ in program.variable() } }
        program.add(sum(joint.flatMap { $0 }.map { [$0: 1] }), .equal, 0, minus: people)
        version.cells[.otherParty] = joint.map { row in sum(row.map { [$0: 1] }) }
        version.cells[.pattern] = (0..<patterns).map { column in sum(joint.map { [$0[column]: 1] }) }
        for breakdown in [Breakdown.caseKind, .kind, .outcome, .acknowledgement, .feedback] {
            version.cells[breakdown] = breakdown.categories.map { _ in [program.variable(): 1] }
        }
        let cells = version.cells
        program.add(sum(cells[.caseKind]!), .equal, 0, minus: people)
        let reports = cells[.caseKind]![Breakdown.reportIndex]
        for deadline in [Breakdown.acknowledgement, .feedback] {
            program.add(sum(cells[deadline]! + [reports.mapValues { -$0 }]), .equal, 0)
        }
        // Unpublished but true: "not in time" is late plus not yet, and feedback is only given after
        // an acknowledgement, so feedback given (in time or late) never exceeds acknowledgements given.
        let acknowledgedLate = program.variable()
        let feedbackLate = program.variable()
        program.add(sum([[acknowledgedLate: 1], cells[.acknowledgement]![1].mapValues { -$0 }]), .lessOrEqual, 0)
        program.add(sum([[feedbackLate: 1], cells[.feedback]![1].mapValues { -$0 }]), .lessOrEqual, 0)
        program.add(
            sum([cells[.feedback]![0], [feedbackLate: 1], cells[.acknowledgement]![0].mapValues { -$0 }, [acknowledgedLate: -1]]),
            .lessOrEqual, 0)
        for kind in cells[.kind]! { program.add(kind, .lessOrEqual, 0, minus: people) }
        program.add(sum(cells[.kind]!), .greaterOrEqual, 0, minus: people)
        // Outcomes: "none" plus the cases with some other outcome make up everyone.
        let noneIndex = Breakdown.outcome.categories.firstIndex(of: Registration.Outcome.none.rawValue)!
        let withOutcome = program.variable()
        program.add(sum([cells[.outcome]![noneIndex], [withOutcome: 1]]), .equal, 0, minus: people)
        let others = cells[.outcome]!.indices.filter { $0 != noneIndex }.map { cells[.outcome]![$0] }
        for outcome in others { program.add(outcome, .lessOrEqual, 0, minus: withOutcome) }
        program.add(sum(others), .greaterOrEqual, 0, minus: withOutcome)
        version.quarters = (0..<4).map { _ in [program.variable(): 1] }
        program.add(sum(version.quarters), .equal, 0, minus: people)
        version.retaliation = [program.variable(): 1]
        program.add(version.retaliation, .lessOrEqual, 0, minus: people)

        // What the report shows.
        learn([people: 1], report.cases)
        guard report.cases.value != nil else { return append(version) }
        for table in report.tables {
            guard let shown = table.cells else { continue }
            for (cell, value) in zip(version.cells[table.breakdown]!, shown) { learn(cell, value) }
        }
        for (cell, value) in zip(version.quarters, report.quarters ?? []) { learn(cell, .count(value)) }
        if let retaliation = report.retaliationSignals { learn(version.retaliation, retaliation) }
        for table in report.optionalTables ?? [] {
            // Another partition of the same people.
            let cells = table.categories.map { _ in [program.variable(): 1.0] }
            program.add(sum(cells), .equal, 0, minus: people)
            for (cell, shown) in zip(cells, table.cells ?? []) { learn(cell, shown) }
            version.optional[table.breakdown] = (table.categories, cells)
        }
        if let cross = report.partyByPattern {
            let partyIndex = Breakdown.otherParty.categories
            let patternIndex = Breakdown.pattern.categories
            for (row, parties) in cross.rows.enumerated() {
                for (column, patterns) in cross.columns.enumerated() {
                    let members = parties.flatMap { party in
                        patterns.map { [joint[partyIndex.firstIndex(of: party)!][patternIndex.firstIndex(of: $0)!]: 1.0] }
                    }
                    learn(sum(members), .count(cross.cells[row][column]))
                }
            }
        }
        return append(version)
    }

    private mutating func append(_ version: Version) -> Int {
        versions.append(version)
        return versions.count - 1
    }

    private mutating func learn(_ expression: Expression, _ shown: Shown) {
        switch shown {
        case .count(let value): program.add(expression, .equal, Double(value))
        case .small:
            program.add(expression, .greaterOrEqual, 1)
            program.add(expression, .lessOrEqual, Double(Disclosure.threshold - 1))
        case .hidden: program.add(expression, .greaterOrEqual, Double(Disclosure.threshold))
        }
    }

    /// The range of values the published figures leave for `expression`.
    func range(_ expression: Expression) -> ClosedRange<Double>? { program.range(of: expression) }

    /// Whether the published figures pin `expression` to one whole number.
    func recovers(_ expression: Expression) -> Bool {
        guard let range = range(expression) else { return false }
        return (range.lowerBound - 1e-6).rounded(.up) >= (range.upperBound + 1e-6).rounded(.down)
    }

    /// The names of the figures among `figures` that the attacker pins down.
    func recovered(_ figures: [(String, Expression)]) -> [String] {
        figures.filter { recovers($0.1) }.map(\.0)
    }

    /// Every hidden figure of a version, named, with its expression.
    func hiddenCells(of index: Int) -> [(String, Expression)] {
        let version = versions[index]
        var hidden: [(String, Expression)] = []
        if version.report.cases.isSuppressed { hidden.append(("people", [version.people: 1])) }
        for table in version.report.tables {
            for (position, shown) in (table.cells ?? []).enumerated() where shown.isSuppressed {
                hidden.append(
                    ("\(table.breakdown.rawValue)/\(table.breakdown.categories[position])", version.cells[table.breakdown]![position]))
            }
        }
        if version.report.retaliationSignals?.isSuppressed == true { hidden.append(("retaliation", version.retaliation)) }
        for table in version.report.optionalTables ?? [] {
            for (position, shown) in (table.cells ?? []).enumerated() where shown.isSuppressed {
                hidden.append(
                    ("\(table.breakdown.rawValue)/\(table.categories[position])", version.optional[table.breakdown]!.cells[position]))
            }
        }
        return hidden
    }

    /// The change of every cell between two versions whose true change is 1 to 4.
    func smallChanges(from earlier: Int, to later: Int, truth: (YearFigures, YearFigures)) -> [(String, Expression)] {
        var changes: [(String, Expression)] = []
        let (before, after) = (versions[earlier], versions[later])
        for breakdown in Breakdown.allCases {
            for position in breakdown.categories.indices
            where Disclosure.isSmall(abs(truth.1[breakdown][position] - truth.0[breakdown][position])) {
                changes.append(
                    (
                        "\(breakdown.rawValue)/\(breakdown.categories[position])",
                        difference(after.cells[breakdown]![position], before.cells[breakdown]![position])
                    ))
            }
        }
        for quarter in 0..<4 where Disclosure.isSmall(abs(truth.1.quarters[quarter] - truth.0.quarters[quarter])) {
            changes.append(("quarter \(quarter + 1)", difference(after.quarters[quarter], before.quarters[quarter])))
        }
        for (breakdown, counts) in truth.1.optional {
            guard let old = truth.0.optional[breakdown], let now = after.optional[breakdown], let then = before.optional[breakdown] else {
                continue
            }
            for (index, category) in counts.categories.enumerated() {
                guard let oldIndex = old.categories.firstIndex(of: category), let position = now.categories.firstIndex(of: category),
                    let earlierPosition = then.categories.firstIndex(of: category),
                    Disclosure.isSmall(abs(counts.counts[index] - old.counts[oldIndex]))
                else { continue }
                changes.append(("\(breakdown.rawValue)/\(category)", difference(now.cells[position], then.cells[earlierPosition])))
            }
        }
        if Disclosure.isSmall(abs(truth.1.retaliationSignals - truth.0.retaliationSignals)) {
            changes.append(("retaliation", difference(after.retaliation, before.retaliation)))
        }
        return changes
    }

    private func difference(_ a: Expression, _ b: Expression) -> Expression {
        a.merging(b.mapValues { -$0 }, uniquingKeysWith: +)
    }

    private func sum(_ expressions: [Expression]) -> Expression {
        expressions.reduce(into: [:]) { total, expression in total.merge(expression, uniquingKeysWith: +) }
    }
}

extension LinearProgram {
    /// `expression - variable (relation) bound`.
    mutating func add(_ expression: [Int: Double], _ relation: Relation, _ bound: Double, minus variable: Int) {
        add(expression.merging([variable: -1], uniquingKeysWith: +), relation, bound)
    }
}
