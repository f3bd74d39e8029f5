/// One registration as the yearly report counts it: categories and counts, no case, no date.
public struct RegistrationFacts: Sendable, Equatable {
    public var quarter: Int
    public var isReport: Bool
    public var registration: Registration
    /// For formal reports: whether the Wbk deadlines were met (nil: not yet given).
    public var acknowledgedInTime: Bool?
    public var feedbackInTime: Bool?
    public var retaliationSignal: Bool
    /// The organisation's optional breakdowns, when switched on: the category, or absent.
    public var optional: [OptionalBreakdown: String] = [:]

    public init(
        quarter: Int, isReport: Bool, registration: Registration, acknowledgedInTime: Bool? = nil, feedbackInTime: Bool? = nil,
        retaliationSignal: Bool = false
    ) {
        self.quarter = quarter
        self.isReport = isReport
        self.registration = registration
        self.acknowledgedInTime = acknowledgedInTime
        self.feedbackInTime = feedbackInTime
        self.retaliationSignal = retaliationSignal
    }

    /// The deadline cell for one of the two deadlines: in time, or not (late or not yet).
    static func deadlineIndex(_ inTime: Bool?) -> Int { inTime == true ? 0 : 1 }
}
