/// Disclosure control for the yearly report: turns true counts into figures management may see,
/// so that no count of people from 1 to 4 is shown or can be worked out — not from one breakdown's
/// total, not from the other breakdowns, and not by comparing a correction with the version it
/// replaces.
///
/// The report is built so that breakdowns are tied to each other only through the number of people
/// (and, for the deadline breakdowns, the number of formal reports), both published exactly. Each
/// breakdown can then be protected on its own, exactly: `CellBounds` computes what a reader can
/// conclude about every hidden cell, and more cells are hidden until no hidden cell is pinned to one
/// value; a breakdown that cannot be protected is withheld. The two-breakdownal table is published
/// only when every cell is 0 or at least the threshold, with the categories its breakdowns hide
/// merged into one group, so it reveals nothing about them either. The tests attack the published
/// figures of both years and of every version at once with linear programming.
public enum Disclosure {
    public static let threshold = 5

    static func isSmall(_ count: Int) -> Bool { (1..<threshold).contains(count) }
    static func clears(_ count: Int) -> Bool { count == 0 || count >= threshold }

    /// The published figures of `figures`, protected also against the `earlier` released versions of
    /// the same report (a correction must not reveal what changed).
    public static func publish(_ figures: YearFigures, earlier: [PublishedReport] = []) throws(DisclosureError) -> PublishedReport {
        let people = figures.cases
        for report in earlier {
            if let before = report.cases.value, isSmall(abs(people - before)) {
                throw .smallChange(earlier: before, now: people)
            }
        }
        if isSmall(people) { return PublishedReport(cases: .small) }
        var tables: [PublishedTable] = []
        for breakdown in Breakdown.allCases {
            let base: Int? =
                switch breakdown.base {
                case .cases: people
                case .reports: tables.first { $0.breakdown == .caseKind }?.cells?[Breakdown.reportIndex].value
                }
            let values = figures[breakdown]
            let cells = base.flatMap { base in
                protect(values, base: base, relation: breakdown.relation, changed: changedCells(breakdown, values, earlier))
            }
            tables.append(PublishedTable(breakdown: breakdown, cells: cells))
        }
        var report = PublishedReport(
            cases: .count(people), contacts: figures.contacts, hours: (figures.quarterHours + 2) / 4,
            quarters: quarters(figures.quarters, earlier: earlier), tables: tables,
            retaliationSignals: retaliation(figures.retaliationSignals, people: people, earlier: earlier))
        report.partyByPattern = CrossTable.publish(figures.partyByPattern, report: report, earlier: earlier)
        if !figures.optional.isEmpty {
            report.optionalTables = OptionalBreakdown.allCases.compactMap { breakdown in
                figures.optional[breakdown].map { optionalTable(breakdown, $0, people: people, earlier: earlier) }
            }
        }
        return report
    }

    /// Hides the small cells, the cells whose change since an earlier version is small, and then
    /// the smallest published cells until no hidden cell can be worked out; nil when even hiding
    /// every non-zero cell would not do.
    static func protect(_ values: [Int], base: Int, relation: Breakdown.Relation, changed: Set<Int>) -> [Shown]? {
        var shown: [Shown] = values.indices.map { index in
            if isSmall(values[index]) { return .small }
            return changed.contains(index) && values[index] >= threshold ? .hidden : .count(values[index])
        }
        while true {
            let known = shown.map { CellBounds.Known($0, base: base) }
            let bounds: [CellBounds.Known] =
                switch relation {
                case .partition: CellBounds.partition(known, total: base)
                case .atLeastOne: CellBounds.atLeastOne(known, base: base, aloneIndex: nil)
                case .atLeastOneOrAlone(let aloneIndex): CellBounds.atLeastOne(known, base: base, aloneIndex: aloneIndex)
                }
            if !shown.indices.contains(where: { shown[$0].isSuppressed && bounds[$0].isExact }) { return shown }
            let candidates = shown.indices.filter { (shown[$0].value ?? 0) >= threshold }
            guard let next = candidates.min(by: { values[$0] < values[$1] }) else { return nil }
            shown[next] = .hidden
        }
    }

    /// Cells published in an earlier version whose value has since changed by 1 to 4.
    static func changedCells(_ breakdown: Breakdown, _ values: [Int], _ earlier: [PublishedReport]) -> Set<Int> {
        var changed = Set<Int>()
        for report in earlier {
            guard let cells = report.table(breakdown)?.cells, cells.count == values.count else { continue }
            for (index, cell) in cells.enumerated() {
                if let before = cell.value, isSmall(abs(values[index] - before)) { changed.insert(index) }
            }
        }
        return changed
    }

    /// An optional breakdown is a partition of the people, protected like the others; a change since
    /// an earlier version is found by category name, since the organisation's list may have changed.
    static func optionalTable(
        _ breakdown: OptionalBreakdown, _ counts: OptionalCounts, people: Int, earlier: [PublishedReport]
    ) -> PublishedOptionalTable {
        var changed = Set<Int>()
        for report in earlier {
            guard let before = report.optionalTables?.first(where: { $0.breakdown == breakdown }), let cells = before.cells else {
                continue
            }
            for (index, category) in counts.categories.enumerated() {
                guard let position = before.categories.firstIndex(of: category), let value = cells[position].value else { continue }
                if isSmall(abs(counts.counts[index] - value)) { changed.insert(index) }
            }
        }
        return PublishedOptionalTable(
            breakdown: breakdown, categories: counts.categories,
            cells: protect(counts.counts, base: people, relation: .partition, changed: changed))
    }

    /// People per quarter, only when every quarter clears the threshold and none changed by 1 to 4.
    static func quarters(_ quarters: [Int], earlier: [PublishedReport]) -> [Int]? {
        guard quarters.allSatisfy(clears) else { return nil }
        for report in earlier {
            guard let before = report.quarters else { continue }
            if zip(quarters, before).contains(where: { isSmall(abs($0 - $1)) }) { return nil }
        }
        return quarters
    }

    /// The number of cases with a retaliation signal: at most the number of people.
    static func retaliation(_ count: Int, people: Int, earlier: [PublishedReport]) -> Shown? {
        if isSmall(count) { return .small }
        let changed = earlier.contains { report in report.retaliationSignals?.value.map { isSmall(abs(count - $0)) } ?? false }
        guard changed else { return .count(count) }
        // Hidden, a reader knows only that it lies between the threshold and the number of people.
        return people > threshold ? .hidden : nil
    }
}

public enum DisclosureError: Error, Equatable, Sendable {
    /// A correction whose number of people differs from an earlier released version by 1 to 4
    /// would show how many were added or removed.
    case smallChange(earlier: Int, now: Int)
}
