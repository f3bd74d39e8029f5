/// A breakdown the yearly report publishes, with its categories in the order they are shown, and
/// how its cells relate to the number of people: that relation is what an attacker could use to
/// work a hidden cell out, so disclosure control has to know it.
public enum Breakdown: String, Sendable, CaseIterable, Codable {
    /// Contact with the counsellor, or a formal integrity report.
    case caseKind = "case-kind"
    case otherParty = "other-party"
    case pattern
    /// Kinds of behaviour; a case can count for several.
    case kind
    /// What came of it; a case can count for several, except "none", which stands alone.
    case outcome
    /// Formal reports: acknowledged within seven days, or not (late or not yet).
    case acknowledgement
    /// Formal reports: feedback within three months, or not (late or not yet).
    case feedback

    public enum Relation: Sendable {
        /// Every case counts in exactly one cell, so the cells add up to the base.
        case partition
        /// Every case counts in at least one cell; the cells may add up to more than the base.
        case atLeastOne
        /// Like `atLeastOne`, but the cell at `aloneIndex` ("none") excludes all others.
        case atLeastOneOrAlone(aloneIndex: Int)
    }

    public enum Base: Sendable {
        /// All cases (people).
        case cases
        /// Formal reports only: the "report" cell of `caseKind`.
        case reports
    }

    /// "Late" and "not yet" are one cell: feedback needs an acknowledgement first, so separate
    /// "not yet" cells in the two breakdowns would tie them together (no more reports without
    /// feedback than without acknowledgement), and that tie can pin small cells.
    public static let deadlineStates = ["op-tijd", "niet-op-tijd"]

    /// The cell of `category`, one of `categories` (a programming error otherwise: every category
    /// comes from the enums that `categories` lists).
    public func index(of category: String) -> Int {
        guard let index = categories.firstIndex(of: category) else { preconditionFailure("\(category) is not a category of \(self)") }
        return index
    }

    public var categories: [String] {
        switch self {
        case .caseKind: CaseKind.allCases.map(\.rawValue)
        case .otherParty: Registration.OtherParty.allCases.map(\.rawValue)
        case .pattern: Registration.Pattern.allCases.map(\.rawValue)
        case .kind: Kind.allCases.map(\.rawValue)
        case .outcome: Registration.Outcome.allCases.map(\.rawValue)
        case .acknowledgement, .feedback: Self.deadlineStates
        }
    }

    public var relation: Relation {
        switch self {
        case .kind: .atLeastOne
        case .outcome: .atLeastOneOrAlone(aloneIndex: index(of: Registration.Outcome.none.rawValue))
        default: .partition
        }
    }

    public var base: Base {
        switch self {
        case .acknowledgement, .feedback: .reports
        default: .cases
        }
    }

    /// The index of the "report" cell of `caseKind`.
    public static let reportIndex = 1
}
