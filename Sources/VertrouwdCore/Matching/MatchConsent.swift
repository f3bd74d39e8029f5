/// What two people whose cases name the same person have chosen, and what follows from it.
///
/// Each side starts undecided and may choose, and later change, between staying separate, letting
/// their counsellors talk about the two cases, and acting together. Nothing is linked until both
/// have chosen: the link is the lesser of the two choices, so one side alone never moves anything,
/// and a side that goes back to "separate" stops the sharing at once.
public struct MatchConsent: Sendable, Equatable, Codable {
    public enum Choice: String, Sendable, CaseIterable, Codable, Comparable {
        case undecided
        case separate
        case talk
        case together

        var rank: Int {
            switch self {
            case .undecided: 0
            case .separate: 1
            case .talk: 2
            case .together: 3
            }
        }

        public static func < (lhs: Choice, rhs: Choice) -> Bool { lhs.rank < rhs.rank }
    }

    public enum Link: String, Sendable, CaseIterable, Equatable {
        /// At least one side has not chosen yet.
        case waiting
        /// At least one side chose to stay separate.
        case separate
        /// Both allow their counsellors to talk about the two cases.
        case talk
        /// Both want to act together (for example a joint formal report).
        case together

        public var counsellorsMayTalk: Bool { self == .talk || self == .together }
    }

    public enum Side: Sendable, CaseIterable {
        case first
        case second
    }

    public enum Refusal: Error, Equatable {
        /// "Undecided" is where each side starts; it cannot be chosen.
        case notAChoice
    }

    public private(set) var first: Choice
    public private(set) var second: Choice

    public init(first: Choice = .undecided, second: Choice = .undecided) {
        self.first = first
        self.second = second
    }

    public func choice(of side: Side) -> Choice { side == .first ? first : second }

    public mutating func choose(_ choice: Choice, for side: Side) throws {
        guard choice != .undecided else { throw Refusal.notAChoice }
        switch side {
        case .first: first = choice
        case .second: second = choice
        }
    }

    public var link: Link {
        let lower = min(first, second)
        switch lower {
        case .undecided: return [first, second].contains(.separate) ? .separate : .waiting
        case .separate: return .separate
        case .talk: return .talk
        case .together: return .together
        }
    }
}
