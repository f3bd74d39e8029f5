/// What someone holding the published figures can still conclude about a hidden cell: the exact
/// range of values consistent with everything a breakdown shows. Each function solves one
/// breakdown's constraints exactly (not a relaxation), so "at least two values remain" really means
/// the cell cannot be worked out from that breakdown.
enum CellBounds {
    /// What a reader knows about a cell: its value, or the range its marker allows.
    struct Known {
        var lower: Int
        var upper: Int
        var isExact: Bool { lower == upper }

        /// "< 5" is 1…4; a hidden cell is never 0 and never small (those are shown as such), so it
        /// is at least the threshold.
        init(_ shown: Shown, base: Int) {
            switch shown {
            case .count(let value): (lower, upper) = (value, value)
            case .small: (lower, upper) = (1, Disclosure.threshold - 1)
            case .hidden: (lower, upper) = (Disclosure.threshold, base)
            }
        }

        init(lower: Int, upper: Int) { (self.lower, self.upper) = (lower, upper) }
    }

    /// Cells that add up to `total`: each cell's range given the sum and the others' ranges.
    static func partition(_ cells: [Known], total: Int) -> [Known] {
        let lowerSum = cells.map(\.lower).reduce(0, +)
        let upperSum = cells.map(\.upper).reduce(0, +)
        return cells.map { cell in
            Known(
                lower: max(cell.lower, total - (upperSum - cell.upper)),
                upper: min(cell.upper, total - (lowerSum - cell.lower)))
        }
    }

    /// Cells of which every one of `base` cases fills at least one, no cell above `base`; when
    /// `aloneIndex` is set, that cell ("none") excludes every other, so the other cells each hold at
    /// most `base - alone` and together at least that many.
    static func atLeastOne(_ cells: [Known], base: Int, aloneIndex: Int?) -> [Known] {
        // The lowest and highest reachable value per cell: both are attainable, so a cell is pinned
        // exactly when they meet.
        var lowest = cells.map { _ in Int.max }
        var highest = cells.map { _ in Int.min }
        func reach(_ index: Int, _ low: Int, _ high: Int) {
            lowest[index] = min(lowest[index], low)
            highest[index] = max(highest[index], high)
        }
        let aloneRange = aloneIndex.map { cells[$0].lower...cells[$0].upper } ?? 0...0
        let others = cells.indices.filter { $0 != aloneIndex }
        for alone in aloneRange {
            // The cases with some other outcome: every other cell lies within them, and covers them.
            let rest = base - alone
            guard rest >= 0 else { continue }
            let capped = others.map { Known(lower: cells[$0].lower, upper: min(cells[$0].upper, rest)) }
            guard capped.allSatisfy({ $0.lower <= $0.upper }) else { continue }
            let upperSum = capped.map(\.upper).reduce(0, +)
            guard upperSum >= rest else { continue }
            if let aloneIndex { reach(aloneIndex, alone, alone) }
            for (position, index) in others.enumerated() {
                let cell = capped[position]
                reach(index, max(cell.lower, rest - (upperSum - cell.upper)), cell.upper)
            }
        }
        return cells.indices.map { Known(lower: lowest[$0], upper: highest[$0]) }
    }
}
