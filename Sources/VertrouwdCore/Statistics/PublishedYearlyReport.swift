/// How one published figure appears: the number, "< 5" for a count from 1 to 4, or hidden ("—")
/// because showing it would let a small count be worked out from the other figures.
public enum Shown: Sendable, Equatable, Codable {
    case count(Int)
    case small
    case hidden

    public var value: Int? {
        if case .count(let value) = self { value } else { nil }
    }

    public var isSuppressed: Bool { value == nil }

    /// The figure as the exports write it: the number, "<5", or "hidden".
    public var exportText: String {
        switch self {
        case .count(let value): String(value)
        case .small: "<5"
        case .hidden: "hidden"
        }
    }

    // In the JSON export a figure is a number, "<5" or "hidden": readable without this code.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let value = try? container.decode(Int.self) {
            self = .count(value)
        } else {
            switch try container.decode(String.self) {
            case "<5": self = .small
            case "hidden": self = .hidden
            default: throw DecodingError.dataCorruptedError(in: container, debugDescription: "not a published figure")
            }
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        if let value { try container.encode(value) } else { try container.encode(exportText) }
    }
}

/// One breakdown as published; `cells` is nil when the breakdown is withheld because no choice of
/// hidden cells would protect its small counts.
public struct PublishedTable: Sendable, Equatable, Codable {
    public var breakdown: Breakdown
    public var cells: [Shown]?

    public init(breakdown: Breakdown, cells: [Shown]?) {
        self.breakdown = breakdown
        self.cells = cells
    }
}

/// An optional breakdown as published: the organisation's categories (then "not recorded", `""`)
/// as they were when the report was made; `cells` is nil when withheld.
public struct PublishedOptionalTable: Sendable, Equatable, Codable {
    public var breakdown: OptionalBreakdown
    public var categories: [String]
    public var cells: [Shown]?

    public init(breakdown: OptionalBreakdown, categories: [String], cells: [Shown]?) {
        self.breakdown = breakdown
        self.categories = categories
        self.cells = cells
    }
}

/// Other party by pattern, with categories that are hidden in their own breakdown merged into one
/// group; published only when every cell is 0 or at least the threshold.
public struct PublishedCrossTable: Sendable, Equatable, Codable {
    /// Each row is a group of `Breakdown.otherParty` categories.
    public var rows: [[String]]
    /// Each column is a group of `Breakdown.pattern` categories.
    public var columns: [[String]]
    public var cells: [[Int]]

    public init(rows: [[String]], columns: [[String]], cells: [[Int]]) {
        self.rows = rows
        self.columns = columns
        self.cells = cells
    }
}

/// Everything management sees in figures: the output of `Disclosure.publish`, frozen when a report
/// is released. Nothing in it is a count from 1 to 4.
public struct PublishedYearlyReport: Sendable, Equatable, Codable {
    public var cases: Shown
    /// Shown only when the number of people is published.
    public var contacts: Int?
    /// Whole hours, rounded.
    public var hours: Int?
    /// People per quarter, when every quarter is 0 or at least the threshold.
    public var quarters: [Int]?
    public var tables: [PublishedTable]
    public var partyByPattern: PublishedCrossTable?
    public var retaliationSignals: Shown?
    /// Only the optional breakdowns the organisation switched on (absent in reports made before).
    public var optionalTables: [PublishedOptionalTable]?

    public init(
        cases: Shown, contacts: Int? = nil, hours: Int? = nil, quarters: [Int]? = nil, tables: [PublishedTable] = [],
        partyByPattern: PublishedCrossTable? = nil, retaliationSignals: Shown? = nil
    ) {
        self.cases = cases
        self.contacts = contacts
        self.hours = hours
        self.quarters = quarters
        self.tables = tables
        self.partyByPattern = partyByPattern
        self.retaliationSignals = retaliationSignals
    }

    public func table(_ breakdown: Breakdown) -> PublishedTable? {
        tables.first { $0.breakdown == breakdown }
    }

    /// The published number a breakdown's cells add up to: the people, or the formal reports; nil
    /// when that number is not published.
    func base(of breakdown: Breakdown) -> Int? {
        switch breakdown.base {
        case .cases: cases.value
        case .reports: table(.caseKind)?.cells?[Breakdown.reportIndex].value
        }
    }

    /// Every count of people this report shows (not contacts or hours), for the "never 1 to 4" checks.
    public var peopleCounts: [Int] {
        var numbers = [cases.value, retaliationSignals?.value].compactMap { $0 }
        numbers += quarters ?? []
        numbers += tables.flatMap { ($0.cells ?? []).compactMap(\.value) }
        numbers += (optionalTables ?? []).flatMap { ($0.cells ?? []).compactMap(\.value) }
        numbers += partyByPattern?.cells.flatMap { $0 } ?? []
        return numbers
    }
}
