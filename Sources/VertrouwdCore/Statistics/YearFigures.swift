/// The true counts of one population (an organisation's or a counsellor's cases in one year),
/// before disclosure control. The app aggregates them in SQL; `tally` counts them in Swift.
public struct YearFigures: Sendable, Equatable, Codable {
    /// People: one case is one person.
    public var cases = 0
    public var contacts = 0
    public var quarterHours = 0
    public var retaliationSignals = 0
    public var quarters = [0, 0, 0, 0]
    /// Per breakdown, the count of each category in `Breakdown.categories` order.
    public var counts: [Breakdown: [Int]]
    /// Other party (rows) by pattern (columns).
    public var partyByPattern: [[Int]]
    /// The optional breakdowns the organisation switched on.
    public var optional: [OptionalBreakdown: OptionalCounts] = [:]

    public init() {
        counts = Dictionary(uniqueKeysWithValues: Breakdown.allCases.map { ($0, Array(repeating: 0, count: $0.categories.count)) })
        partyByPattern = Array(
            repeating: Array(repeating: 0, count: Breakdown.pattern.categories.count), count: Breakdown.otherParty.categories.count)
    }

    public subscript(breakdown: Breakdown) -> [Int] {
        get { counts[breakdown] ?? Array(repeating: 0, count: breakdown.categories.count) }
        set { counts[breakdown] = newValue }
    }

    public var reports: Int { self[.caseKind][Breakdown.reportIndex] }

    /// Counts in Swift what the app counts in SQL; `optional` names the switched-on optional
    /// breakdowns with the organisation's categories.
    public static func tally(_ registrations: [RegistrationFacts], optional: [OptionalBreakdown: [String]] = [:]) -> YearFigures {
        var figures = YearFigures()
        for (breakdown, categories) in optional { figures.optional[breakdown] = OptionalCounts(categories: categories) }
        for facts in registrations { figures.add(facts) }
        return figures
    }

    public mutating func add(_ facts: RegistrationFacts) {
        let registration = facts.registration
        cases += 1
        contacts += registration.contacts
        quarterHours += registration.quarterHours
        if facts.retaliationSignal { retaliationSignals += 1 }
        quarters[min(max(facts.quarter, 1), 4) - 1] += 1
        self[.caseKind][facts.isReport ? Breakdown.reportIndex : 0] += 1
        let party = Breakdown.otherParty.index(of: registration.otherParty.rawValue)
        let pattern = Breakdown.pattern.index(of: registration.pattern.rawValue)
        self[.otherParty][party] += 1
        self[.pattern][pattern] += 1
        partyByPattern[party][pattern] += 1
        for kind in Set(registration.kinds) { self[.kind][Breakdown.kind.index(of: kind.rawValue)] += 1 }
        for outcome in Set(registration.outcomes) {
            self[.outcome][Breakdown.outcome.index(of: outcome.rawValue)] += 1
        }
        for breakdown in optional.keys { optional[breakdown]?.add(facts.optional[breakdown]) }
        if facts.isReport {
            self[.acknowledgement][RegistrationFacts.deadlineIndex(facts.acknowledgedInTime)] += 1
            self[.feedback][RegistrationFacts.deadlineIndex(facts.feedbackInTime)] += 1
        }
    }
}
