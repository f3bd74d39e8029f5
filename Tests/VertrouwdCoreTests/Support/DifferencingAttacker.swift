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
        let report: PublishedYearlyReport
        let people: Int
        var cells: [Breakdown: [Expression]] = [:]
        var quarters: [Expression] = []
        var retaliation: Expression = [:]
        /// Per optional breakdown: its categories and one unknown per category.
        var optional: [OptionalBreakdown: (categories: [String], cells: [Expression])] = [:]
        /// Other party by pattern, person by person: the unknowns behind both breakdowns.
        var joint: [[Int]] = []
    }

    private(set) var program = LinearProgram()
    private(set) var versions: [Version] = []

    /// Adds one published report as a fresh set of unknowns; returns its version number.
    @discardableResult
    mutating func observe(_ report: PublishedYearlyReport) -> Int {
        let people = program.variable()
        var version = Version(report: report, people: people)
        let parties = Breakdown.otherParty.categories.count
        let patterns = Breakdown.pattern.categories.count
        let joint = (0..<parties).map { _ in (0..<patterns).map { _ in program.variable() } }
        program.add(sum(joint.flatMap { $0 }.map { [$0: 1] }), .equal, 0, minus: people)
        version.joint = joint
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

    /// The names of the figures among `figures` that the attacker pins down; a figure for which the
    /// model has no solution at all is listed too (as "infeasible"), since that means the model is
    /// wrong about how registrations work and its verdicts cannot be trusted.
    func recovered(_ figures: [(String, Expression)]) -> [String] {
        figures.compactMap { name, expression in
            guard range(expression) != nil else { return "infeasible: \(name)" }
            return recovers(expression) ? name : nil
        }
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

    /// Every group of people whose size a reader could try to work out from a version, with its
    /// true size: each group of categories of a breakdown whose cells add up (other party, pattern,
    /// kind of case, deadlines, quarters, optional breakdowns); each kind and outcome, and everyone
    /// without it; retaliation and everyone without it; each combination of other party and pattern.
    func groups(of index: Int, truth: YearFigures) -> [(name: String, expression: Expression, count: Int)] {
        let version = versions[index]
        var groups: [(name: String, expression: Expression, count: Int)] = []
        let people: Expression = [version.people: 1]
        func subsets(_ name: String, _ categories: [String], _ cells: [Expression], _ counts: [Int]) {
            guard categories.count <= 12 else { return }
            for mask in 1..<(1 << categories.count) - 1 {
                let members = categories.indices.filter { mask & (1 << $0) != 0 }
                groups.append(
                    (
                        "\(name){\(members.map { categories[$0] }.joined(separator: ","))}", sum(members.map { cells[$0] }),
                        members.map { counts[$0] }.reduce(0, +)
                    ))
            }
        }
        for breakdown in Breakdown.allCases {
            let cells = version.cells[breakdown]!
            if breakdown.isPartition {
                subsets(breakdown.rawValue, breakdown.categories, cells, truth[breakdown])
            } else {
                for (position, category) in breakdown.categories.enumerated() {
                    groups.append(("\(breakdown.rawValue)/\(category)", cells[position], truth[breakdown][position]))
                    groups.append(
                        (
                            "not \(breakdown.rawValue)/\(category)", difference(people, cells[position]),
                            truth.cases - truth[breakdown][position]
                        ))
                }
            }
        }
        subsets("quarter", ["1", "2", "3", "4"], version.quarters, truth.quarters)
        for (breakdown, published) in version.optional {
            guard let counts = truth.optional[breakdown] else { continue }
            let aligned = published.categories.map { category in counts.categories.firstIndex(of: category).map { counts.counts[$0] } ?? 0 }
            subsets(breakdown.rawValue, published.categories, published.cells, aligned)
        }
        groups.append(("retaliation", version.retaliation, truth.retaliationSignals))
        groups.append(("no retaliation", difference(people, version.retaliation), truth.cases - truth.retaliationSignals))
        for (row, variables) in version.joint.enumerated() {
            for (column, variable) in variables.enumerated() {
                groups.append(("joint \(row),\(column)", [variable: 1], truth.partyByPattern[row][column]))
            }
        }
        return groups
    }

    /// What a reader must not pin in one version: every hidden figure, and every group of 1 to 4 people.
    func sensitive(_ index: Int, truth: YearFigures) -> [(String, Expression)] {
        hiddenCells(of: index) + groups(of: index, truth: truth).filter { Disclosure.isSmall($0.count) }.map { ($0.name, $0.expression) }
    }

    /// Every group whose size changed by 1 to 4 between two versions, as the difference a reader
    /// would compute.
    func smallChanges(from earlier: Int, to later: Int, truth: (YearFigures, YearFigures)) -> [(String, Expression)] {
        let before = Dictionary(groups(of: earlier, truth: truth.0).map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        return groups(of: later, truth: truth.1).compactMap { group in
            guard let old = before[group.name], Disclosure.isSmall(abs(group.count - old.count)) else { return nil }
            return ("change of \(group.name)", difference(group.expression, old.expression))
        }
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
