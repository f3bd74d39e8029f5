import Foundation
import VertrouwdCore

/// The exports of a released report: exactly the published figures, nothing a release did not show.
struct YearlyReportExport: Encodable {
    let format = "vertrouwd-yearly-report-v1"
    let organisation: String
    let year: Int
    let version: Int
    let releasedAt: Date?
    /// Category codes per breakdown, in the order of the figures.
    let categories: [String: [String]]
    let figures: PublishedYearlyReport?
    let signals: String
    let recommendations: String
    /// The audit log's last entry at release (sequence and digest), the anchor printed on the report.
    let auditSequence: Int?
    let auditDigest: String?

    init(report: YearlyReport, organisation: Organisation) {
        self.organisation = organisation.name
        year = report.year
        version = report.version
        releasedAt = report.releasedAt
        categories = Dictionary(uniqueKeysWithValues: Breakdown.allCases.map { ($0.rawValue, $0.categories) })
        figures = report.published
        signals = report.signals
        recommendations = report.recommendations
        auditSequence = report.auditSequence
        auditDigest = report.auditDigest
    }

    /// One line per figure: section, category code, label in the reader's language, and the figure
    /// as published ("<5", "hidden", or "withheld" for a breakdown not shown).
    static func csv(_ published: PublishedYearlyReport, label: (String) -> String) -> String {
        var lines = [["section", "category", "label", "value"]]
        func value(_ shown: Shown) -> String { shown.exportText }
        lines.append(["people", "", label("yearly.people"), value(published.cases)])
        if let contacts = published.contacts { lines.append(["contacts", "", label("yearly.contacts"), String(contacts)]) }
        if let hours = published.hours { lines.append(["hours", "", label("yearly.hours"), String(hours)]) }
        if let retaliation = published.retaliationSignals {
            lines.append(["retaliation", "", label("yearly.retaliation"), value(retaliation)])
        }
        for (index, count) in (published.quarters ?? []).enumerated() {
            lines.append([
                "quarter", String(index + 1), label("yearly.quarter").replacingOccurrences(of: "{0}", with: String(index + 1)),
                String(count),
            ])
        }
        for table in published.tables {
            let categories = table.breakdown.categories
            for (index, category) in categories.enumerated() {
                let shown = table.cells.map { value($0[index]) } ?? "withheld"
                lines.append([table.breakdown.rawValue, category, label(YearlyReportPage.labelKey(table.breakdown, category)), shown])
            }
        }
        for table in published.optionalTables ?? [] {
            for (index, category) in table.categories.enumerated() {
                let shown = table.cells.map { value($0[index]) } ?? "withheld"
                lines.append([table.breakdown.rawValue, category, table.breakdown.label(category, translate: label), shown])
            }
        }
        if let cross = published.partyByPattern {
            for (row, parties) in cross.rows.enumerated() {
                for (column, patterns) in cross.columns.enumerated() {
                    let name =
                        parties.map { label(YearlyReportPage.labelKey(.otherParty, $0)) }.joined(separator: " + ") + " × "
                        + patterns.map { label(YearlyReportPage.labelKey(.pattern, $0)) }.joined(separator: " + ")
                    lines.append([
                        "party-by-pattern", parties.joined(separator: "+") + "/" + patterns.joined(separator: "+"), name,
                        String(cross.cells[row][column]),
                    ])
                }
            }
        }
        return lines.map { $0.map(field).joined(separator: ",") }.joined(separator: "\r\n") + "\r\n"
    }

    /// Quoted when needed; a leading formula character is defused for spreadsheets.
    private static func field(_ text: String) -> String {
        var safe = text
        if let first = safe.first, "=+-@".contains(first) { safe = "'" + safe }
        guard safe.contains(where: { ",\"\r\n".contains($0) }) else { return safe }
        return "\"" + safe.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
