import VertrouwdCore

/// A horizontal bar chart drawn on the server as SVG (no script, no chart library): each row a
/// label above its bar and the figure after it. Suppressed figures get no bar. The chart is
/// decorative for screen readers; the table next to it carries the same figures.
struct YearlyReportChart: Encodable {
    struct Bar: Encodable {
        let label: String
        let value: String
        let labelY: Int
        let barY: Int
        let width: Int
        let valueX: Int
        let valueY: Int
        let isSuppressed: Bool
        let hasBar: Bool
    }

    static let viewWidth = 640
    static let barArea = 520
    static let rowHeight = 46

    let height: Int
    let bars: [Bar]

    /// One bar per (label, figure); bars scale to the largest published figure.
    init(_ rows: [(label: String, shown: Shown, text: String)]) {
        let largest = max(rows.compactMap(\.shown.value).max() ?? 0, 1)
        bars = rows.enumerated().map { index, row in
            let top = index * Self.rowHeight
            let width = row.shown.value.map { $0 == 0 ? 0 : max(2, $0 * Self.barArea / largest) } ?? 0
            return Bar(
                label: row.label, value: row.text, labelY: top + 16, barY: top + 22, width: width, valueX: width + 8,
                valueY: top + 36, isSuppressed: row.shown.isSuppressed, hasBar: width > 0)
        }
        height = rows.count * Self.rowHeight + 4
    }
}
