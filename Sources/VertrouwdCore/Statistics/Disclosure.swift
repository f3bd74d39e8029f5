/// Disclosure control for the yearly report: turns true counts into figures management may see,
/// so that no count of people from 1 to 4 is shown or can be worked out — not from one breakdown's
/// total, not from the other breakdowns, and not by comparing a correction with the version it
/// replaces. "Counts of people" include groups: a "< 5" cell, several categories together, or
/// everyone except one category.
///
/// The report is built so that breakdowns are tied to each other only through the number of people
/// (and, for the deadline breakdowns, the number of formal reports), both published exactly. Each
/// breakdown can then be protected on its own, exactly: `CellBounds` computes what a reader can
/// conclude about every hidden cell and group, and more cells are hidden until nothing small is
/// pinned; a breakdown that cannot be protected is withheld. Which cell is hidden next never
/// depends on its size (the first eligible one in the breakdown's order), so the choice itself
/// tells a reader nothing more. `Corrections` protects a new version against the released ones.
/// The tests attack the published figures of both years and every version at once with linear
/// programming.
public enum Disclosure {
    public static let threshold = 5

    static func isSmall(_ count: Int) -> Bool { (1..<threshold).contains(count) }
    static func clears(_ count: Int) -> Bool { count == 0 || count >= threshold }

    /// The published figures of `figures`, protected also against the `earlier` released versions of
    /// the same report (a correction must not reveal what changed).
    public static func publish(
        _ figures: YearFigures, earlier: [PublishedYearlyReport] = []
    ) throws(DisclosureError) -> PublishedYearlyReport {
        let people = figures.cases
        for report in earlier {
            if let before = report.cases.value, isSmall(abs(people - before)) {
                throw .smallChange(earlier: before, now: people)
            }
        }
        if isSmall(people) { return PublishedYearlyReport(cases: .small) }
        let changes = Corrections(people: people, earlier: earlier)
        var tables: [PublishedTable] = []
        for breakdown in Breakdown.allCases {
            let values = figures[breakdown]
            let base = PublishedYearlyReport(cases: .count(people), tables: tables).base(of: breakdown)
            let cells = base.flatMap { base -> [Shown]? in
                guard let forced = changes.cellsToHide(breakdown, values, base: base) else { return nil }
                return protect(values, base: base, relation: breakdown.relation, forced: forced)
            }
            tables.append(PublishedTable(breakdown: breakdown, cells: cells))
        }
        var report = PublishedYearlyReport(
            cases: .count(people), contacts: figures.contacts, hours: (figures.quarterHours + 2) / 4,
            quarters: changes.quarters(figures.quarters), tables: tables,
            retaliationSignals: changes.retaliation(figures.retaliationSignals))
        report.partyByPattern = CrossTable.publish(figures.partyByPattern, report: report, earlier: earlier)
        if !figures.optional.isEmpty {
            report.optionalTables = OptionalBreakdown.allCases.compactMap { breakdown in
                figures.optional[breakdown].map { counts in
                    let forced = changes.cellsToHide(breakdown, counts)
                    return PublishedOptionalTable(
                        breakdown: breakdown, categories: counts.categories,
                        cells: forced.flatMap { protect(counts.counts, base: people, relation: .partition, forced: $0) })
                }
            }
        }
        return report
    }

    /// Hides the small cells and the `forced` ones, then more cells in the breakdown's order until
    /// nothing small can be worked out; nil when even hiding every non-zero cell would not do.
    ///
    /// In a partition, a small cell always brings at least one hidden companion of 5 or more, so
    /// the hidden cells together are never a small group (their total is the people minus the rest).
    /// Where cells need not add up (kinds, outcomes), a cell is hidden when everyone *but* it is a
    /// small group.
    static func protect(_ values: [Int], base: Int, relation: Breakdown.Relation, forced: Set<Int>) -> [Shown]? {
        let isPartition = if case .partition = relation { true } else { false }
        var shown: [Shown] = values.indices.map { index in
            let value = values[index]
            if isSmall(value) { return .small }
            if value >= threshold, forced.contains(index) || (!isPartition && isSmall(base - value)) { return .hidden }
            return .count(value)
        }
        if forced.contains(where: { values[$0] == 0 }) { return nil }
        func hideNext() -> Bool {
            guard let next = shown.indices.first(where: { (shown[$0].value ?? 0) >= threshold }) else { return false }
            shown[next] = .hidden
            return true
        }
        if isPartition, shown.contains(.small), !shown.contains(.hidden), !hideNext() { return nil }
        while pinsSomething(shown, base: base, relation: relation) {
            if !hideNext() { return nil }
        }
        return shown
    }

    /// Whether a reader could work out a hidden cell, or (in a partition) a small group of hidden cells.
    static func pinsSomething(_ shown: [Shown], base: Int, relation: Breakdown.Relation) -> Bool {
        let known = shown.map { CellBounds.Known($0, base: base) }
        switch relation {
        case .partition:
            // With one sum and a range per cell, a group of hidden cells short of all of them is
            // pinned only when a single hidden cell is; all of them together total the people minus
            // the published cells, which must not be a small number.
            let rest = base - shown.compactMap(\.value).reduce(0, +)
            if isSmall(rest) { return true }
            return CellBounds.partition(known, total: base).enumerated().contains { shown[$0].isSuppressed && $1.isExact }
        case .atLeastOne, .atLeastOneOrAlone:
            let alone: Int? = if case .atLeastOneOrAlone(let index) = relation { index } else { nil }
            let bounds = CellBounds.atLeastOne(known, base: base, aloneIndex: alone)
            return bounds.enumerated().contains { shown[$0].isSuppressed && $1.isExact }
        }
    }
}

public enum DisclosureError: Error, Equatable, Sendable {
    /// A correction whose number of people differs from an earlier released version by 1 to 4
    /// would show how many were added or removed.
    case smallChange(earlier: Int, now: Int)
}
