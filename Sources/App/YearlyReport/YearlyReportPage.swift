import Vapor
import VertrouwdCore

/// What a yearly report looks like on the page, the same for the counsellor's preview, the
/// released report, the printable page and the PDF: headline figures, one section per breakdown
/// with a chart and the table behind it, the party-by-pattern table, and the counsellor's words.
struct YearlyReportPage: Encodable {
    struct Row: Encodable {
        let label: String
        let value: String
        let previous: String
    }

    struct Section: Encodable {
        let id: String
        let titleKey: String
        let introKey: String
        let withheld: Bool
        let chart: YearlyReportChart
        let rows: [Row]
    }

    struct Cross: Encodable {
        let columns: [String]
        let rows: [CrossRow]
    }

    struct CrossRow: Encodable {
        let label: String
        let cells: [String]
    }

    let organisationName: String
    let year: Int
    let previousYear: Int
    let version: Int
    let isCorrection: Bool
    let isTooSmall: Bool
    let people: String
    let peopleChange: String
    let hasPeopleChange: Bool
    let contacts: String
    let hours: String
    let hasWorkload: Bool
    let retaliation: String
    let hasRetaliation: Bool
    let hasPrevious: Bool
    /// People per quarter (when published) first, then every breakdown.
    let sections: [Section]
    let cross: Cross?
    let hasCross: Bool
    let signals: String
    let recommendations: String
    let hasSignals: Bool
    let hasRecommendations: Bool

    init(
        req: Request, organisationName: String, year: Int, version: Int, published: PublishedYearlyReport, previous: PublishedYearlyReport?,
        signals: String, recommendations: String
    ) {
        self.organisationName = organisationName
        self.year = year
        previousYear = year - 1
        self.version = version
        isCorrection = version > 1
        isTooSmall = published.cases == .small
        people = Self.text(published.cases, req)
        var change: Int?
        if let now = published.cases.value, let before = previous?.cases.value { change = now - before }
        peopleChange = change.map { $0 > 0 ? "+\($0)" : $0 < 0 ? "−\(-$0)" : "0" } ?? ""
        hasPeopleChange = change != nil
        contacts = published.contacts.map(String.init) ?? ""
        hours = published.hours.map(String.init) ?? ""
        hasWorkload = published.contacts != nil
        retaliation = published.retaliationSignals.map { Self.text($0, req) } ?? ""
        hasRetaliation = published.retaliationSignals != nil
        hasPrevious = previous != nil
        var sections: [Section] = []
        if let counts = published.quarters {
            let labels = (1...4).map { req.t("yearly.quarter", String($0)) }
            let before = previous?.quarters
            sections.append(
                Section(
                    id: "quarters", titleKey: "yearly.section.quarters", introKey: "yearly.section.quarters.intro", withheld: false,
                    chart: YearlyReportChart(zip(labels, counts).map { ($0, .count($1), String($1)) }),
                    rows: counts.indices.map { index in
                        Row(
                            label: labels[index], value: String(counts[index]),
                            previous: before.map { String($0[index]) } ?? req.t("yearly.not_published"))
                    }))
        }
        self.sections = isTooSmall ? [] : sections + Self.sections(published, previous: previous, req: req)
        cross = published.partyByPattern.map { Self.cross($0, req: req) }
        hasCross = cross != nil
        self.signals = signals
        self.recommendations = recommendations
        hasSignals = !signals.isEmpty
        hasRecommendations = !recommendations.isEmpty
    }

    static func text(_ shown: Shown, _ req: Request) -> String {
        switch shown {
        case .count(let value): String(value)
        case .small: req.t("yearly.small")
        case .hidden: req.t("yearly.hidden")
        }
    }

    static func labelKey(_ breakdown: Breakdown, _ category: String) -> String {
        switch breakdown {
        case .caseKind: "case.kind.\(category)"
        case .otherParty: "registration.party.\(category)"
        case .pattern: "registration.pattern.\(category)"
        case .kind: "kind.\(category)"
        case .outcome: "registration.outcome.\(category)"
        case .acknowledgement, .feedback: "yearly.deadline.\(category)"
        }
    }

    /// The sections in reading order; kinds are split by family.
    private static func sections(_ published: PublishedYearlyReport, previous: PublishedYearlyReport?, req: Request) -> [Section] {
        var sections: [Section] = []
        func add(_ breakdown: Breakdown, id: String, only indices: [Int]? = nil) {
            let chosen = indices ?? Array(breakdown.categories.indices)
            let before = previous?.table(breakdown)?.cells
            sections.append(
                section(
                    id: id, introKey: "yearly.section.\(id).intro",
                    cells: published.table(breakdown)?.cells.map { cells in chosen.map { cells[$0] } },
                    labels: chosen.map { req.t(labelKey(breakdown, breakdown.categories[$0])) }, previous: chosen.map { before?[$0] },
                    hasPrevious: before != nil, req: req))
        }
        add(.caseKind, id: "case-kind")
        for family in Family.allCases {
            add(.kind, id: "kind-\(family.rawValue)", only: Kind.allCases.indices.filter { Kind.allCases[$0].family == family })
        }
        add(.otherParty, id: "other-party")
        add(.pattern, id: "pattern")
        add(.outcome, id: "outcome")
        add(.acknowledgement, id: "acknowledgement")
        add(.feedback, id: "feedback")
        for table in published.optionalTables ?? [] {
            // Matched by name: the organisation's list may have changed since last year.
            let before = previous?.optionalTables?.first { $0.breakdown == table.breakdown }
            let earlier = table.categories.map { category in
                before.flatMap { before in before.categories.firstIndex(of: category).flatMap { before.cells?[$0] } }
            }
            sections.append(
                section(
                    id: table.breakdown.rawValue, introKey: "yearly.section.optional.intro", cells: table.cells,
                    labels: table.categories.map { table.breakdown.label($0, req: req) }, previous: earlier, hasPrevious: before != nil,
                    req: req))
        }
        return sections
    }

    /// One breakdown's section: a chart and the table behind it, or the sentence saying it was left out.
    private static func section(
        id: String, introKey: String, cells: [Shown]?, labels: [String], previous: [Shown?], hasPrevious: Bool, req: Request
    ) -> Section {
        guard let cells else {
            return Section(
                id: id, titleKey: "yearly.section.\(id)", introKey: introKey, withheld: true, chart: YearlyReportChart([]), rows: [])
        }
        let notPublished = req.t("yearly.not_published")
        return Section(
            id: id, titleKey: "yearly.section.\(id)", introKey: introKey, withheld: false,
            chart: YearlyReportChart(zip(labels, cells).map { ($0, $1, text($1, req)) }),
            rows: cells.indices.map { index in
                Row(
                    label: labels[index], value: text(cells[index], req),
                    previous: hasPrevious ? previous[index].map { text($0, req) } ?? notPublished : notPublished)
            })
    }

    private static func cross(_ table: PublishedCrossTable, req: Request) -> Cross {
        func label(_ group: [String], _ breakdown: Breakdown) -> String {
            group.map { req.t(labelKey(breakdown, $0)) }.joined(separator: " + ")
        }
        return Cross(
            columns: table.columns.map { label($0, .pattern) },
            rows: zip(table.rows, table.cells).map { CrossRow(label: label($0, .otherParty), cells: $1.map(String.init)) })
    }
}
