import Foundation

/// How long a case's content is kept after the case ended (closed or withdrawn): a number of
/// calendar months per organisation, 12 by default, in Dutch time like the report deadlines.
/// After that the content and keys are destroyed and only the registration counts remain.
public struct RetentionPolicy: Sendable, Equatable {
    public static let defaultMonths = 12
    public static let allowedMonths = 1...120

    public let months: Int

    public init(months: Int = defaultMonths) {
        self.months = months
    }

    /// The moment the content of a case that ended at `endedAt` is destroyed.
    public func purgeDate(endedAt: Date) -> Date {
        FormalReportDeadlines.calendar.date(byAdding: .month, value: months, to: endedAt) ?? endedAt
    }

    public func isDue(endedAt: Date?, at now: Date) -> Bool {
        guard let endedAt else { return false }
        return now >= purgeDate(endedAt: endedAt)
    }

    /// The latest end date whose case is due at `now`: cases that ended at or before it go.
    public func cutoff(at now: Date) -> Date {
        FormalReportDeadlines.calendar.date(byAdding: .month, value: -months, to: now) ?? now
    }
}
