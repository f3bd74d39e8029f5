/// The one two-breakdownal table: other party by pattern.
enum CrossTable {
    /// Categories published in their own breakdown stay apart; the hidden ones form one group,
    /// whose total a reader already knows (the people minus the published cells). Published only
    /// when both breakdowns keep at least two groups and every cell is 0 or at least the threshold —
    /// and, for a correction, with the same groups and the same cells as earlier versions.
    static func publish(_ counts: [[Int]], report: PublishedYearlyReport, earlier: [PublishedYearlyReport]) -> PublishedCrossTable? {
        guard let rows = groups(report.table(.otherParty)), let columns = groups(report.table(.pattern)),
            rows.count >= 2, columns.count >= 2
        else { return nil }
        let cells = rows.map { row in
            columns.map { column in
                row.flatMap { party in column.map { counts[Breakdown.otherParty.index(of: party)][Breakdown.pattern.index(of: $0)] } }
                    .reduce(0, +)
            }
        }
        guard cells.allSatisfy({ $0.allSatisfy(Disclosure.clears) }) else { return nil }
        let table = PublishedCrossTable(rows: rows, columns: columns, cells: cells)
        for report in earlier {
            guard let before = report.partyByPattern else { continue }
            guard before.rows == rows, before.columns == columns else { return nil }
            // Any change at all: groups of cells could differ by a small number.
            if before.cells != cells { return nil }
        }
        return table
    }

    static func groups(_ table: PublishedTable?) -> [[String]]? {
        guard let table, let cells = table.cells else { return nil }
        let categories = table.breakdown.categories
        var groups = cells.indices.filter { !cells[$0].isSuppressed }.map { [categories[$0]] }
        let hidden = cells.indices.filter { cells[$0].isSuppressed }.map { categories[$0] }
        if !hidden.isEmpty { groups.append(hidden) }
        return groups
    }
}
