/// What a correction must hide so that comparing it with the released versions of the same year
/// reveals no small change: not of one category, not of several together, and not of everyone
/// else. (That the number of people itself changed by 1 to 4 is refused before this.)
///
/// A reader knows the change of every cell published in both versions, and of every group of such
/// cells, and of the rest (the change in people minus the group's). If any of these is 1 to 4, all
/// cells that changed are hidden in the correction, leaving only unchanged cells to compare; a
/// changed cell that is now 0 cannot be hidden (0 is always shown), and then the breakdown is
/// withheld.
struct Corrections {
    let people: Int
    let earlier: [PublishedYearlyReport]

    /// The cells of a breakdown to hide; nil when the breakdown must be withheld.
    func cellsToHide(_ breakdown: Breakdown, _ values: [Int], base: Int) -> Set<Int>? {
        var hide = Set<Int>()
        for report in earlier {
            guard let cells = report.table(breakdown)?.cells, cells.count == values.count,
                let earlierBase = report.base(of: breakdown)
            else { continue }
            let pairs = values.indices.compactMap { index in cells[index].value.map { (index, values[index] - $0) } }
            guard let more = Self.changedCells(pairs, values: values, totalChange: base - earlierBase, additive: breakdown.isPartition)
            else { return nil }
            hide.formUnion(more)
        }
        return hide
    }

    /// The same for an optional breakdown, matched by category name.
    func cellsToHide(_ breakdown: OptionalBreakdown, _ counts: OptionalCounts) -> Set<Int>? {
        var hide = Set<Int>()
        for report in earlier {
            guard let before = report.optionalTables?.first(where: { $0.breakdown == breakdown }), let cells = before.cells,
                let earlierPeople = report.cases.value
            else { continue }
            let pairs = counts.categories.indices.compactMap { index -> (Int, Int)? in
                guard let position = before.categories.firstIndex(of: counts.categories[index]), let value = cells[position].value
                else { return nil }
                return (index, counts.counts[index] - value)
            }
            guard let more = Self.changedCells(pairs, values: counts.counts, totalChange: people - earlierPeople, additive: true)
            else { return nil }
            hide.formUnion(more)
        }
        return hide
    }

    /// People per quarter: only when every quarter clears the threshold, and no quarter or group of
    /// quarters changed by 1 to 4 since an earlier version.
    func quarters(_ quarters: [Int]) -> [Int]? {
        guard quarters.allSatisfy(Disclosure.clears) else { return nil }
        for report in earlier {
            guard let before = report.quarters, let earlierPeople = report.cases.value else { continue }
            let pairs = quarters.indices.map { ($0, quarters[$0] - before[$0]) }
            guard let hide = Self.changedCells(pairs, values: quarters, totalChange: people - earlierPeople, additive: true), hide.isEmpty
            else { return nil }
        }
        return quarters
    }

    /// The number of cases with a retaliation signal. Shown exactly unless it, or everyone without
    /// it, is a small group, or either changed by 1 to 4 since an earlier version; then hidden
    /// (known to lie between 5 and the number of people) or, if even that would pin it, left out.
    func retaliation(_ count: Int) -> Shown? {
        if Disclosure.isSmall(count) { return .small }
        var hide = Disclosure.isSmall(people - count)
        for report in earlier {
            guard let before = report.retaliationSignals?.value, let earlierPeople = report.cases.value else { continue }
            let change = count - before
            if Disclosure.isSmall(abs(change)) || Disclosure.isSmall(abs(people - earlierPeople - change)) { hide = true }
        }
        guard hide else { return .count(count) }
        return count >= Disclosure.threshold && people > Disclosure.threshold ? .hidden : nil
    }

    /// Given the change of each cell published in both versions: nothing when no single cell, group
    /// (for cells that add up) or rest changed by a small number; otherwise every changed cell;
    /// nil when a changed cell is now 0 and cannot be hidden.
    static func changedCells(_ pairs: [(index: Int, change: Int)], values: [Int], totalChange: Int, additive: Bool) -> Set<Int>? {
        let changed = pairs.filter { $0.change != 0 }
        guard !changed.isEmpty else { return [] }
        let sums: Set<Int> =
            additive
            ? changed.reduce(into: Set([0])) { reachable, pair in reachable.formUnion(reachable.map { $0 + pair.change }) }
            : Set([0] + changed.map(\.change))
        let revealing = sums.contains { Disclosure.isSmall(abs($0)) || ($0 != 0 && Disclosure.isSmall(abs(totalChange - $0))) }
        guard revealing else { return [] }
        if changed.contains(where: { values[$0.index] == 0 }) { return nil }
        return Set(changed.map(\.index))
    }
}

extension Breakdown {
    var isPartition: Bool {
        if case .partition = relation { true } else { false }
    }
}
