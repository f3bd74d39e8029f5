import Foundation

/// The legal clock of a formal report under the Wbk and Directive 2019/1937 art. 9(1):
/// acknowledge receipt within 7 days; give feedback within 3 months of the acknowledgement, or of the
/// end of those 7 days when no acknowledgement was sent.
///
/// Months are calendar months in Dutch time, clamped at the month's end: a report acknowledged on
/// 31 January gets feedback due on 30 April.
public struct FormalReportDeadlines: Sendable, Equatable {
    public static let acknowledgementPeriod: TimeInterval = 7 * 24 * 60 * 60
    public static let feedbackMonths = 3

    public let receivedAt: Date
    public let acknowledgedAt: Date?
    public let feedbackGivenAt: Date?

    public init(receivedAt: Date, acknowledgedAt: Date? = nil, feedbackGivenAt: Date? = nil) {
        self.receivedAt = receivedAt
        self.acknowledgedAt = acknowledgedAt
        self.feedbackGivenAt = feedbackGivenAt
    }

    public static var calendar: Calendar {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "Europe/Amsterdam") ?? .gmt
        return calendar
    }

    public var acknowledgementDue: Date { receivedAt.addingTimeInterval(Self.acknowledgementPeriod) }

    /// Three months after the acknowledgement, or after the end of the acknowledgement period without one.
    public var feedbackDue: Date {
        let start = acknowledgedAt ?? acknowledgementDue
        return Self.calendar.date(byAdding: .month, value: Self.feedbackMonths, to: start) ?? start
    }

    public enum State: String, Sendable, Equatable {
        case onTime = "on-time"
        case overdue
        case done
    }

    public func acknowledgement(at now: Date) -> State {
        if acknowledgedAt != nil { return .done }
        return now > acknowledgementDue ? .overdue : .onTime
    }

    public func feedback(at now: Date) -> State {
        if feedbackGivenAt != nil { return .done }
        return now > feedbackDue ? .overdue : .onTime
    }

    /// Whether a deadline was kept (for the yearly report): acknowledged and answered in time.
    public var acknowledgedInTime: Bool? { acknowledgedAt.map { $0 <= acknowledgementDue } }
    public var feedbackInTime: Bool? { feedbackGivenAt.map { $0 <= feedbackDue } }
}
